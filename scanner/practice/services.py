"""A service's practice: its units' records taken together (docs/practice.md,
"Per service").

`service_practice(units)` is the JSON `practice` block of a service, which
every output that shows services reads: the releases of all its units,
releases per week (the sum of the units' rates, each over the days its own
records cover), the last release, failure, rollback and change failure rates
over the merged releases, the median time to restore, the merged heat map,
the maintenance window over all the service's start times (the same rule as
a unit's), and which units were capped, confirmed, not exercised or without
records. None when no unit of the service has practice (no --history).
"""

from __future__ import annotations

from collections.abc import Iterable
from statistics import median
from typing import Any

from scanner.model import Assessment
from scanner.practice import windows
from scanner.practice.derive import restore_minutes
from scanner.practice.practice import NO_RECORDS, NOT_EXERCISED, STATUSES, Practice
from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    MANUAL,
    RELEASE,
    STOPPED,
    SUCCEEDED,
    _iso,
)
from scanner.practice.settings import parse_working_hours


def service_practice(units: Iterable[Assessment]) -> dict[str, Any] | None:
    """The per-service practice block (the module's docstring); None when no
    unit carries practice."""
    with_practice = [(u, u.practice) for u in units if u.practice is not None]
    if not with_practice:
        return None
    first: Practice = with_practice[0][1]
    releases = sorted(
        (r for _, p in with_practice for r in p.releases if r.kind == RELEASE),
        key=lambda r: r.started,
    )
    decided = [r for r in releases if r.outcome in (SUCCEEDED, FAILED, STOPPED)]
    failed = sum(1 for r in releases if r.outcome == FAILED)
    automatic = sum(1 for r in releases if r.rolled_back == AUTOMATIC)
    manual = sum(1 for r in releases if r.rolled_back == MANUAL)
    restores = [m for _, p in with_practice for m in restore_minutes(p.releases)]
    heatmap = [[0] * 24 for _ in range(7)]
    for _, p in with_practice:
        for day, row in enumerate(p.heatmap):
            for hour, n in enumerate(row):
                heatmap[day][hour] += n
    window, is_windowed = windows.found_window(
        [r.started for r in releases], first.timezone, parse_working_hours(first.working_hours)
    )
    statuses = {s: 0 for s in STATUSES}
    for _, p in with_practice:
        statuses[p.status] += 1
    rates = [p.per_week for _, p in with_practice if p.per_week is not None]
    return {
        "units": len(with_practice),
        "statuses": statuses,
        "release_count": len(releases),
        "per_week": round(sum(rates), 2) if rates else None,
        "last_release": _iso(releases[-1].started) if releases else None,
        "failed": failed,
        "stopped": sum(1 for r in releases if r.outcome == STOPPED),
        "rolled_back": {"automatic": automatic, "manual": manual},
        "failure_rate": round(failed / len(decided), 4) if decided else None,
        "rollback_rate": round((automatic + manual) / len(releases), 4) if releases else None,
        "change_failure_rate": (
            round(sum(1 for r in decided if r.outcome == FAILED or r.rolled_back) / len(decided), 4)
            if decided
            else None
        ),
        "time_to_restore_minutes": round(median(restores), 1) if restores else None,
        "timezone": first.timezone,
        "working_hours": first.working_hours,
        "heatmap": heatmap,
        "window": window.as_dict() if window else None,
        "windowed": is_windowed,
        "capped": sorted(u.id for u, p in with_practice if p.capped),
        "confirmed": sorted(u.id for u, p in with_practice if p.confirmed),
        "not_exercised": sorted(u.id for u, p in with_practice if p.status == NOT_EXERCISED),
        "no_records": sorted(u.id for u, p in with_practice if p.status == NO_RECORDS),
    }
