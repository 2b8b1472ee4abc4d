"""A unit's practice: what its records say, derived by the core.

`derive(history, settings)` (derive.py) turns a provider's `History` into a
`Practice` (counts, rates, when releases start, the maintenance window);
effect.py applies it to the verdict. Every output reads `Assessment.practice` (this
dataclass) or its `as_dict()` form, which is the JSON `practice` block
(docs/practice.md documents each key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from scanner.practice.records import (
    Release,
    _iso,
    _parse,
)
from scanner.practice.settings import DEFAULT_WORKING_HOURS

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
