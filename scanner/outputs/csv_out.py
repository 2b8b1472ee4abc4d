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
from scanner.outputs.practice_view import has_practice, status_words, window_text
from scanner.outputs.text import show_value
from scanner.practice.practice import NO_RECORDS, Practice
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
# With release records (--history) only: the unit's practice in the period.
PRACTICE_COLUMNS = [
    "practice_status",
    "releases",
    "releases_per_week",
    "rollbacks_automatic",
    "rollbacks_manual",
    "window",
    "history_days",
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
    write_rows(report.units, buf, has_practice(report.scan.assessments))
    return buf.getvalue()


def write(result: ScanResult, options: RenderOptions, out: TextIO) -> None:
    """The same text as `render(build_report(result, options))`, written row by
    row: a row needs only its unit and where it stands, never the whole report."""
    write_rows(views_of(result, options), out, has_practice(result.assessments))


def _practice_cells(p: Practice | None) -> list[object]:
    if p is None:  # a kind that reads no records
        return [""] * len(PRACTICE_COLUMNS)
    status = status_words(p) or p.status.replace("_", " ")
    read = p.status != NO_RECORDS  # no counts where no records were read
    return [
        status,
        p.release_count if read else "",
        "" if p.per_week is None else round(p.per_week, 2),
        p.rolled_back_automatic if read else "",
        p.rolled_back_manual if read else "",
        window_text(p),
        p.period_days,
    ]


def write_rows(views: Iterable[UnitView], out: TextIO, practice: bool = False) -> None:
    """One row per unit; with `practice` (the scan read release records) the
    PRACTICE_COLUMNS too."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS + (PRACTICE_COLUMNS if practice else []))
    for view in views:
        a = view.unit
        extra = _practice_cells(a.practice) if practice else []
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
                    *extra,
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
