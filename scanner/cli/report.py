"""`relscan report SCAN.json`: render a saved scan in any format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from scanner.cli.common import (
    check_output_path,
    emit,
    format_options,
    render_options,
    report_options,
    resolve_format,
)
from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.outputs.json_out import load_scan


@click.command()
@click.argument("scan_file")
@format_options
@report_options
def report(scan_file: str, fmt: str | None, output: str | None, **options: Any) -> None:
    """Render a saved scan (relscan's JSON output): html, pdf, csv, cddo, ..."""
    fmt = resolve_format(fmt, output)
    check_output_path(output)
    try:
        text = Path(scan_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{scan_file}: {exc.strerror or exc}") from None
    result = load_scan(text, scan_file)
    emit(SCAN_FORMATS[fmt](result, render_options(result, options)), output)
