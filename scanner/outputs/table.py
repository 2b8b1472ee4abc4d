"""A terminal table (Rich). Cloud strings go in as Text, never as markup."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.engine import ScanResult
from scanner.model import Assessment
from scanner.outputs.text import clean, show_value
from scanner.summary import LEVEL_NAMES, LEVELS, summarise

LEVEL_STYLE = {1: "red", 2: "dark_orange", 3: "yellow", 4: "green", 5: "bold green"}


def _console(buf: io.StringIO) -> Console:
    return Console(file=buf, width=140, force_terminal=False, color_system=None)


def _level_text(a: Assessment) -> Text:
    if a.level is None:
        return Text("n/a", style="dim")
    return Text(str(a.level), style=LEVEL_STYLE[a.level])


def render_scan(result: ScanResult) -> str:
    buf = io.StringIO()
    console = _console(buf)
    units = Table(title="Release units", show_lines=False)
    for col in ("Level", "Kind", "Name", "Account", "Location", "Rule or reason"):
        units.add_column(col, overflow="fold")
    for a in result.assessments:
        units.add_row(
            _level_text(a),
            Text(a.kind),
            Text(clean(a.name, 80)),
            Text(clean(a.account)),
            Text(clean(a.location)),
            Text(a.rule or clean(a.reason, 160)),
        )
    console.print(units)
    console.print(summary_table(result))
    return buf.getvalue()


def summary_table(result: ScanResult) -> Table:
    s = summarise(result.assessments)
    table = Table(title=f"Summary: {s['total']} units, {result.seconds:.1f} s")
    table.add_column("Level")
    table.add_column("Meaning")
    table.add_column("Units", justify="right")
    for lv in LEVELS:
        table.add_row(str(lv), LEVEL_NAMES[lv], str(s["levels"][str(lv)]))
    table.add_row("-", "not assessed", str(s["not_assessed"]))
    if result.errors:
        table.add_row("!", "scope errors", str(len(result.errors)))
    return table


def summary_text(result: ScanResult) -> str:
    buf = io.StringIO()
    _console(buf).print(summary_table(result))
    return buf.getvalue()


def render_one(a: Assessment) -> str:
    buf = io.StringIO()
    console = _console(buf)
    head = Text()
    head.append(clean(a.name), style="bold")
    head.append("  ")
    head.append(f"level {a.level}" if a.level is not None else "not assessed")
    console.print(head)
    console.print(Text(f"{a.kind}  {clean(a.id)}"))
    console.print(Text(f"rule: {a.rule or 'none'}"))
    console.print(Text(clean(a.reason, 1000)))
    evidence = Table(title="Evidence", title_justify="left")
    evidence.add_column("Field", overflow="fold")
    evidence.add_column("Value", overflow="fold")
    for e in a.evidence:
        evidence.add_row(Text(e.field), Text(clean(show_value(e.value))))
    console.print(evidence)
    if a.next_steps:
        console.print(Text("Next steps:"))
        for step in a.next_steps:
            console.print(Text(f"  - {step}"))
    return buf.getvalue()
