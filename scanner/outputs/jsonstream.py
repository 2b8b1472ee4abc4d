"""Writing a JSON document whose one long list is produced item by item.

`write_document` gives exactly the text `json.dumps(doc, indent=2,
ensure_ascii=False) + "\n"` would give with the list in place, but holds only
one item (its dict and its text) at a time: the list's place in `doc` is taken
by a placeholder, and each item's text is indented to the list's depth.
That is exact because `json.dumps` escapes every newline inside a string, so
every newline in an item's text is layout.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TextIO

INDENT = 2


def placeholder() -> str:
    """A string no cloud can have put in a document: the list goes where it stands."""
    return f"relscan-list-{uuid.uuid4().hex}"


def write_document(
    doc: Any,
    mark: str,
    items: Iterable[Any],
    out: TextIO,
    dumps: Callable[[Any], str] | None = None,
) -> None:
    """Write `doc` to `out` with `items` as the list where the string `mark`
    stands (it must stand there once, as a value)."""
    dump = dumps or _dumps
    before, after = dump(doc).split(json.dumps(mark, ensure_ascii=False))
    line = before[before.rfind("\n") + 1 :]
    depth = len(line) - len(line.lstrip(" "))
    sep = "\n" + " " * (depth + INDENT)
    out.write(before + "[")
    first = True
    for item in items:
        out.write(("" if first else ",") + sep + dump(item).replace("\n", sep))
        first = False
    out.write(("]" if first else "\n" + " " * depth + "]") + after + "\n")


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=INDENT, ensure_ascii=False)
