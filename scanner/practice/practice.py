"""A unit's practice: what its records say, derived by the core.

`derive(history, settings)` turns a provider's `History` into a `Practice`
(counts, rates, when releases start, the maintenance window); effect.py
applies it to the verdict. Every output reads `Assessment.practice` (this
dataclass) or its `as_dict()` form, which is the JSON `practice` block
(docs/practice.md documents each key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    MANUAL,
    RELEASE,
    STOPPED,
    SUCCEEDED,
    History,
    Release,
    _iso,
    _parse,
)
from scanner.practice.settings import DEFAULT_WORKING_HOURS, PracticeSettings

# A unit's practice status, one of:
OBSERVED = "observed"  # releases in the period, no window
WINDOWED = "windowed"  # releases keep to a maintenance window (found or declared)
NOT_EXERCISED = "not_exercised"  # records read, no release in the period
NO_RECORDS = "no_records"  # the source keeps none (`unavailable`) or they could not be read
STATUSES = (OBSERVED, WINDOWED, NOT_EXERCISED, NO_RECORDS)


@dataclass(frozen=True)
class Window:
    """A release window: found in the start times, or declared by the configuration.

    `kind` is "weekly" (`day` 0 Monday .. 6 Sunday) or "daily" (`day` None);
    it opens at `start` local time in `timezone` and lasts `minutes` (at most
    240), wrapping past midnight (and from Sunday into Monday). `inside` of
    `of` releases in the period started in it. `text` reads like "Sundays
    02:00–06:00 Europe/London, 11 of 12 releases"."""

    kind: str
    day: int | None
    start: str  # "HH:MM"
    minutes: int
    timezone: str
    inside: int
    of: int
    outside_working_hours: bool
    declared: bool
    text: str
    field: str | None = None  # the declaring API field, for a declared window
    days: tuple[int, ...] | None = None  # a declared window's days (0 Monday), when declared

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "day": self.day,
            "start": self.start,
            "minutes": self.minutes,
            "timezone": self.timezone,
            "inside": self.inside,
            "of": self.of,
            "outside_working_hours": self.outside_working_hours,
            "declared": self.declared,
            "text": self.text,
            "field": self.field,
            "days": list(self.days) if self.days is not None else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Window:
        values = {k: d.get(k) for k in cls.__dataclass_fields__}
        if values["days"] is not None:
            values["days"] = tuple(values["days"])
        return cls(**values)  # type: ignore[arg-type]


