"""Markdown for wikis: a summary, then every unit with its evidence."""

from __future__ import annotations

from scanner.engine import ScanResult
from scanner.model import Assessment
from scanner.outputs.text import md, show_value
from scanner.summary import LEVEL_NAMES, LEVELS, summarise


def _level(a: Assessment) -> str:
    return f"Level {a.level}" if a.level is not None else "Not assessed"


def render_one(a: Assessment) -> str:
    lines = [
        f"### {md(a.name)}",
        "",
        f"- **{_level(a)}**: {md(a.reason)}",
        f"- Id: {md(a.id)}",
        f"- Kind: {md(a.kind)}, {md(a.provider)} {md(a.account)} {md(a.location)}",
        f"- Rule: {md(a.rule or 'none')}",
        "",
        "| Field | Value |",
        "|---|---|",
    ]
    lines += [f"| {md(e.field)} | {md(show_value(e.value))} |" for e in a.evidence]
    if a.next_steps:
        lines += ["", "Next steps:", ""] + [f"- {md(step)}" for step in a.next_steps]
    return "\n".join(lines) + "\n"


def render_scan(result: ScanResult) -> str:
    s = summarise(result.assessments)
    lines = [
        "# How do you release updates? relscan scan",
        "",
        f"Scanned {len(result.scopes)} scopes in {result.seconds:.1f} s "
        f"(relscan {md(result.tool_version)}), {s['total']} release units.",
        "",
        "| Level | Meaning | Units |",
        "|---|---|---|",
    ]
    lines += [f"| {lv} | {LEVEL_NAMES[lv]} | {s['levels'][str(lv)]} |" for lv in LEVELS]
    lines.append(f"| - | not assessed | {s['not_assessed']} |")
    if result.errors:
        lines += ["", "## Scope errors", ""]
        lines += [f"- {md(e.scope)} {md(e.service)}: {md(e.message)}" for e in result.errors]
    lines += ["", "## Release units", ""]
    for a in result.assessments:
        lines.append(render_one(a))
    return "\n".join(lines)
