"""Reading a file a person gave relscan (config, waivers, estate, scan
document) as UTF-8 text, with every failure one line naming what it is."""

from __future__ import annotations

from pathlib import Path

from scanner.errors import UsageError

RESAVE = "save it as UTF-8"


def decode(data: bytes, label: str, hint: str = "") -> str:
    """`data` as UTF-8 (a leading BOM allowed); `label` names it in the error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        more = f"; {hint}" if hint else ""
        raise UsageError(f"{label}: not UTF-8 text (at byte offset {exc.start}){more}") from None


def read(path: str | Path, label: str, hint: str = RESAVE) -> str:
    """The file's text; a missing or unreadable file, or one that is not
    UTF-8, is a one-line UsageError starting with `label`."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{label}: {exc.strerror or exc}") from None
    return decode(data, label, hint)
