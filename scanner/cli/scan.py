"""`relscan scan`: every release unit in the chosen providers' scopes."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import click

from scanner import __version__
from scanner.cli.common import (
    check_output_path,
    emit,
    fail_under_option,
    format_options,
    kept_scan,
    render_options,
    report_options,
    resolve_format,
    store_options,
)
from scanner.cli.evidence import finish_recording, provider_options, start_recording
from scanner.cli.running import (
    choose_providers,
    execute,
    exit_code,
    report_errors,
    resolve_scopes,
)
from scanner.cli.settings import merged_options
from scanner.engine import ScanInterrupted, ScanResult
from scanner.errors import UsageError
from scanner.outputs import SCAN_FORMATS
from scanner.plugin import installed_plugins
from scanner.readonly import ReadOnlyViolation
from scanner.shard import Shard
from scanner.store import Store
from scanner.store.trend import history_for


def _interrupted(exc: ScanInterrupted, store: Store | None, uid: str | None) -> None:
    """Ctrl-C: record the scan as interrupted, say what was done, exit at once."""
    if store and uid:
        store.mark(uid, "interrupted")
    p = exc.partial
    click.echo(
        f"relscan: interrupted after {p.scopes_done} of {len(p.scopes)} scopes "
        f"({len(p.assessments)} units read); nothing was stored as complete",
        err=True,
    )
    os._exit(130)  # scope threads may still be waiting on the network: do not wait for them


def _write_outputs(result: ScanResult, opts: Any, outputs: list[Any], kept: Any) -> None:
    stamp = result.started.strftime("%Y%m%dT%H%M%SZ")
    for spec in outputs:
        path = spec.path.format(date=result.started.date().isoformat(), time=stamp)
        check_output_path(path)
        emit(SCAN_FORMATS[spec.format](result, opts), path, kept)


@click.command()
@click.option(
    "--provider",
    "-p",
    "providers",
    multiple=True,
    help="Cloud to scan (repeatable): aws, azure, gcp, oci as installed.",
)
@click.option(
    "--config",
    "config_path",
    default=None,
    help="A relscan.toml; options given here override its keys.",
)
@format_options
@report_options
@fail_under_option
@store_options
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Scopes scanned at once.",
)
@click.option(
    "--per-account",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Scopes of one account scanned at once.",
)
@click.option(
    "--time-budget",
    type=click.FloatRange(1),
    default=3600,
    show_default=True,
    metavar="SECONDS",
    help="Stop starting scopes after this long; they are reported as not scanned.",
)
@click.option(
    "--shard",
    "shard_text",
    default=None,
    metavar="K/N",
    help="Scan only the K-th of N deterministic slices of the scopes.",
)
@click.option("--scan-group", default=None, help="Label shared by the shards of one scan.")
@click.option(
    "--evidence",
    "evidence_dir",
    default=None,
    metavar="DIR",
    help="Also write every API response read, with a manifest, to DIR.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary on stderr.")
def scan(**given: Any) -> None:
    """Scan every release unit the chosen providers can see."""
    o, settings = merged_options(click.get_current_context(), given)
    names = choose_providers(o["providers"])
    fmt = resolve_format(o["fmt"], o["output"])
    check_output_path(o["output"])
    if o["waivers_path"] and not os.path.isfile(o["waivers_path"]):
        raise UsageError(f"waivers file {o['waivers_path']}: no such file")
    shard = Shard.parse(o["shard_text"]) if o["shard_text"] else None
    store = None if o["no_store"] else Store(o["store"])
    recorder = start_recording(o["evidence_dir"]) if o["evidence_dir"] else None
    plugins = installed_plugins()
    work = [
        (run, shard.take(scopes) if shard else scopes)
        for run, scopes in resolve_scopes([plugins[n] for n in names], o)
    ]
    labels = [s.label for _, scopes in work for s in scopes]
    uid = (
        store.begin_scan(
            dt.datetime.now(dt.UTC),
            __version__,
            labels,
            o["scan_group"],
            str(shard) if shard else None,
        )
        if store
        else None
    )
    try:
        result = execute(work, o["concurrency"], o["quiet"], o["per_account"], o["time_budget"])
    except ScanInterrupted as exc:
        _interrupted(exc, store, uid)
    except ReadOnlyViolation:
        if store and uid:
            store.mark(uid, "failed")
        raise
    opts = render_options(result, o)
    if recorder:
        opts.evidence_digest = finish_recording(recorder, result, provider_options(names, o))
    if store and uid:
        store.finish_scan(uid, result)
        opts.history = history_for(store, labels)
    kept = kept_scan(result, uid, o["store"])
    emit(SCAN_FORMATS[fmt](result, opts), o["output"], kept)
    _write_outputs(result, opts, settings.outputs if settings else [], kept)
    report_errors(result, o["quiet"])
    raise click.exceptions.Exit(exit_code(result, o["fail_under"]))
