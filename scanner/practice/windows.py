"""Maintenance-window detection, defined so that anyone can recompute it
(docs/practice.md, "Maintenance windows").

Every release start is read as local wall-clock time in the organisation's
time zone (a window is fixed in local time across clock changes), as a
minute of the week (0 = Monday 00:00). Candidate windows start on a quarter
hour and last 15, 30, ... 240 minutes; a weekly window is one day of the week
(wrapping past midnight, and from Sunday into Monday), a daily window the
same hours every day. The best window holds the most start times; ties go to
the shortest, then to a weekly window before a daily one (the narrower
claim: the same hours on one day, not seven), then to the earliest start
(Monday 00:00 first; for daily windows 00:00 first).

A unit is windowed when at least `MIN_RELEASES` releases fall in the period,
at least `SHARE` of them start inside the best window, and that window lies
wholly outside working hours. A regular cadence in working hours (every
Monday at 09:00) is a rhythm, not a window.

Only the candidates that open on the quarter hour of a release start can be
best (see `best_window`), so a unit with n releases costs about 2 × n × 16
bisections in its sorted start times, not 12,288 candidates × n releases.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from scanner.practice.practice import Window
from scanner.practice.records import DeclaredWindow
from scanner.practice.settings import WorkingHours

MIN_RELEASES = 5
SHARE = 0.8
STEP = 15  # candidate windows start on the quarter hour, and grow in quarter hours
LONGEST = 240  # minutes
DAY = 1440
WEEK = 7 * DAY
WEEKLY = "weekly"
DAILY = "daily"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def minute_of_week(moment: datetime, zone: ZoneInfo) -> int:
    """The local wall-clock minute of the week of an aware moment (0: Monday 00:00)."""
    local = moment.astimezone(zone)
    return local.weekday() * DAY + local.hour * 60 + local.minute


@dataclass(frozen=True)
class Candidate:
    """A candidate window and the start times it holds."""

    kind: str  # WEEKLY | DAILY
    start: int  # minute of the week (weekly) or of the day (daily)
    minutes: int
    count: int

    def minutes_of_week(self) -> Iterable[int]:
        """Every minute of the week the window covers (daily: on all seven days)."""
        starts = [self.start] if self.kind == WEEKLY else [d * DAY + self.start for d in range(7)]
        for first in starts:
            for m in range(first, first + self.minutes):
                yield m % WEEK


def best_window(minutes: Sequence[int]) -> Candidate | None:
    """The candidate holding the most of `minutes` (minutes of the week), ties
    to the shortest, then weekly before daily, then the earliest. None when
    there is nothing to hold.

    Only candidates that open on the quarter hour of a start are tried: at
    the shortest length holding the most, a window that opened a quarter
    earlier than its first start would hold the same starts in 15 minutes
    less, so every best window opens on the quarter hour of its first start.
    Counting is two bisections in the sorted starts (repeated one period on,
    for windows that wrap)."""
    if not minutes:
        return None
    best: tuple[int, int, int, int] | None = None  # (-count, minutes, kind order, start)
    for order, period in ((0, WEEK), (1, DAY)):
        values = sorted(m % period for m in minutes)
        wrapped = values + [v + period for v in values]
        for start in sorted({v - v % STEP for v in values}):
            first = bisect_left(wrapped, start)
            for length in range(STEP, LONGEST + 1, STEP):
                count = bisect_left(wrapped, start + length, first) - first
                key = (-count, length, order, start)
                if best is None or key < best:
                    best = key
    assert best is not None
    count, length, order, start = -best[0], best[1], best[2], best[3]
    return Candidate(WEEKLY if order == 0 else DAILY, start, length, count)


@lru_cache(maxsize=8)
def working_minutes(hours: WorkingHours) -> list[bool]:
    """Each minute of the week: inside working hours or not. Hours whose end
    is not after their start run past midnight into the next day."""
    start = hours.start.hour * 60 + hours.start.minute
    end = hours.end.hour * 60 + hours.end.minute
    length = end - start if end > start else end + DAY - start
    inside = [False] * WEEK
    for d in hours.days:
        for m in range(d * DAY + start, d * DAY + start + length):
            inside[m % WEEK] = True
    return inside


def outside_working_hours(candidate: Candidate, hours: WorkingHours) -> bool:
    """Whether the window lies wholly outside working hours."""
    inside = working_minutes(hours)
    return not any(inside[m] for m in candidate.minutes_of_week())


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def describe(kind: str, start: int, minutes: int, timezone: str) -> str:
    """ "Sundays 02:00–06:00 Europe/London"; across midnight "Sundays
    23:00–Mondays 01:00"; a daily window "Daily 02:00–06:00"."""
    of_day = start % DAY
    end = of_day + minutes
    if kind == DAILY:
        return f"Daily {clock(of_day)}–{clock(end % DAY if end > DAY else end)} {timezone}"
    day = start // DAY
    first = f"{DAY_NAMES[day]}s {clock(of_day)}"
    if end <= DAY:
        return f"{first}–{clock(end)} {timezone}"
    return f"{first}–{DAY_NAMES[(day + 1) % 7]}s {clock(end - DAY)} {timezone}"


