"""Deriving a unit's practice from its records (docs/practice.md defines
each value): `derive(history, settings)` gives the `Practice` (practice.py)
that effect.py applies to the verdict, and the restore and rollback helpers
the per-service block and the outputs share.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from scanner.practice import windows
from scanner.practice.practice import (
    NO_RECORDS,
    NOT_EXERCISED,
    OBSERVED,
    WINDOWED,
    Practice,
    Window,
)
from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    MANUAL,
    RELEASE,
    STOPPED,
    SUCCEEDED,
    History,
    Release,
)
from scanner.practice.settings import PracticeSettings


def derive(history: History, settings: PracticeSettings, now: datetime | None = None) -> Practice:
    """One unit's practice over the period (docs/practice.md defines each value).

    `now` is the period's end (default: `settings.period.end`, when the scan
    started). Records outside the period are not counted; rollback records
    are not releases, but give the time a rolled-back release was restored
    where the release itself does not say."""
    end = now or settings.period.end
    start = end - timedelta(days=settings.period.days)
    covered_from = max(start, history.covers_from) if history.covers_from else start
    records = sorted(
        (r for r in history.releases if start <= r.started <= end), key=lambda r: r.started
    )
    releases = [r for r in records if r.kind == RELEASE]
    p = Practice(
        status=OBSERVED,
        source=history.source,
        period_days=settings.period.days,
        period_start=start,
        period_end=end,
        covered_from=covered_from,
        kept=history.kept,
        note=history.note,
        unavailable=history.unavailable,
        error=history.error,
        left_out=dict(history.left_out),
        releases=records,
        release_count=len(releases),
        timezone=settings.timezone,
        working_hours=settings.working_hours.text,
    )
    zone = settings.zone
    for r in releases:
        local = r.started.astimezone(zone)
        p.heatmap[local.weekday()][local.hour] += 1
    weeks = (end - covered_from).total_seconds() / (7 * 86400)
    readable = history.unavailable is None and history.error is None
    p.per_week = round(len(releases) / weeks, 2) if weeks > 0 and readable else None
    p.last_release = releases[-1].started if releases else None
    p.failed = sum(1 for r in releases if r.outcome == FAILED)
    p.stopped = sum(1 for r in releases if r.outcome == STOPPED)
    p.rolled_back_automatic = sum(1 for r in releases if r.rolled_back == AUTOMATIC)
    p.rolled_back_manual = sum(1 for r in releases if r.rolled_back == MANUAL)
    decided = [r for r in releases if r.outcome in (SUCCEEDED, FAILED, STOPPED)]
    if decided:
        p.failure_rate = _rate(p.failed, len(decided))
        failures = [r for r in decided if r.outcome == FAILED or r.rolled_back is not None]
        p.change_failure_rate = _rate(len(failures), len(decided))
    if releases:
        rolled = p.rolled_back_automatic + p.rolled_back_manual
        p.rollback_rate = _rate(rolled, len(releases))
        p.automatic_rollback_rate = _rate(p.rolled_back_automatic, len(releases))
        p.manual_rollback_rate = _rate(p.rolled_back_manual, len(releases))
    restores = restore_minutes(records)
    p.time_to_restore_minutes = round(median(restores), 1) if restores else None
    starts = [r.started for r in releases]
    found, is_windowed = windows.found_window(starts, settings.timezone, settings.working_hours)
    declared: list[Window] = []
    unreadable: list[str] = []
    for d in history.declared_windows:
        try:
            declared.append(
                windows.declared_window(d, starts, settings.timezone, settings.working_hours, end)
            )
        except (ValueError, KeyError) as exc:  # a malformed time or an unknown zone
            unreadable.append(f"{d.field} ({exc})")
    outside = [w for w in declared if w.outside_working_hours]
    if outside:
        p.window, p.status = outside[0], WINDOWED
    elif found is not None:
        p.window = found
        p.status = WINDOWED if is_windowed else OBSERVED
    if p.status != WINDOWED:
        if history.unavailable is not None or history.error is not None:
            p.status = NO_RECORDS
        elif not releases:
            p.status = NOT_EXERCISED
    p.notes = _notes(p, history, found, declared)
    p.notes.extend(f"A declared release window could not be read: {what}." for what in unreadable)
    return p


def restored_at(release: Release, records: list[Release]) -> datetime | None:
    """When a rolled-back release's earlier version was back: the release's
    own `restored`, else the end of the first rollback record among
    `records` (one unit's) that started at or after it and before the next
    release."""
    if release.restored is not None:
        return release.restored
    later = [r for r in records if r.started >= release.started and r is not release]
    for r in sorted(later, key=lambda r: r.started):
        if r.kind == RELEASE:
            return None
        if r.ended is not None:
            return r.ended
    return None


def restore_minutes(records: list[Release]) -> list[float]:
    """Minutes from each rolled-back release's start to its restore, where
    known (one unit's records); a restore recorded before the start (the
    clocks of a source can disagree) gives none."""
    out = []
    for r in records:
        if r.kind == RELEASE and r.rolled_back is not None:
            restored = restored_at(r, records)
            if restored is not None and restored >= r.started:
                out.append((restored - r.started).total_seconds() / 60)
    return out


def worked_rollbacks(p: Practice) -> list[Release]:
    """The releases rolled back automatically whose earlier version was back."""
    return [
        r
        for r in p.releases
        if r.kind == RELEASE
        and r.rolled_back == AUTOMATIC
        and restored_at(r, p.releases) is not None
    ]


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4)


def _one_place(value: float | None) -> str:
    return f"{round(value or 0, 1):g}"


def _percent(rate: float) -> str:
    return f"{round(rate * 100)} %"


def _when(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local.day} {local.strftime('%B %Y')} at {local.strftime('%H:%M')} {timezone}"


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def _notes(
    p: Practice, history: History, found: Window | None, declared: list[Window]
) -> list[str]:
    """Plain sentences for the reports (docs/practice.md, "Notes")."""
    from scanner.practice import windows

    notes: list[str] = []
    days = p.period_days
    if history.unavailable is not None:
        notes.append(f"{history.source} keeps no deployment records: {history.unavailable}")
    if history.error is not None:
        notes.append(f"The deployment records could not be read: {history.error}")
    if history.unavailable is None and history.error is None:
        if p.covered_from > p.period_start:
            kept = f" ({history.source} keeps {history.kept})" if history.kept else ""
            notes.append(
                f"The records cover only the last {p.covered_days:g} of the {days} days "
                f"asked for{kept}."
            )
        if p.release_count:
            assert p.last_release is not None
            rate = _one_place(p.per_week)
            notes.append(
                f"Released {_times(p.release_count)} in {days} days ({rate} a week); "
                f"last on {_when(p.last_release, p.timezone)}."
            )
        else:
            notes.append(
                f"No release in the last {days} days: the release mechanism has not been used."
            )
    if p.failed or p.stopped:
        notes.append(f"Of these, {p.failed} failed and {p.stopped} were stopped.")
    rolled = p.rolled_back_automatic + p.rolled_back_manual
    if rolled:
        notes.append(
            f"{rolled} rolled back: {p.rolled_back_automatic} automatically, "
            f"{p.rolled_back_manual} by a person."
        )
    if p.change_failure_rate is not None and p.release_count:
        ttr = (
            f"; median time to restore {p.time_to_restore_minutes:g} minutes"
            if p.time_to_restore_minutes is not None
            else ""
        )
        notes.append(f"Change failure rate {_percent(p.change_failure_rate)}{ttr}.")
    if p.window is not None and p.status == WINDOWED:
        notes.append(f"Releases keep to a maintenance window: {p.window.text}.")
    elif found is not None and p.release_count:
        if p.release_count < windows.MIN_RELEASES:
            notes.append(
                f"Too few releases ({p.release_count}) to tell whether they keep to a window "
                f"({windows.MIN_RELEASES} are needed)."
            )
        elif not found.outside_working_hours and windows.windowed(found.inside, found.of, True):
            notes.append(
                f"Releases follow a rhythm in working hours ({found.text}): "
                "a rhythm, not a maintenance window."
            )
        else:
            notes.append(f"No maintenance window: the busiest window holds {found.text}.")
    for w in declared:
        if not w.outside_working_hours:
            notes.append(
                f"The configuration declares a release window in working hours ({w.text}), "
                "which is not a maintenance window."
            )
    if p.left_out:
        total = sum(p.left_out.values())
        why = "; ".join(f"{reason}: {n}" for reason, n in sorted(p.left_out.items()))
        notes.append(
            f"Left out {total} record{'s' if total != 1 else ''} that are not releases ({why})."
        )
    if history.note:
        notes.append(history.note)
    return notes
