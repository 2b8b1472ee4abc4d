"""Making cloud-supplied strings safe to show: they are data, never markup."""

from __future__ import annotations

import json
import re
import unicodedata

from scanner.model import FactValue
from scanner.rules import BASIS_MEANING

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


NOT_ASSESSED = "not assessed"  # the one wording for a unit without a level, in every output
SNAPSHOT_TEXT = BASIS_MEANING["snapshot"]
BASIS_TEXT = {"policy": "deployment policy", "snapshot": SNAPSHOT_TEXT}


def level_text(level: int | None) -> str:
    return f"level {level}" if level is not None else NOT_ASSESSED


def basis_text(basis: str | None) -> str:
    """What a verdict rests on, in words ("" when the rule declares nothing)."""
    return BASIS_TEXT.get(basis or "", "")


_OCID = re.compile(r"^ocid1\.([a-z0-9_]+)\.[^.]*\.[^.]*\.(?:[^.]*\.)?([A-Za-z0-9]+)$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def short_id(text: object, limit: int = 28) -> str:
    """A long id shortened for a table cell, recognisably:

    - an OCI OCID keeps its type and the last 6 characters, as the OCI Console
      shows them (`ocid1.compartment…x7k2qa`);
    - an Azure subscription GUID keeps its first 8 characters (`5b1d0c2e…`);
    - a path keeps its first and last parts (`tenancy/…/payments`);
    - anything else longer than `limit` keeps its start and end.
    """
    value = clean(text)
    if len(value) <= limit:
        return value
    ocid = _OCID.match(value)
    if ocid:
        return f"ocid1.{ocid.group(1)}…{ocid.group(2)[-6:]}"
    if _GUID.match(value):
        return value[:8] + "…"
    parts = [p for p in value.split("/") if p]
    if len(parts) > 2 and len(parts[0]) + len(parts[-1]) + 3 <= limit:
        return f"{parts[0]}/…/{parts[-1]}"
    head = (limit - 1) * 2 // 3
    return value[:head] + "…" + value[-(limit - 1 - head) :]
