"""The period a scan reads records for, and the organisation's clock.

`--history DAYS` (or `history_days` in relscan.toml) asks for records; the
period ends when the scan started (`history_end`, recorded in evidence
bundles so that `assess` derives the same practice). `--timezone` and
`--working-hours` say when the organisation's working week is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_WORKING_HOURS = "Mon-Fri 08:00-18:00"


@dataclass(frozen=True)
class Period:
    """The days asked for, ending at `end` (timezone-aware, UTC)."""

    days: int
    end: datetime

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=self.days)


@dataclass(frozen=True)
class WorkingHours:
    """The working week: days (0 Monday .. 6 Sunday) and local hours."""

    days: frozenset[int] = frozenset(range(5))
    start: time = time(8, 0)
    end: time = time(18, 0)
    text: str = DEFAULT_WORKING_HOURS


@dataclass(frozen=True)
class PracticeSettings:
    period: Period
    timezone: str = DEFAULT_TIMEZONE
    working_hours: WorkingHours = field(default_factory=WorkingHours)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def period_of(options: dict[str, Any]) -> Period | None:
    """The period a provider reads records for, from its options: None
    unless the user asked for history (`history_days`)."""
    days = options.get("history_days")
    end = options.get("history_end")
    if not days or end is None:
        return None
    return Period(int(days), end)
