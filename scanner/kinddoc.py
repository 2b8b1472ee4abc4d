"""The parts of README.md and docs/ that restate the plugins' declarations,
generated from them: which kinds each provider reads (with the ids `check`
accepts) and the read grant each needs. Nothing there is copied by hand, and a
test keeps every generated part in step.

A generated part sits between two markers, and is regenerated with
`python -m scanner.kinddoc FILE...`:

    <!-- generated: WHAT PROVIDER [SCOPE] -->
    ...
    <!-- generated: end -->

WHAT is `kinds` (a table of the provider's kinds), `permissions` (the grant's
permissions as a list) or `grant` (the grant document, as
`relscan permissions PROVIDER` prints it); SCOPE is the kind of scan for
`permissions` and `grant` (default `account`).
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from scanner.errors import UsageError
from scanner.plugin import installed_plugins

_BLOCK = re.compile(
    r"(?P<open><!-- generated: (?P<what>[a-z]+) (?P<provider>[a-z0-9_-]+)"
    r"(?: (?P<scope>[a-z-]+))? -->\n)(?P<body>.*?)(?P<close><!-- generated: end -->)",
    re.S,
)


def kinds_table(provider: str, scope: str = "account") -> str:
    plugin = installed_plugins()[provider]
    rows = ["| Kind | Release unit | `relscan check` id |", "|---|---|---|"]
    # a "|" in an id form (a listener rule's app|net) would end the table cell
    rows += [f"| `{k.name}` | {k.title} | `{_cell(k.id_form)}` |" for k in plugin.kinds()]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def permissions_list(provider: str, scope: str = "account") -> str:
    grant = installed_plugins()[provider].permissions(scope)
    text = ", ".join(f"`{p}`" for p in grant.permissions) + "."
    return textwrap.fill(text, width=88, break_long_words=False, break_on_hyphens=False) + "\n"


def _language(document: str) -> str:
    """The code fence's language: json or yaml when the document is one."""
    try:
        json.loads(document)
        return "json"
    except ValueError:
        return "yaml" if re.match(r"[A-Za-z]\w*: ", document) else ""


def grant_document(provider: str, scope: str = "account") -> str:
    document = installed_plugins()[provider].permissions(scope).document.rstrip()
    return f"```{_language(document)}\n{document}\n```\n"


RENDER = {"kinds": kinds_table, "permissions": permissions_list, "grant": grant_document}


def render(what: str, provider: str, scope: str | None) -> str:
    if what not in RENDER:
        raise UsageError(f"unknown generated part {what!r} (known: {', '.join(RENDER)})")
    if provider not in installed_plugins():
        raise UsageError(f"generated part for {provider!r}: no such provider installed")
    return RENDER[what](provider, scope or "account")


def regenerate(text: str) -> str:
    """The text with every generated part rendered afresh."""

    def one(m: re.Match[str]) -> str:
        return m["open"] + render(m["what"], m["provider"], m["scope"]) + m["close"]

    return _BLOCK.sub(one, text)


def update_file(path: str) -> bool:
    """Regenerate a file's generated parts; True when it changed."""
    doc = Path(path)
    text = doc.read_text(encoding="utf-8")
    fresh = regenerate(text)
    if fresh != text:
        doc.write_text(fresh, encoding="utf-8")
    return fresh != text


if __name__ == "__main__":  # python -m scanner.kinddoc README.md docs/*.md
    import sys

    for name in sys.argv[1:]:
        if update_file(name):
            print(f"updated {name}")
