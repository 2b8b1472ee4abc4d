"""The store's listings as text: the scans held (`relscan history`) and what
changed between two scans (`relscan diff`), as JSON, Markdown or a table."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sys
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.history import Change
from scanner.outputs.text import clean, md
from scanner.practice.records import AUTOMATIC, MANUAL, ROLLBACK
from scanner.store.releases import StoredRelease
from scanner.store.store import COMPLETE, ScanRow

ROLLED_BACK_TEXT = {AUTOMATIC: "automatically", MANUAL: "by a person", None: "-"}
OUTCOME_TEXT = {"in_progress": "in progress"}
STATUS_TEXT = {"running": "incomplete", "interrupted": "interrupted", COMPLETE: "complete"}
FILE_WIDTH = 120


def _print(table: Table) -> str:
    """The table at the terminal's width (else COLUMNS, else 120 columns)."""
    if sys.stdout.isatty():
        width = shutil.get_terminal_size((FILE_WIDTH, 24)).columns
    else:
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() else FILE_WIDTH
    buf = io.StringIO()
    Console(file=buf, width=max(40, width), color_system=None).print(table)
    return buf.getvalue()


def scans_json(rows: list[ScanRow]) -> str:
    return json.dumps(
        [
            {
                "id": r.id,
                "uid": r.uid,
                "status": STATUS_TEXT.get(r.status, r.status),
                "started": r.started.isoformat(),
                "finished": r.finished.isoformat() if r.finished else None,
                "scopes": r.scopes,
                "group": r.group_id,
                "shard": r.shard,
                "summary": r.summary,
            }
            for r in rows
        ],
        indent=2,
    )


def scans_table(rows: list[ScanRow]) -> str:
    table = Table(title="Scans")
    for col in (
        "Id",
        "Uid",
        "Status",
        "Started (UTC)",
        "Units",
        "Levels 1-5",
        "Not assessed",
        "Scopes",
        "Group/shard",
    ):
        table.add_column(col)
    for r in rows:
        s = r.summary or {}
        levels = " ".join(str(s.get("levels", {}).get(str(i), 0)) for i in range(1, 6))
        table.add_row(
            str(r.id),
            r.uid[:8],
            STATUS_TEXT.get(r.status, r.status),
            r.started.strftime("%Y-%m-%d %H:%M:%S"),
            str(s.get("total", "-")),
            levels if s else "-",
            str(s.get("not_assessed", "-")),
            str(len(r.scopes)),
            Text(clean(f"{r.group_id or ''} {r.shard or ''}".strip())),
        )
    return _print(table)


def diff_text(older: int, newer: int, changes: list[Change], fmt: str) -> str:
    """The changes from scan `older` to scan `newer`: json, markdown or table."""
    if fmt == "json":
        doc = {"older": older, "newer": newer, "changes": [c.as_dict() for c in changes]}
        return json.dumps(doc, indent=2) + "\n"
    if not changes:
        heading = "# " if fmt == "markdown" else ""
        return (
            f"{heading}No changes from scan {older} to scan {newer}: every unit is still "
            "there, at the level it had.\n"
        )
    if fmt == "markdown":
        lines = [
            f"# Changes from scan {older} to scan {newer}",
            "",
            "| Change | Unit | Service | Before | After |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {c.change} | {md(c.name)} | {md(c.service or '')} | {c.before or '-'} "
            f"| {c.after or '-'} |"
            for c in changes
        ]
        return "\n".join(lines) + "\n"
    table = Table(title=f"Changes from scan {older} to scan {newer}: {len(changes)}")
    for col in ("Change", "Unit", "Service", "Before", "After"):
        table.add_column(col)
    for c in changes:
        table.add_row(
            c.change,
            Text(clean(c.name)),
            Text(clean(c.service or "")),
            str(c.before or "-"),
            str(c.after or "-"),
        )
    return _print(table)


def _local(moment: dt.datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %a")


def _outcome(s: StoredRelease) -> str:
    text = OUTCOME_TEXT.get(s.release.outcome, s.release.outcome)
    return f"{text} (a rollback)" if s.release.kind == ROLLBACK else text


def releases_json(
    service: str, days: int, since: dt.datetime, zone: ZoneInfo, found: list[StoredRelease]
) -> str:
    """A service's kept releases, newest first, each with its start in local time."""
    doc = {
        "service": service,
        "days": days,
        "since": since.isoformat().replace("+00:00", "Z"),
        "timezone": zone.key,
        "releases": [
            {**s.as_dict(), "started_local": s.release.started.astimezone(zone).isoformat()}
            for s in found
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def releases_table(service: str, days: int, zone: ZoneInfo, found: list[StoredRelease]) -> str:
    title = Text(f"Releases of {clean(service)} in the last {days} days: {len(found)}")
    table = Table(title=title)
    for col in (
        "Unit",
        "Source",
        f"Started ({zone.key})",
        "Outcome",
        "Rolled back",
        "Started by",
    ):
        table.add_column(Text(clean(col)))
    for s in found:
        table.add_row(
            Text(clean(s.unit_name)),
            Text(clean(s.release.source)),
            _local(s.release.started, zone),
            Text(clean(_outcome(s))),
            ROLLED_BACK_TEXT.get(s.release.rolled_back, "-"),
            Text(clean(s.release.started_by or "-")),
        )
    return _print(table)


def no_releases_text(service: str, days: int, where: str, services: list[str]) -> str:
    """One line: why there is nothing to show, and what the store does hold."""
    name = clean(service, 120)
    if not services:
        return (
            f"No release records in the store {where} yet: scans with --history keep them "
            f"(no releases of {name!r} to show)."
        )
    if service not in services:
        held = ", ".join(repr(clean(s, 60)) for s in services[:10])
        more = f" and {len(services) - 10} more" if len(services) > 10 else ""
        return f"The store {where} keeps no releases of {name!r}; it keeps {held}{more}."
    return f"No releases of {name!r} started in the last {days} days (the store {where})."