@dataclass
class Practice:
    """What one unit's records say about the period (see the module's docstring).

    Rates are None where nothing could be counted (no release, or no
    outcome recorded). `heatmap[day][hour]` counts release starts in local
    time (0 Monday). `configured_level` is the level the configuration gave
    before any cap; `capped` says the unit's level was lowered to 2 by its
    window; `confirmed` that a level-5 unit's automatic rollbacks worked;
    `agrees` that a snapshot verdict is borne out by releases in the
    period. `notes` are the sentences the reports print."""

    status: str
    source: str
    period_days: int
    period_start: datetime
    period_end: datetime
    covered_from: datetime  # the later of the period's start and the records' retention
    kept: str = ""
    note: str = ""
    unavailable: str | None = None
    error: str | None = None
    left_out: dict[str, int] = field(default_factory=dict)
    releases: list[Release] = field(default_factory=list)
    release_count: int = 0
    per_week: float | None = None
    last_release: datetime | None = None
    failed: int = 0
    stopped: int = 0
    rolled_back_automatic: int = 0
    rolled_back_manual: int = 0
    failure_rate: float | None = None
    rollback_rate: float | None = None
    automatic_rollback_rate: float | None = None
    manual_rollback_rate: float | None = None
    change_failure_rate: float | None = None
    time_to_restore_minutes: float | None = None  # the median, where records allow
    heatmap: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    timezone: str = "Europe/London"
    working_hours: str = DEFAULT_WORKING_HOURS  # as given to --working-hours
    window: Window | None = None
    configured_level: int | None = None
    capped: bool = False
    confirmed: bool = False
    agrees: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def covered_days(self) -> float:
        return round((self.period_end - self.covered_from).total_seconds() / 86400, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "source": self.source,
            "period": {
                "days": self.period_days,
                "start": _iso(self.period_start),
                "end": _iso(self.period_end),
                "covered_from": _iso(self.covered_from),
                "covered_days": self.covered_days,
            },
            "kept": self.kept,
            "note": self.note,
            "unavailable": self.unavailable,
            "error": self.error,
            "left_out": dict(self.left_out),
            "release_count": self.release_count,
            "per_week": self.per_week,
            "last_release": _iso(self.last_release),
            "failed": self.failed,
            "stopped": self.stopped,
            "rolled_back": {
                "automatic": self.rolled_back_automatic,
                "manual": self.rolled_back_manual,
            },
            "failure_rate": self.failure_rate,
            "rollback_rate": self.rollback_rate,
            "automatic_rollback_rate": self.automatic_rollback_rate,
            "manual_rollback_rate": self.manual_rollback_rate,
            "change_failure_rate": self.change_failure_rate,
            "time_to_restore_minutes": self.time_to_restore_minutes,
            "timezone": self.timezone,
            "working_hours": self.working_hours,
            "heatmap": [list(row) for row in self.heatmap],
            "window": self.window.as_dict() if self.window else None,
            "configured_level": self.configured_level,
            "capped": self.capped,
            "confirmed": self.confirmed,
            "agrees": self.agrees,
            "notes": list(self.notes),
            "releases": [r.as_dict() for r in self.releases],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Practice:
        period = d["period"]
        rolled = d.get("rolled_back") or {}
        return cls(
            status=d["status"],
            source=d["source"],
            period_days=period["days"],
            period_start=_parse(period["start"]),  # type: ignore[arg-type]
            period_end=_parse(period["end"]),  # type: ignore[arg-type]
            covered_from=_parse(period["covered_from"]),  # type: ignore[arg-type]
            kept=d.get("kept") or "",
            note=d.get("note") or "",
            unavailable=d.get("unavailable"),
            error=d.get("error"),
            left_out=dict(d.get("left_out") or {}),
            releases=[Release.from_dict(r) for r in d.get("releases") or []],
            release_count=d.get("release_count") or 0,
            per_week=d.get("per_week"),
            last_release=_parse(d.get("last_release")),
            failed=d.get("failed") or 0,
            stopped=d.get("stopped") or 0,
            rolled_back_automatic=rolled.get("automatic") or 0,
            rolled_back_manual=rolled.get("manual") or 0,
            failure_rate=d.get("failure_rate"),
            rollback_rate=d.get("rollback_rate"),
            automatic_rollback_rate=d.get("automatic_rollback_rate"),
            manual_rollback_rate=d.get("manual_rollback_rate"),
            change_failure_rate=d.get("change_failure_rate"),
            time_to_restore_minutes=d.get("time_to_restore_minutes"),
            timezone=d.get("timezone") or "Europe/London",
            working_hours=d.get("working_hours") or DEFAULT_WORKING_HOURS,
            heatmap=[list(row) for row in d.get("heatmap") or [[0] * 24 for _ in range(7)]],
            window=Window.from_dict(d["window"]) if d.get("window") else None,
            configured_level=d.get("configured_level"),
            capped=bool(d.get("capped")),
            confirmed=bool(d.get("confirmed")),
            agrees=bool(d.get("agrees")),
            notes=list(d.get("notes") or []),
        )


def derive(history: History, settings: PracticeSettings, now: datetime | None = None) -> Practice:
    """One unit's practice over the period (docs/practice.md defines each value).

    `now` is the period's end (default: `settings.period.end`, when the scan
    started). Records outside the period are not counted; rollback records
    are not releases, but give the time a rolled-back release was restored
    where the release itself does not say."""
    from scanner.practice import windows

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
