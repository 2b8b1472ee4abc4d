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
from scanner.evidence.bundle import digest_for_scan_file
from scanner.outputs import scan_output
from scanner.outputs.json_out import decode_scan, read_scan_file
from scanner.store import Store
from scanner.store.groups import merge_group

STDIN = "-"


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
    origin, digest, matches = "live", None, True
    if scan_group:
        result, missing = merge_group(Store(store), scan_group)
    else:
        assert scan_file is not None
        if scan_file == STDIN:
            loaded = decode_scan(sys.stdin.buffer.read(), "standard input")
        else:
            loaded = read_scan_file(scan_file)
            digest, matches = digest_for_scan_file(Path(scan_file))
        result, origin = loaded.result, loaded.origin
        if not matches:
            click.echo(
                f"relscan: warning: {scan_file} is not the file its evidence manifest lists; "
                "the report names no evidence bundle",
                err=True,
            )
    opts = render_options(result, options)
    opts.missing_shards = missing
    opts.origin, opts.evidence_digest = origin, digest
    emit(scan_output(fmt, result, opts), output)
    if missing:
        click.echo(
            f"relscan: scan group {scan_group}: shards not complete: {', '.join(missing)}", err=True
        )
    raise click.exceptions.Exit(EXIT_INCOMPLETE if missing else EXIT_OK)
