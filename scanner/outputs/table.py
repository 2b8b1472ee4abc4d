"""A terminal table (Rich). Cloud strings go in as Text, never as markup.

Sized to the terminal (or COLUMNS; 120 when writing to a file or a pipe),
coloured by level on a terminal only, long ids shortened (`short_id`), kinds
written as words so they wrap between words, never inside one.
"""

from __future__ import annotations

import io
import os
import shutil

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scanner.model import Assessment, ScanResult
from scanner.outputs.practice_view import (
    has_practice,
    per_week_text,
    releases_text,
    rollbacks_text,
    status_words,
    summary_line,
    timezone_of,
    window_short,
)
from scanner.outputs.select import for_service, is_gap, target_status
from scanner.outputs.text import (
    NOT_ASSESSED,
    SNAPSHOT_TEXT,
    basis_text,
    clean,
    level_text,
    short_id,
    show_value,
)
from scanner.report import RenderOptions, UnitView, build_report
from scanner.summary import LEVEL_NAMES, LEVELS, summarise

LEVEL_STYLE = {1: "red", 2: "dark_orange", 3: "yellow", 4: "green", 5: "bold green"}
STATUS_STYLE = {
    "meets target": "green",
    "below target": "red",
    "below target (waiver expired)": "red",
    "gap accepted by waiver": "yellow",
    "not assessed": "dim",
}
STATUS_WORDS = {  # short enough for a narrow column; the legend below the table explains
    "meets target": "meets",
    "below target": "below",
    "below target (waiver expired)": "below (waiver expired)",
    "gap accepted by waiver": "waived",
    "not assessed": "",  # the level column says "not assessed"
}
SNAPSHOT_MARK = "*"
WIDE = 120  # from this many columns the table shows the account and location
NARROW = 100  # below this many columns it leaves out the kind too
FILE_WIDTH = 120


def _width(opts: RenderOptions) -> int:
    if opts.terminal:
        return max(40, shutil.get_terminal_size((FILE_WIDTH, 24)).columns)
    columns = os.environ.get("COLUMNS", "")
    return max(40, int(columns)) if columns.isdigit() else FILE_WIDTH


def _console(buf: io.StringIO, opts: RenderOptions) -> Console:
    colour = opts.terminal and "NO_COLOR" not in os.environ
    return Console(
        file=buf,
        width=_width(opts),
        force_terminal=colour,
        color_system="standard" if colour else None,
        highlight=False,
        emoji=False,
    )


def kind_words(kind: str) -> str:
    """`aws.codedeploy.deployment_group` as `aws codedeploy deployment group`."""
    return kind.replace(".", " ").replace("_", " ")


def _level_text(a: Assessment) -> Text:
    if a.level is None:
        return Text(NOT_ASSESSED, style="dim")
    mark = SNAPSHOT_MARK if a.basis == "snapshot" else ""
    return Text(f"{a.level}{mark}", style=LEVEL_STYLE[a.level])


def _place(a: Assessment) -> str:
    return f"{short_id(a.account, 26)}\n{short_id(a.location, 26)}"


def _units_table(views: list[UnitView], opts: RenderOptions, width: int) -> Table:
    """Every column on a wide terminal; narrower ones leave out the account and
    location (below 120 columns), then the kind (below 100: the rule id names it)."""
    title = "Release units"
    if opts.below is not None:
        title += f" below level {opts.below} (and not assessed)"
    units = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    units.add_column("Level", width=8)
    units.add_column(f"Target {opts.target_level}", width=8)
    units.add_column("Service", overflow="fold", min_width=7)
    where, kind = width >= WIDE, width >= NARROW
    if kind:
        longest = max((len(w) for v in views for w in kind_words(v.unit.kind).split()), default=4)
        units.add_column("Kind", width=max(longest, 10))  # wraps between words only
    units.add_column("Name", overflow="fold", min_width=10)
    places = [_place(v.unit) for v in views]
    if where:
        widest = max((len(line) for p in places for line in p.split("\n")), default=8)
        units.add_column("Account, location", width=min(widest, 26), overflow="fold")
    units.add_column("Rule or reason", overflow="fold", min_width=16)
    for v, place in zip(views, places, strict=True):
        a = v.unit
        status = target_status(v, opts.target_level)
        row = [
            _level_text(a),
            Text(STATUS_WORDS.get(status, status), style=STATUS_STYLE.get(status, "")),
            Text(clean(a.service or "", 60)),
        ]
        if kind:
            row.append(Text(kind_words(a.kind)))
        row.append(Text(clean(a.name, 80)))
        if where:
            row.append(Text(place))
        row.append(Text(a.rule or clean(a.reason, 120)))
        units.add_row(*row)
    return units


