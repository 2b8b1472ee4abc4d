"""`relscan scan`: every release unit in the chosen providers' scopes."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from typing import Any, NoReturn

import click

from scanner.cli.common import (
    check_output_path,
    emit,
    fail_under_option,
    format_options,
    kept_scan,
    options_for,
    report_options,
    resolve_format,
    service_config,
    store_options,
    timeout_option,
)
from scanner.cli.evidence import start_recording
from scanner.cli.practice import history_options, practice_settings, with_history
from scanner.cli.running import (
    choose_providers,
    discovery_status,
    exit_code,
    leave,
    progress,
    report_errors,
)
from scanner.cli.settings import merged_options
from scanner.engine import ScanInterrupted
from scanner.errors import EXIT_INTERRUPTED, UsageError, one_line
from scanner.plugin import installed_plugins
from scanner.readonly import ReadOnlyViolation
from scanner.session import ScanSession
from scanner.shard import Shard
from scanner.workers import available_cores


def _interrupted(exc: ScanInterrupted, session: ScanSession) -> NoReturn:
    """Ctrl-C while reading: record the scan as interrupted, say what was done, exit at once."""
    session.mark("interrupted")
    p = exc.partial
    _leave_now(
        f"relscan: interrupted after {p.scopes_done} of {len(p.scopes)} scopes "
        f"({len(p.assessments)} units read); nothing was stored as complete"
    )


def _leave_now(message: str) -> NoReturn:
    """Say why, then exit 130 at once: scope and discovery threads may still be
    waiting on the network, and nothing may wait for them."""
    click.echo(message, err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)


def output_paths(outputs: list[Any], started: dt.datetime) -> list[tuple[str, str]]:
    """The `[[outputs]]` of relscan.toml as (format, path), their placeholders
    filled and every path checked now, before anything is scanned."""
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    found: list[tuple[str, str]] = []
    for spec in outputs:
        try:
            path = spec.path.format(date=started.date().isoformat(), time=stamp)
        except (KeyError, IndexError, AttributeError) as exc:
            name = exc.args[0] if exc.args else "?"
            raise UsageError(
                f"[[outputs]] path {spec.path!r}: unknown placeholder {{{name}}} "
                "(known: {date}, {time})"
            ) from None
        except ValueError as exc:
            raise UsageError(f"[[outputs]] path {spec.path!r}: {one_line(exc)}") from None
        check_output_path(path)
        found.append((spec.format, path))
    return found


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
    help="Scopes (account and region, subscription, project...) read at once.",
)
@click.option(
    "--per-account",
    type=click.IntRange(1, 64),
    default=16,
    show_default=True,
    help="Requests in flight to one account (subscription, project, tenancy) at once; "
    "each scope being read holds one.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    show_default="the cores available",
    help="Processes that read the providers, this one included: each provider is read "
    "whole by one of them (1: all in this process).",
)
@click.option(
    "--time-budget",
    type=click.FloatRange(1),
    default=3600,
    show_default=True,
    metavar="SECONDS",
    help="End the scan after this long, discovery included: what is not done by then "
    "is reported as not scanned (exit 3).",
)
@timeout_option
@history_options
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
    started, began = dt.datetime.now(dt.UTC), time.monotonic()
    o, settings = merged_options(click.get_current_context(), given)
    names = choose_providers(o["providers"])
    fmt = resolve_format(o["fmt"], o["output"])
    check_output_path(o["output"])
    outputs = output_paths(settings.outputs if settings else [], started)
    if o["waivers_path"] and not os.path.isfile(o["waivers_path"]):
        raise UsageError(f"waivers file {o['waivers_path']}: no such file")
    practice = practice_settings(o, started)
    plugins = installed_plugins()
    session = ScanSession(
        [plugins[n] for n in names],
        {n: with_history(o, practice) for n in names},
        shard=Shard.parse(o["shard_text"]) if o["shard_text"] else None,
        group=o["scan_group"],
        started=started,
        workers=o["workers"] or available_cores(),
    )
    session.practice = practice
    if not o["no_store"]:
        session.open_store(o["store"])
    if o["evidence_dir"]:
        session.recorder = start_recording(o["evidence_dir"])
    budget = o["time_budget"]
    deadline = began + budget
    try:
        with discovery_status(o["quiet"]):
            session.discover(deadline, budget)
    except KeyboardInterrupt:
        session.mark("interrupted")
        _leave_now("relscan: interrupted while discovering scopes; nothing was scanned")
    session.begin()
    try:
        with progress(session.scope_count, o["quiet"]) as on_scope_done:
            result = session.execute(
                o["concurrency"], o["per_account"], budget, deadline, on_scope_done
            )
    except ScanInterrupted as exc:
        _interrupted(exc, session)
    except ReadOnlyViolation:
        session.mark("failed")
        raise
    except KeyboardInterrupt:  # between discovery and the first scope
        session.mark("interrupted")
        _leave_now("relscan: interrupted before any scope was read; nothing was scanned")
    try:
        known = session.assign_services(service_config(o["tag_keys"], o["assignments"]))
        opts = options_for(known, o)
        digest = session.finish_evidence()
        if digest:
            opts.evidence_digest = digest
        if session.save():
            opts.history = session.history()
        kept = kept_scan(result, session.uid, o["store"])
        emit(session.output(fmt, opts), o["output"], kept)
        for out_fmt, path in outputs:
            emit(session.output(out_fmt, opts), path, kept)
        report_errors(result, o["quiet"])
    except KeyboardInterrupt:
        if not session.stored:
            session.mark("interrupted")
        note = f"; the scan is kept in the history store ({session.uid})" if session.stored else ""
        _leave_now(f"relscan: interrupted while writing the results{note}")
    session.close()
    leave(exit_code(result, o["fail_under"]))
