"""Maintenance-window detection (docs/practice.md, "Maintenance windows"):
property tests against a brute-force reading of the definition, time zones
and clock changes, windows across midnight and from Sunday into Monday,
daily windows, too few releases, the 80 % share just met and just missed,
ties, a cadence in working hours, and records that are not releases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scanner.practice.derive import derive
from scanner.practice.practice import NOT_EXERCISED, OBSERVED, WINDOWED
from scanner.practice.records import ROLLBACK, DeclaredWindow, History, Release
from scanner.practice.settings import Period, PracticeSettings, parse_working_hours
from scanner.practice.windows import (
    DAY,
    WEEK,
    best_window,
    found_window,
    minute_of_week,
)

NOW = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)  # a Sunday afternoon
TODAY = NOW.date()
OFFICE = parse_working_hours("Mon-Fri 08:00-18:00")
ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Pacific/Chatham")


def brute(minutes: list[int]) -> tuple[int, int, int, int]:
    """The definition read literally: every candidate against every start,
    as (count, minutes, weekly 0 / daily 1, start); the best is the highest
    count, then the shortest, weekly before daily, then the earliest."""
    best = None
    for order, period in ((0, WEEK), (1, DAY)):
        for start in range(0, period, 15):
            for length in range(15, 241, 15):
                count = sum(1 for m in minutes if (m % period - start) % period < length)
                key = (-count, length, order, start)
                best = key if best is None or key < best else best
    assert best is not None
    return (-best[0], best[1], best[2], best[3])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, WEEK - 1), min_size=1, max_size=12))
def test_the_best_window_is_the_definitions(minutes):
    found = best_window(minutes)
    assert found is not None
    count, length, order, start = brute(minutes)
    assert (found.count, found.minutes, found.kind, found.start) == (
        count,
        length,
        "weekly" if order == 0 else "daily",
        start,
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.sampled_from([0, 90, 120, 1425, 1439]), st.integers(0, 20)),
        min_size=1,
        max_size=12,
    )
)
def test_clustered_starts_ties_and_wraps_are_the_definitions(parts):
    """Starts bunched near a few times of day on several days: daily windows,
    windows across midnight and Sunday into Monday, and ties."""
    minutes = [(d * DAY + base + jitter) % WEEK for d, base, jitter in parts]
    found = best_window(minutes)
    assert found is not None
    count, length, order, start = brute(minutes)
    assert (found.count, found.minutes, found.kind, found.start) == (
        count,
        length,
        "weekly" if order == 0 else "daily",
        start,
    )


def local(zone: str, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def release(started: datetime, n: int, **kw) -> Release:
    return Release("test:deployment", f"d{n}", started, started + timedelta(minutes=10), **kw)


def practice_of(starts: list[datetime], zone: str = "Europe/London", days: int = 365, **kw):
    history = History("test deployments", [release(s, i) for i, s in enumerate(starts)], **kw)
    return derive(history, PracticeSettings(Period(days, NOW), zone, OFFICE))


def weekly(zone: str, weekday: int, at: time, count: int, end: date = TODAY) -> list[datetime]:
    """`count` weeks of releases on `weekday` at local `at`, going back from `end`."""
    day = end - timedelta(days=(end.weekday() - weekday) % 7 + 7)
    return [local(zone, day - timedelta(weeks=w), at) for w in range(count)]


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    weekday=st.integers(5, 6),  # Saturday, Sunday: outside the office week
    quarter=st.integers(0, 95),
    count=st.integers(5, 30),
)
def test_a_weekly_rhythm_outside_working_hours_is_a_window_in_any_zone(
    zone, weekday, quarter, count
):
    at = time(quarter // 4, quarter % 4 * 15)
    starts = weekly(zone, weekday, at, count)
    # a local time the clock skipped (a spring-forward gap) is not a wall-clock time
    assume(all(s.astimezone(ZoneInfo(zone)).time() == at for s in starts))
    p = practice_of(starts, zone)
    assert p.status == WINDOWED
    assert p.window is not None
    assert (p.window.kind, p.window.day, p.window.start, p.window.minutes) == (
        "weekly",
        weekday,
        at.strftime("%H:%M"),
        15,
    )
    assert (p.window.inside, p.window.of) == (count, count)


def test_clock_changes_keep_a_window_in_local_time():
    # Sundays 01:30 London from August to December 2026: the clocks went back
    # on 25 October, so the UTC start moves from 00:30 to 01:30.
    starts = weekly("Europe/London", 6, time(1, 30), 18)
    assert {s.hour for s in starts} == {0, 1}  # UTC: two different hours
    p = practice_of(starts)
    assert p.status == WINDOWED
    assert p.window is not None and p.window.text == (
        "Sundays 01:30–01:45 Europe/London, 18 of 18 releases"
    )
    # read in UTC instead, the same releases are a two-hour spread
    assert practice_of(starts, "UTC").window.minutes == 75  # type: ignore[union-attr]


def test_march_clock_change_in_london():
    # Sundays 03:00 London from February to May 2026 (clocks forward 29 March)
    starts = weekly("Europe/London", 6, time(3, 0), 14, end=date(2026, 5, 20))
    assert {s.hour for s in starts} == {2, 3}
    p = derive(
        History("t", [release(s, i) for i, s in enumerate(starts)]),
        PracticeSettings(Period(120, datetime(2026, 5, 20, tzinfo=UTC)), "Europe/London", OFFICE),
    )
    assert p.window is not None and p.window.text.startswith("Sundays 03:00–03:15")
    assert p.status == WINDOWED


def test_a_window_from_sunday_night_into_monday():
    sundays = weekly("Europe/London", 6, time(23, 30), 6)
    mondays = [s + timedelta(minutes=45) for s in sundays]  # Monday 00:15
    p = practice_of(sundays + mondays)
    assert p.window is not None
    assert (p.window.kind, p.window.day, p.window.start, p.window.minutes) == (
        "weekly",
        6,
        "23:30",
        60,
    )
    assert p.window.text == "Sundays 23:30–Mondays 00:30 Europe/London, 12 of 12 releases"
    assert p.status == WINDOWED


def test_a_daily_window_across_midnight():
    days = [NOW.date() - timedelta(days=n) for n in range(1, 15)]
    starts = [local("Europe/London", d, time(23, 50) if n % 2 else time(0, 5)) for n, d in
              enumerate(days)]  # fmt: skip
    p = practice_of(starts)
    assert p.window is not None
    assert (p.window.kind, p.window.day, p.window.start, p.window.minutes) == (
        "daily",
        None,
        "23:45",
        30,
    )
    assert p.window.text == "Daily 23:45–00:15 Europe/London, 14 of 14 releases"
    assert p.status == WINDOWED  # every night, outside Mon–Fri 08:00–18:00


def test_four_releases_are_too_few_five_are_enough():
    four = practice_of(weekly("Europe/London", 6, time(2, 30), 4))
    assert four.status == OBSERVED
    assert "Too few releases (4) to tell whether they keep to a window (5 are needed)." in (
        four.notes
    )
    assert practice_of(weekly("Europe/London", 6, time(2, 30), 5)).status == WINDOWED


def _share(inside: int, outside: int):
    window = weekly("Europe/London", 6, time(2, 30), inside)
    elsewhere = weekly("Europe/London", 2, time(11, 0), outside)  # Wednesdays, in the office
    return practice_of(window + elsewhere)


def test_eighty_percent_just_met_and_just_missed():
    met = _share(8, 2)  # 80 %
    assert met.status == WINDOWED and met.window is not None
    assert met.window.text == "Sundays 02:30–02:45 Europe/London, 8 of 10 releases"
    assert _share(4, 1).status == WINDOWED  # 80 % of the minimum five
    missed = _share(7, 2)  # 77.8 %
    assert missed.status == OBSERVED
    assert missed.window is not None and (missed.window.inside, missed.window.of) == (7, 9)
    assert (
        "No maintenance window: the busiest window holds Sundays 02:30–02:45" in (missed.notes[-1])
    )


def test_ties_go_to_the_shortest_then_weekly_then_the_earliest():
    thursday = weekly("Europe/London", 3, time(20, 0), 2)
    monday = weekly("Europe/London", 0, time(3, 0), 2)
    window, _ = found_window(thursday + monday, "Europe/London", OFFICE)
    # 15 minutes hold two on Monday 03:00, on Thursday 20:00, and daily at
    # either time: the weekly one that opens first in the week wins
    assert window is not None and window.text == (
        "Mondays 03:00–03:15 Europe/London, 2 of 4 releases"
    )
    # the shortest: 02:00 and 02:20 are held by 30 minutes, not 45 or more
    two = weekly("Europe/London", 6, time(2, 0), 3) + weekly("Europe/London", 6, time(2, 20), 3)
    window, _ = found_window(two, "Europe/London", OFFICE)
    assert window is not None and (window.start, window.minutes) == ("02:00", 30)


def test_a_monday_morning_cadence_is_not_a_window():
    p = practice_of(weekly("Europe/London", 0, time(9, 0), 12))
    assert p.status == OBSERVED
    assert p.window is not None and p.window.text.startswith("Mondays 09:00–09:15")
    assert not p.window.outside_working_hours
    assert (
        "Releases follow a rhythm in working hours (Mondays 09:00–09:15 Europe/London, "
        "12 of 12 releases): a rhythm, not a maintenance window."
    ) in p.notes
    # the same rhythm at 07:30 ends before the office opens: a window
    assert practice_of(weekly("Europe/London", 0, time(7, 30), 12)).status == WINDOWED
    # and at 07:50 the shortest window (07:45–08:00) still ends as it opens
    assert practice_of(weekly("Europe/London", 0, time(7, 50), 12)).status == WINDOWED


def test_working_hours_are_the_users():
    starts = weekly("Europe/London", 0, time(9, 0), 12)
    night_shift = parse_working_hours("Mon-Fri 20:00-04:00")
    p = derive(
        History("t", [release(s, i) for i, s in enumerate(starts)]),
        PracticeSettings(Period(365, NOW), "Europe/London", night_shift),
    )
    assert p.status == WINDOWED and p.working_hours == "Mon-Fri 20:00-04:00"


def test_records_that_are_not_releases_are_not_counted():
    window = weekly("Europe/London", 6, time(2, 30), 5)
    rollbacks = weekly("Europe/London", 2, time(14, 0), 5)
    too_old = local("Europe/London", NOW.date() - timedelta(days=400), time(14, 0))
    records = [release(s, i) for i, s in enumerate(window)]
    records += [release(s, 10 + i, kind=ROLLBACK) for i, s in enumerate(rollbacks)]
    records.append(release(too_old, 99))
    history = History("t", records, left_out={"scale-out deployment (creator autoscaling)": 7})
    p = derive(history, PracticeSettings(Period(365, NOW), "Europe/London", OFFICE))
    assert p.release_count == 5
    assert (
        p.status == WINDOWED and p.window is not None and (p.window.inside, p.window.of) == (5, 5)
    )
    assert len(p.releases) == 10  # the rollback records are listed, the old one is not
    assert (
        "Left out 7 records that are not releases (scale-out deployment (creator autoscaling): 7)."
        in p.notes
    )
    assert sum(map(sum, p.heatmap)) == 5


def test_minute_of_week_is_local_wall_clock():
    sunday_night = datetime(2026, 7, 5, 23, 30, tzinfo=ZoneInfo("Europe/London"))
    assert minute_of_week(sunday_night, ZoneInfo("Europe/London")) == 6 * DAY + 23 * 60 + 30
    assert minute_of_week(sunday_night, ZoneInfo("UTC")) == 6 * DAY + 22 * 60 + 30


def test_a_declared_window_outside_working_hours_is_a_window():
    declared = DeclaredWindow((5, 6), "01:00", "05:00", "Europe/Berlin", "deployPolicies[0].rules")
    p = practice_of([], declared_windows=[declared], days=90)
    assert p.status == WINDOWED and p.window is not None and p.window.declared
    assert p.window.text == (
        "Saturdays and Sundays 01:00–05:00 Europe/Berlin (declared in deployPolicies[0].rules), "
        "0 of 0 releases"
    )
    assert p.window.days == (5, 6) and p.window.field == "deployPolicies[0].rules"
    in_office = DeclaredWindow((0, 1, 2, 3, 4), "10:00", "12:00", "Europe/London", "f")
    q = practice_of([], declared_windows=[in_office], days=90)
    assert q.status == NOT_EXERCISED
    assert any("declares a release window in working hours" in n for n in q.notes)
    # 07:00-09:00 in New York is 12:00-14:00 in London: inside the office week
    new_york = DeclaredWindow((1,), "07:00", "09:00", "America/New_York", "f")
    assert practice_of([], declared_windows=[new_york], days=90).status == NOT_EXERCISED


def test_a_malformed_declared_window_is_a_note_not_an_error():
    bad = DeclaredWindow((6,), "25:00", "03:00", "Europe/London", "rules[0].weeklyWindows")
    nowhere = DeclaredWindow((6,), "01:00", "03:00", "Mars/Olympus", "rules[1].weeklyWindows")
    p = practice_of(weekly("Europe/London", 2, time(11, 0), 6), declared_windows=[bad, nowhere])
    assert p.status == OBSERVED and p.window is not None and not p.window.declared
    assert p.notes[-2].startswith(
        "A declared release window could not be read: rules[0].weeklyWindows ("
    )
    assert p.notes[-1].startswith(
        "A declared release window could not be read: rules[1].weeklyWindows ("
    )


@settings(max_examples=40, deadline=None)
@given(inside=st.integers(0, 16), outside=st.integers(0, 6))
def test_windowed_exactly_when_five_releases_and_eighty_percent(inside, outside):
    """Sunday 02:30 releases and Wednesday 11:00 ones (in the office week)."""
    assume(inside + outside > 0)
    p = _share(inside, outside)
    expected = inside + outside >= 5 and inside * 10 >= (inside + outside) * 8
    assert (p.status == WINDOWED) == expected