def practice_table(views: list[UnitView], width: int) -> Table:
    """With release records (--history): per unit, the releases in the period,
    per week, rollbacks (automatic/manual), the window and what the records
    did to the verdict. A table of its own, so that both stay legible at 100
    columns; below 120 it leaves out the service, as the units table leaves
    out the account (the rows follow the units table's order)."""
    shown = [v for v in views if v.unit.practice is not None]
    days = max(v.unit.practice.period_days for v in shown)  # type: ignore[union-attr]
    zone = timezone_of(v.unit for v in shown)
    title = f"How releases actually happened (last {days} days, {zone})"
    rows = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    service = width >= WIDE
    if service:
        rows.add_column("Service", overflow="fold", min_width=7)
    rows.add_column("Name", overflow="fold", min_width=10)
    rows.add_column("Releases", justify="right", width=8)
    rows.add_column("Per week", justify="right", width=6)
    rows.add_column("Rollbacks auto/man", justify="right", width=9)
    rows.add_column("Window", width=15)  # "Sun 02:00–06:00 declared" wraps between words
    rows.add_column("Status", width=13)
    for v in shown:
        a, p = v.unit, v.unit.practice
        assert p is not None
        row = [Text(clean(a.service or "", 60))] if service else []
        row += [
            Text(clean(a.name, 80)),
            Text(releases_text(p)),
            Text(per_week_text(p)),
            Text(rollbacks_text(p)),
            Text(window_short(p)),
            Text(status_words(p)),
        ]
        rows.add_row(*row)
    return rows


def render_scan(result: ScanResult, opts: RenderOptions | None = None) -> str:
    opts = opts or RenderOptions()
    result = for_service(result, opts)
    report = build_report(result, opts)
    views = [v for v in report.units if is_gap(v.unit, opts.below)]
    buf = io.StringIO()
    console = _console(buf, opts)
    width = console.width
    if views:
        console.print(_units_table(views, opts, width))
        if any(v.unit.basis == "snapshot" for v in views):
            console.print(Text(f"{SNAPSHOT_MARK} {SNAPSHOT_TEXT}, not a deployment policy"))
        if has_practice(v.unit for v in views):
            console.print(practice_table(views, width))
    elif opts.below is not None:
        console.print(
            Text(f"No release unit is below level {opts.below}, and every one was assessed.")
        )
    else:
        console.print(Text("No release units were found."))
    console.print(summary_table(result, opts))
    return buf.getvalue()


def summary_table(result: ScanResult, opts: RenderOptions | None = None) -> Table:
    opts = opts or RenderOptions()
    s = summarise(result.assessments)
    table = Table(title=f"Summary: {s['total']} units, {result.seconds:.1f} s")
    table.add_column("Level", no_wrap=True)
    table.add_column("Meaning")
    table.add_column("Units", justify="right")
    for lv in LEVELS:
        table.add_row(
            Text(str(lv), style=LEVEL_STYLE[lv]), LEVEL_NAMES[lv], str(s["levels"][str(lv)])
        )
    table.add_row(
        Text(NOT_ASSESSED, style="dim"),
        "a deciding field could not be read, or no rule applies",
        str(s["not_assessed"]),
    )
    if result.errors:
        table.add_row(
            Text("scope errors", style="red"), "this report is incomplete", str(len(result.errors))
        )
    return table


def summary_text(result: ScanResult, opts: RenderOptions | None = None) -> str:
    opts = opts or RenderOptions()
    buf = io.StringIO()
    _console(buf, opts).print(summary_table(result, opts))
    return buf.getvalue()


def render_one(a: Assessment, opts: RenderOptions | None = None) -> str:
    opts = opts or RenderOptions()
    buf = io.StringIO()
    console = _console(buf, opts)
    head = Text()
    head.append(clean(a.name), style="bold")
    head.append("  ")
    head.append(level_text(a.level), style=LEVEL_STYLE.get(a.level or 0, "dim"))
    console.print(head)
    console.print(Text(f"{a.kind}  {clean(a.id)}"))
    console.print(Text(f"rule: {a.rule or 'none'}"))
    basis = basis_text(a.basis)
    if basis:
        console.print(Text(f"basis: {basis}"))
    if a.service:
        console.print(Text(f"service: {clean(a.service)}"))
    console.print(Text(clean(a.reason, 1000)))
    if a.practice is not None:
        console.print(Text(f"release practice: {clean(summary_line(a.practice), 1000)}"))
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
