"""API path templates (`/a/{name}/b`) as regular expressions, written once for
the read-only guards of every provider: a `{parameter}` is one non-empty path
segment, everything else is matched literally."""

from __future__ import annotations

import re

SEGMENT = "[^/]+"
_PARAMETER = re.compile(r"(\{[^}/]+\})")


def template_body(template: str) -> str:
    """The regex source of `template`, unanchored."""
    parts = _PARAMETER.split(template)
    return "".join(SEGMENT if _PARAMETER.fullmatch(p) else re.escape(p) for p in parts)


def template_regex(
    template: str,
    *,
    suffix_of_path: bool = False,
    trailing_slash: bool = False,
    ignore_case: bool = False,
) -> re.Pattern[str]:
    """`template` as a compiled pattern for a whole URL path, or (with
    `suffix_of_path`) for the end of one after any endpoint prefix."""
    body = template_body(template)
    start = rf"(?:^|/){body.lstrip('/')}" if suffix_of_path else f"^{body}"
    end = "/?$" if trailing_slash else "$"
    return re.compile(start + end, re.I if ignore_case else 0)  # fmt: skip
