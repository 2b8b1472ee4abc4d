"""`--history DAYS`, `--timezone` and `--working-hours` on scan and check
(docs/practice.md): the period whose deployment records each provider reads,
and the organisation's clock the records are read against."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from scanner.errors import UsageError
from scanner.practice.settings import (
    DEFAULT_TIMEZONE,
    DEFAULT_WORKING_HOURS,
    Period,
    PracticeSettings,
    check_timezone,
    parse_working_hours,
)

MAX_DAYS = 3650


def _timezone(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return check_timezone(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _working_hours(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parse_working_hours(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def history_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--history, --timezone and --working-hours."""
    func = click.option(
        "--working-hours",
        "working_hours",
        default=None,
        callback=_working_hours,
        metavar="DAYS HH:MM-HH:MM",
        help=f"The organisation's working week (default: {DEFAULT_WORKING_HOURS!r}); "
        "a window of releases in it is not a maintenance window.",
    )(func)
    func = click.option(
        "--timezone",
        "timezone",
        default=None,
        callback=_timezone,
        metavar="ZONE",
        help=f"The organisation's time zone, an IANA name (default: {DEFAULT_TIMEZONE}): "
        "when releases happen is read in its wall-clock time.",
    )(func)
    return click.option(
        "--history",
        "history_days",
        type=click.IntRange(1, MAX_DAYS),
        default=None,
        metavar="DAYS",
        help="Also read each unit's deployment records of the last DAYS days: how releases "
        "actually happen (maintenance windows cap a level at 2). Default: off.",
    )(func)


def practice_settings(o: dict[str, Any], started: datetime) -> PracticeSettings | None:
    """The scan's practice settings from its merged options (command line,
    else relscan.toml), the period ending when the scan started; None
    without --history. A bad time zone or working week from the file is a
    one-line usage error, as on the command line."""
    timezone = o.get("timezone") or DEFAULT_TIMEZONE
    hours = o.get("working_hours") or DEFAULT_WORKING_HOURS
    try:
        check_timezone(timezone)
    except ValueError as exc:
        raise UsageError(f"--timezone: {exc}") from None
    try:
        working = parse_working_hours(hours)
    except ValueError as exc:
        raise UsageError(f"--working-hours {hours!r}: {exc}") from None
    days = o.get("history_days")
    if not days:
        return None
    return PracticeSettings(Period(int(days), started), timezone, working)


def with_history(options: dict[str, Any], settings: PracticeSettings | None) -> dict[str, Any]:
    """A provider's options with `history_days` and `history_end` (what
    `scanner.practice.settings.period_of` reads), or without them."""
    out = dict(options)
    out["history_days"] = settings.period.days if settings else None
    out["history_end"] = settings.period.end if settings else None
    return out
