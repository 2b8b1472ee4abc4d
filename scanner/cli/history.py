"""`relscan history`, `show` and `diff`: the scans kept in the store."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from click.core import ParameterSource

from scanner.cli.common import (
    check_output_path,
    emit,
    format_options,
    render_options,
    report_options,
    resolve_format,
)
from scanner.errors import EXIT_OK, EXIT_REGRESSION, UsageError
from scanner.history import diff, regressed
from scanner.model import TrendPoint
from scanner.outputs import scan_output
from scanner.outputs.history_out import (
    STATUS_TEXT,
    diff_text,
    no_releases_text,
    releases_json,
    releases_table,
    scans_json,
    scans_table,
)
from scanner.practice.settings import DEFAULT_TIMEZONE
from scanner.store import Store
from scanner.store.store import COMPLETE, ScanRow, safe_url


def _store_option(func: Any) -> Any:
    return click.option(
        "--store",
        "store",
        default=None,
        metavar="URL",
        help="History database (default: RELSCAN_STORE, else the user's).",
    )(func)


@click.command()
@_store_option
@click.option(
    "--limit",
    type=click.IntRange(1, 10000),
    default=20,
    show_default=True,
    help="Show at most this many scans, the newest first.",
)
@click.option(
    "--service",
    default=None,
    metavar="NAME",
    help="Show this service's releases kept in the store instead of the scans.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 36500),
    default=90,
    show_default=True,
    help="With --service: the releases that started in the last N days.",
)
@click.option(
    "--timezone",
    "timezone",
    default=DEFAULT_TIMEZONE,
    show_default=True,
    metavar="ZONE",
    help="With --service: show start times in this IANA time zone.",
)
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table")
def history(
    store: str | None, limit: int, service: str | None, days: int, timezone: str, fmt: str
) -> None:
    """List the scans in the store, newest first (incomplete ones included);
    with --service, that service's releases the store has kept."""
    ctx = click.get_current_context()
    given = {p: ctx.get_parameter_source(p) == ParameterSource.COMMANDLINE for p in ctx.params}
    if service is None:
        for name in ("days", "timezone"):
            if given[name]:
                raise UsageError(f"--{name} needs --service NAME (it chooses releases, not scans)")
    elif given["limit"]:
        raise UsageError("--limit counts scans; with --service, choose releases with --days")
    if service is not None:
        _releases(Store(store), service, days, _zone(timezone), fmt)
        return
    db = Store(store)
    rows = db.scans(limit=limit)
    if fmt == "json":
        click.echo(scans_json(rows))
    elif not rows:
        click.echo(f"No scans in the store {safe_url(db.url)} yet; `relscan scan` records one.")
    else:
        click.echo(scans_table(rows), nl=False)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone {name!r}: not a time zone; give an IANA name such as Europe/London"
        ) from None


def _releases(db: Store, service: str, days: int, zone: ZoneInfo, fmt: str) -> None:
    """`relscan history --service NAME`: the service's kept releases, newest first."""
    if not service.strip():
        raise UsageError("--service: give a service name")
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    found = db.releases(service=service, since=since)
    if fmt == "json":
        click.echo(releases_json(service, days, since, zone, found))
    elif not found:
        click.echo(no_releases_text(service, days, safe_url(db.url), db.release_services()))
    else:
        click.echo(releases_table(service, days, zone, found), nl=False)


def _trend(db: Store, row: ScanRow) -> list[TrendPoint]:
    rows = [
        r
        for r in db.scans(limit=200, complete_only=True, key=row.scope_key)
        if r.started <= row.started
    ][:10]
    return [TrendPoint.from_summary(r.started, r.summary or {}) for r in reversed(rows)]


@click.command()
@click.argument("scan_ref", metavar="SCAN", default="latest")
@_store_option
@format_options
@report_options
def show(
    scan_ref: str, store: str | None, fmt: str | None, output: str | None, **options: Any
) -> None:
    """Render one stored scan (id, uid prefix, or `latest`) in any output format."""
    fmt = resolve_format(fmt, output)
    check_output_path(output)
    db = Store(store)
    row = db.find(scan_ref)
    if row.status != COMPLETE:
        raise UsageError(
            f"scan {row.id} is {STATUS_TEXT.get(row.status, row.status)}: "
            "only complete scans can be shown"
        )
    result = db.load(row)
    opts = render_options(result, options)
    opts.history = _trend(db, row)
    emit(scan_output(fmt, result, opts), output)


def _pair(db: Store, a: str | None, b: str | None) -> tuple[ScanRow, ScanRow]:
    new = db.find(b) if b else db.find("latest")
    if a:
        return db.find(a), new
    earlier = [
        r
        for r in db.scans(limit=200, complete_only=True, key=new.scope_key)
        if r.id != new.id and r.started <= new.started
    ]
    if not earlier:
        raise UsageError(f"no earlier complete scan of the same scopes as scan {new.id}")
    return earlier[0], new


@click.command(name="diff")
@click.argument("older", required=False)
@click.argument("newer", required=False)
@_store_option
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table"
)
@click.option("--fail-on-regression", is_flag=True, help="Exit 5 if any level went down.")
def diff_command(
    older: str | None, newer: str | None, store: str | None, fmt: str, fail_on_regression: bool
) -> None:
    """What changed between two scans (default: the last two of the same scopes)."""
    db = Store(store)
    a, b = _pair(db, older, newer)
    changes = diff(db.load(a), db.load(b))
    click.echo(diff_text(a.id, b.id, changes, fmt), nl=False)
    raise click.exceptions.Exit(
        EXIT_REGRESSION if fail_on_regression and regressed(changes) else EXIT_OK
    )
