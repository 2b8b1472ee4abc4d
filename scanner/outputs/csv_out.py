"""CSV, one row per unit, for spreadsheets.

Cells that a spreadsheet would run as a formula (starting =, +, -, @, tab or
carriage return) get a leading apostrophe; `read_rows` takes it off again.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import TextIO

from scanner.model import ScanResult
from scanner.outputs.text import show_value
from scanner.report import RenderOptions, Report, UnitView, views_of
from scanner.waivers import Waiver

COLUMNS = [
    "id",
    "provider",
    "kind",
    "name",
    "account",
    "location",
    "service",
    "level",
    "status",
    "rule",
    "basis",
    "reason",
    "evidence",
    "next_steps",
    "target_status",
    "waiver",
    "tags",
]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _waiver_text(w: Waiver | None) -> str:
    if w is None:
        return ""
    return f"level {w.level} accepted by {w.approved_by} until {w.expires}: {w.reason}"


def _waiver_cell(view: UnitView) -> str:
    if view.waiver is not None:
        return _waiver_text(view.waiver)
    w = view.expired_waiver
    return f"expired {w.expires} ({w.approved_by}); no longer applies" if w else ""


def render(report: Report) -> str:
    buf = io.StringIO()
    write_rows(report.units, buf)
    return buf.getvalue()


def write(result: ScanResult, options: RenderOptions, out: TextIO) -> None:
    """The same text as `render(build_report(result, options))`, written row by
    row: a row needs only its unit and where it stands, never the whole report."""
    write_rows(views_of(result, options), out)


def write_rows(views: Iterable[UnitView], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for view in views:
        a = view.unit
        writer.writerow(
            [
                _safe(v)
                for v in (
                    a.id,
                    a.provider,
                    a.kind,
                    a.name,
                    a.account,
                    a.location,
                    a.service or "",
                    "" if a.level is None else a.level,
                    a.status,
                    a.rule or "",
                    a.basis or "",
                    a.reason,
                    "; ".join(f"{e.field}={show_value(e.value)}" for e in a.evidence),
                    " | ".join(a.next_steps),
                    view.status,
                    _waiver_cell(view),
                    json.dumps(a.tags, ensure_ascii=False, sort_keys=True),
                )
            ]
        )


def read_rows(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for key, value in row.items():
            if value.startswith("'") and value[1:].startswith(_FORMULA):
                row[key] = value[1:]
    return rows
