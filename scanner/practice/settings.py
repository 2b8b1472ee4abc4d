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


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_working_hours(text: str) -> WorkingHours:
    """`Mon-Fri 08:00-18:00` (days: a range, wrapping past Sunday, or a
    comma-separated list, `Sun-Thu`, `Mon,Wed,Fri`; hours HH:MM-HH:MM, 24:00
    for midnight at the end, an end before the start running past midnight).
    A ValueError says what is wrong, in one line."""
    parts = text.replace("–", "-").split()
    if len(parts) != 2:
        raise ValueError(f"expected days and hours like {DEFAULT_WORKING_HOURS!r}")
    days_text, hours_text = parts
    days: set[int] = set()
    for item in days_text.lower().split(","):
        ends = item.split("-")
        if len(ends) > 2 or any(e not in _DAYS and e not in _FULL for e in ends):
            raise ValueError(f"unknown days {item!r} (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")
        first, last = _DAYS.index(ends[0][:3]), _DAYS.index(ends[-1][:3])
        days.update((first + i) % 7 for i in range((last - first) % 7 + 1))
    hours = hours_text.split("-")
    if len(hours) != 2:
        raise ValueError(f"hours {hours_text!r}: expected HH:MM-HH:MM")
    start, end = (_clock(h, hours_text) for h in hours)
    if start == end and hours[1] != "24:00":
        raise ValueError(f"hours {hours_text!r}: the start and end are the same")
    return WorkingHours(frozenset(days), start, end, text)


def _clock(value: str, whole: str) -> time:
    if value == "24:00":
        return time(0, 0)
    try:
        if len(value) != 5:
            raise ValueError
        return time.fromisoformat(value)
    except ValueError:
        raise ValueError(f"hours {whole!r}: {value!r} is not a time HH:MM") from None


def check_timezone(name: str) -> str:
    """The IANA time zone name, or a ValueError in one line."""
    from zoneinfo import ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name, e.g. Europe/London)") from None
    return name


def settings_record(settings: PracticeSettings) -> dict[str, Any]:
    """The settings as an evidence bundle's manifest keeps them, so that
    `assess` derives the same practice from the recorded records."""
    return {
        "history_days": settings.period.days,
        "history_end": settings.period.end.isoformat(),
        "timezone": settings.timezone,
        "working_hours": settings.working_hours.text,
    }


def settings_from_record(data: dict[str, Any]) -> PracticeSettings:
    """The settings a manifest recorded (settings_record); a ValueError when
    they are malformed."""
    try:
        end = datetime.fromisoformat(str(data["history_end"]))
        days = int(data["history_days"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"practice settings are malformed ({exc})") from None
    timezone = check_timezone(str(data.get("timezone") or DEFAULT_TIMEZONE))
    hours = parse_working_hours(str(data.get("working_hours") or DEFAULT_WORKING_HOURS))
    return PracticeSettings(Period(days, end), timezone, hours)