def releases_text(inside: int, of: int) -> str:
    return f"{inside} of {of} release{'s' if of != 1 else ''}"


def found_window(
    starts: Sequence[datetime], timezone: str, hours: WorkingHours
) -> tuple[Window | None, bool]:
    """The best window over the releases' start times, and whether it makes
    the unit windowed (enough releases, enough of them inside, outside
    working hours). None when there are no start times."""
    zone = ZoneInfo(timezone)
    minutes = [minute_of_week(s, zone) for s in starts]
    candidate = best_window(minutes)
    if candidate is None:
        return None, False
    outside = outside_working_hours(candidate, hours)
    of = len(minutes)
    text = f"{describe(candidate.kind, candidate.start, candidate.minutes, timezone)}, "
    window = Window(
        kind=candidate.kind,
        day=candidate.start // DAY if candidate.kind == WEEKLY else None,
        start=clock(candidate.start % DAY),
        minutes=candidate.minutes,
        timezone=timezone,
        inside=candidate.count,
        of=of,
        outside_working_hours=outside,
        declared=False,
        text=text + releases_text(candidate.count, of),
    )
    return window, windowed(candidate.count, of, outside)


def windowed(inside: int, of: int, outside: bool) -> bool:
    """The rule: at least MIN_RELEASES releases, at least SHARE of them inside,
    and the window wholly outside working hours (integer arithmetic: 80 % of
    12 is 9.6, so 10 are needed)."""
    return of >= MIN_RELEASES and inside * 10 >= of * round(SHARE * 10) and outside


def declared_window(
    declared: DeclaredWindow,
    starts: Sequence[datetime],
    timezone: str,
    hours: WorkingHours,
    on: datetime,
) -> Window:
    """A window the configuration declares, as a Window: read in its own time
    zone, and checked against working hours in the organisation's (taking the
    offsets between the two zones in the week of `on`, the period's end).
    `inside` counts the releases that started in it."""
    zone = ZoneInfo(declared.timezone)
    org = ZoneInfo(timezone)
    start = time.fromisoformat(declared.start)
    end = time.fromisoformat(declared.end)
    first = start.hour * 60 + start.minute
    last = end.hour * 60 + end.minute
    length = last - first if last > first else last + DAY - first
    days = sorted(set(declared.days))
    own = [False] * WEEK  # the declared minutes, in the declaring zone
    for d in days:
        for m in range(d * DAY + first, d * DAY + first + length):
            own[m % WEEK] = True
    inside = sum(1 for s in starts if own[minute_of_week(s, zone)])
    working = working_minutes(hours)
    monday = (on.astimezone(zone) - timedelta(days=on.astimezone(zone).weekday())).date()
    outside = True
    for d in days:
        opens = datetime.combine(monday + timedelta(days=d), start, tzinfo=zone)
        if any(working[minute_of_week(opens + timedelta(minutes=m), org)] for m in range(length)):
            outside = False
    named = _days_text(days)
    tail = f"{declared.end}" if last > first else f"{declared.end} the next day"
    text = (
        f"{named} {declared.start}–{tail} {declared.timezone} (declared in {declared.field}), "
        f"{releases_text(inside, len(starts))}"
    )
    return Window(
        kind=DAILY if len(days) == 7 else WEEKLY,
        day=days[0] if len(days) == 1 else None,
        start=declared.start,
        minutes=length,
        timezone=declared.timezone,
        inside=inside,
        of=len(starts),
        outside_working_hours=outside,
        declared=True,
        text=text,
        field=declared.field,
        days=tuple(days),
    )


def _days_text(days: list[int]) -> str:
    if len(days) == 7:
        return "Daily"
    if days == [0, 1, 2, 3, 4]:
        return "Weekdays"
    names = [f"{DAY_NAMES[d]}s" for d in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
