"""Renderers: each turns a scan result (or one assessment) into text or bytes.

They read assessments and scan metadata only, never provider objects. The
report formats (html, pdf, csv, cddo) also take the board's RenderOptions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from scanner.errors import UsageError
from scanner.model import Assessment, ScanResult
from scanner.outputs import cddo, csv_out, html, json_out, markdown, pdf, sarif, table
from scanner.outputs.select import for_service, shown
from scanner.report import RenderOptions, build_report

Renderer = Callable[[ScanResult, RenderOptions], str | bytes]

# `--service` narrows every format; `--below` the unit lists (scanner/outputs/select.py).
SCAN_FORMATS: dict[str, Renderer] = {
    "json": lambda result, opts: json_out.render_scan(
        shown(result, opts), opts, for_service(result, opts)
    ),
    "markdown": markdown.render_scan,
    "table": table.render_scan,
    "html": lambda result, opts: html.render(build_report(for_service(result, opts), opts)),
    "pdf": lambda result, opts: pdf.render(build_report(for_service(result, opts), opts)),
    "csv": lambda result, opts: csv_out.render(build_report(shown(result, opts), opts)),
    "cddo": lambda result, opts: cddo.render(build_report(for_service(result, opts), opts)),
    "sarif": lambda result, opts: sarif.render(for_service(result, opts), opts),
}
# The formats written to a file (or standard output) as they are made, one
# unit at a time, instead of as one string: the same text as SCAN_FORMATS'.
Writer = Callable[[TextIO], None]
SCAN_WRITERS: dict[str, Callable[[ScanResult, RenderOptions, TextIO], None]] = {
    "json": lambda result, opts, out: json_out.write_scan(
        shown(result, opts), opts, out, for_service(result, opts)
    ),
    "csv": lambda result, opts, out: csv_out.write(shown(result, opts), opts, out),
    "sarif": lambda result, opts, out: sarif.write(for_service(result, opts), opts, out),
}


def scan_output(fmt: str, result: ScanResult, opts: RenderOptions) -> str | bytes | Writer:
    """The scan in `fmt`: a Writer where the format streams, else its text or bytes."""
    stream = SCAN_WRITERS.get(fmt)
    if stream is None:
        return SCAN_FORMATS[fmt](result, opts)
    return lambda out: stream(result, opts, out)


# `check`: one unit.
ONE_FORMATS: dict[str, Callable[[Assessment, RenderOptions], str]] = {
    "json": lambda a, _: json_out.render_one(a),
    "markdown": lambda a, opts: markdown.render_one(a, opts),
    "table": table.render_one,
    "sarif": sarif.render_one,
}


def check_format(fmt: str, formats: dict[str, object] | None = None) -> str:
    choices = SCAN_FORMATS if formats is None else formats
    if fmt not in choices:
        raise UsageError(f"unknown format {fmt!r}; choose one of {', '.join(choices)}")
    return fmt
