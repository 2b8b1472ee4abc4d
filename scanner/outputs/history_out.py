"""The store's listings as text: the scans held (`relscan history`) and what
changed between two scans (`relscan diff`), as JSON, Markdown or a table."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.history import Change
from scanner.outputs.text import clean, md
from scanner.store.store import COMPLETE, ScanRow

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
