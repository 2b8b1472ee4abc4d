"""Renderers: each turns a scan result (or one assessment) into text or bytes.

They read assessments and scan metadata only, never provider objects. The
report formats (html, pdf, csv, cddo) also take the board's RenderOptions.
"""

from __future__ import annotations

from collections.abc import Callable

from scanner.engine import ScanResult
from scanner.errors import UsageError
from scanner.model import Assessment
from scanner.outputs import cddo, csv_out, html, json_out, markdown, pdf, table
from scanner.report import RenderOptions, build_report

Renderer = Callable[[ScanResult, RenderOptions], str | bytes]

SCAN_FORMATS: dict[str, Renderer] = {
    "json": lambda result, _: json_out.render_scan(result),
    "markdown": lambda result, _: markdown.render_scan(result),
    "table": lambda result, _: table.render_scan(result),
    "html": lambda result, opts: html.render(build_report(result, opts)),
    "pdf": lambda result, opts: pdf.render(build_report(result, opts)),
    "csv": lambda result, opts: csv_out.render(build_report(result, opts)),
    "cddo": lambda result, opts: cddo.render(build_report(result, opts)),
}
ONE_FORMATS: dict[str, Callable[[Assessment], str]] = {
    "json": json_out.render_one,
    "markdown": markdown.render_one,
    "table": table.render_one,
}


def check_format(fmt: str, formats: dict[str, object] | None = None) -> str:
    choices = SCAN_FORMATS if formats is None else formats
    if fmt not in choices:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(choices)}")
    return fmt
