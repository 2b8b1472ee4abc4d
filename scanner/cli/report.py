"""`relscan report`: render a saved scan file, or a stored scan group."""

from __future__ import annotations

import sys
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
from scanner.errors import EXIT_INCOMPLETE, EXIT_OK, UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.outputs.json_out import load_scan
from scanner.store import Store
from scanner.store.groups import merge_group

STDIN = "-"


def _read_scan(scan_file: str) -> str:
    """The scan document from a file, or from standard input for `-`."""
    try:
        if scan_file == STDIN:
            return sys.stdin.buffer.read().decode("utf-8")
        return Path(scan_file).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{scan_file}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        where = "standard input" if scan_file == STDIN else scan_file
        raise UsageError(f"{where}: not UTF-8 text (at byte offset {exc.start})") from None


@click.command()
@click.argument("scan_file", required=False)
@click.option("--scan-group", default=None, help="Merge the stored shards of this scan group.")
@click.option("--store", default=None, metavar="URL", help="History database (with --scan-group).")
@format_options
@report_options
def report(
    scan_file: str | None,
    scan_group: str | None,
    store: str | None,
    fmt: str | None,
    output: str | None,
    **options: Any,
) -> None:
    """Render a saved scan (relscan's JSON output; `-` reads standard input) or a
    scan group: html, pdf, csv, cddo, sarif..."""
    if bool(scan_file) == bool(scan_group):
        raise UsageError("give a scan file or --scan-group ID (one of them)")
    fmt = resolve_format(fmt, output)
    check_output_path(output)
    missing: list[str] = []
    if scan_group:
        result, missing = merge_group(Store(store), scan_group)
    else:
        assert scan_file is not None
        text = _read_scan(scan_file)
        result = load_scan(text, "standard input" if scan_file == STDIN else scan_file)
    opts = render_options(result, options)
    opts.missing_shards = missing
    emit(SCAN_FORMATS[fmt](result, opts), output)
    if missing:
        click.echo(
            f"relscan: scan group {scan_group}: shards not complete: {', '.join(missing)}", err=True
        )
    raise click.exceptions.Exit(EXIT_INCOMPLETE if missing else EXIT_OK)
