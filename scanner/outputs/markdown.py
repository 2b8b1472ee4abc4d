"""Markdown for pull requests and wikis: the estate's answer and its status
against the target, the services, the levels, then every unit with its evidence.

Cloud-supplied strings are escaped (`md`): no HTML, links or table breaks.
"""

from __future__ import annotations

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
from scanner.outputs.text import NOT_ASSESSED, basis_text, md, show_value
from scanner.report import RAG_TEXT, RenderOptions, UnitView, build_report
from scanner.summary import ANSWERS, LEVEL_NAMES, LEVELS, summarise


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _level(a: Assessment) -> str:
    return f"Level {a.level}" if a.level is not None else NOT_ASSESSED.capitalize()


def render_one(
    a: Assessment, opts: RenderOptions | None = None, view: UnitView | None = None
) -> str:
    opts = opts or RenderOptions()
    lines = [f"### {md(a.name)}", "", f"- **{_level(a)}**: {md(a.reason)}"]
    basis = basis_text(a.basis)
    if basis:
        lines.append(f"- Basis: {md(basis)}")
    if view is not None:
        status = target_status(view, opts.target_level)
        lines.append(f"- Target level {opts.target_level}: {status}")
        if view.waived and view.waiver is not None:
            w = view.waiver
            lines.append(
                f"- Waiver: level {w.level} accepted by {md(w.approved_by)} until "
                f"{w.expires.isoformat()}: {md(w.reason)}"
            )
        elif view.expired_waiver is not None:
            lines.append(f"- Waiver expired on {view.expired_waiver.expires.isoformat()}")
    lines += [
        f"- Id: {md(a.id)}",
        f"- Kind: {md(a.kind)}, {md(a.provider)} {md(a.account)} {md(a.location)}",
        f"- Service: {md(a.service or 'Unassigned')}",
        f"- Rule: {md(a.rule or 'none')}",
    ]
    if a.practice is not None:
        lines.append(f"- Release practice: {md(summary_line(a.practice), 1000)}")
    lines += [
        "",
        "| Field | Value |",
        "|---|---|",
    ]
    lines += [f"| {md(e.field)} | {md(show_value(e.value))} |" for e in a.evidence]
    if a.next_steps:
        lines += ["", "Next steps:", ""] + [f"- {md(step)}" for step in a.next_steps]
    return "\n".join(lines) + "\n"


def practice_lines(views: list[UnitView]) -> list[str]:
    """With release records (--history): a row per unit that has them."""
    units = [v.unit for v in views if v.unit.practice is not None]
    days = max(a.practice.period_days for a in units)  # type: ignore[union-attr]
    lines = [
        "",
        "## How releases actually happened",
        "",
        f"From the clouds' own deployment records, the last {days} days; windows in "
        f"{md(timezone_of(units))} time. Rollbacks: automatic/manual.",
        "",
        "| Service | Unit | Releases | Per week | Rollbacks | Window | Status |",
        "|---|---|---|---|---|---|---|",
    ]
    for a in units:
        p = a.practice
        assert p is not None
        lines.append(
            f"| {md(a.service or 'Unassigned')} | {md(a.name)} | {releases_text(p)} | "
            f"{per_week_text(p)} | {rollbacks_text(p)} | {md(window_short(p))} | "
            f"{md(status_words(p))} |"
        )
    return lines


def render_scan(result: ScanResult, opts: RenderOptions | None = None) -> str:
    opts = opts or RenderOptions()
    result = for_service(result, opts)
    report = build_report(result, opts)
    s = summarise(result.assessments)
    answer = report.estate.level
    scope = f"service {md(opts.service)}" if opts.service else "the estate"
    below = [v for v in report.units if v.below_target and not v.waived]
    waived = [v for v in report.units if v.waived]
    lines = [
        "# How do you release updates? relscan scan",
        "",
        f"**Answer for {scope}: {answer}, {ANSWERS[answer]}.** The lowest level of any "
        "assessed unit; a service is only as safe as its weakest release path.",
        "",
        f"Target level {opts.target_level}: {_count(len(below), 'unit')} below it, "
        f"{len(waived)} accepted by a waiver, {s['not_assessed']} not assessed.",
    ]
    if result.errors:
        lines += [
            "",
            f"**This report is incomplete:** {_count(len(result.errors), 'scope error')} "
            "(listed below); units in those scopes may be missing.",
        ]
    lines += [
        "",
        f"Scanned {len(result.scopes)} scopes in {result.seconds:.1f} s "
        f"(relscan {md(result.tool_version)}), {s['total']} release units.",
        "",
        "## Services",
        "",
        f"| Service | Level | Status (target {opts.target_level}) | Units | Not assessed |",
        "|---|---|---|---|---|",
    ]
    for sv in report.services:
        level = str(sv.level) if sv.level else "0 (I don't know)"
        lines.append(
            f"| {md(sv.name)} | {level} | {RAG_TEXT[sv.rag]} | {len(sv.units)} | "
            f"{sum(1 for v in sv.units if v.unit.level is None)} |"
        )
    lines += ["", "## Levels", "", "| Level | Meaning | Units |", "|---|---|---|"]
    lines += [f"| {lv} | {LEVEL_NAMES[lv]} | {s['levels'][str(lv)]} |" for lv in LEVELS]
    lines.append(f"| {NOT_ASSESSED} | no level: see the reason | {s['not_assessed']} |")
    shown = [v for v in report.units if is_gap(v.unit, opts.below)]
    if has_practice(v.unit for v in shown):
        lines += practice_lines(shown)
    if result.errors:
        lines += ["", "## Scope errors", ""]
        lines += [f"- {md(e.scope)} {md(e.service)}: {md(e.message)}" for e in result.errors]
    heading = "## Release units"
    if opts.below is not None:
        heading += f" below level {opts.below} (and not assessed): {len(shown)} of {s['total']}"
    lines += ["", heading, ""]
    if not shown:
        lines.append("None.\n")
    for v in shown:
        lines.append(render_one(v.unit, opts, v))
    return "\n".join(lines)
