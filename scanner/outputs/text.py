"""Making cloud-supplied strings safe to show: they are data, never markup."""

from __future__ import annotations

import json
import re
import unicodedata

from scanner.model import FactValue

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~&])")


def clean(text: object, limit: int = 400) -> str:
    """Drop control and format characters (ANSI escapes, bidi overrides) and
    shorten very long strings, marking the cut."""
    out = "".join(
        " " if ch in "\n\r\t" else ch
        for ch in str(text)
        if ch in "\n\r\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )
    return out if len(out) <= limit else out[: limit - 1] + "…"


def md(text: object, limit: int = 400) -> str:
    """Cleaned and escaped for Markdown (no HTML, links or table breaks)."""
    return _MD_SPECIAL.sub(r"\\\1", clean(text, limit))


def show_value(value: FactValue) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
