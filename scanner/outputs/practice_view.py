"""What the outputs show of release practice (--history), read from the units'
`Practice` only (scanner/practice/practice.py), and each service's block from
the core's `service_practice` (scanner/practice/services.py): the words and
numbers the table, Markdown, CSV and HTML report print (docs/reports.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from scanner.model import Assessment
from scanner.practice.derive import restored_at
from scanner.practice.practice import NO_RECORDS, NOT_EXERCISED, WINDOWED, Practice
from scanner.practice.records import AUTOMATIC, RELEASE, Release
from scanner.practice.services import service_practice

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_WORDS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")

# A unit's practice status, in the words every output uses.
CAPPED_WORDS = "capped at 2"
CONFIRMED_WORDS = "confirmed"
AGREES_WORDS = "snapshot borne out"  # a snapshot verdict the period's releases agree with
STATUS_WORDS = {
    NOT_EXERCISED: "not exercised",
    NO_RECORDS: "no records",
    WINDOWED: "windowed",
    "observed": "",
}


def has_practice(units: Iterable[Assessment]) -> bool:
    """Whether the scan read release records (--history): some unit has practice."""
    return any(a.practice is not None for a in units)


def status_words(p: Practice) -> str:
    """ "capped at 2", "confirmed", both ("capped at 2, confirmed": a cap wins,
    and both are shown), "not exercised", "no records", "windowed" (a window,
    on a unit whose configuration gives 2 or less already) or ""."""
    words = [w for w, on in ((CAPPED_WORDS, p.capped), (CONFIRMED_WORDS, p.confirmed)) if on]
    if words:
        return ", ".join(words)
    if p.agrees:
        return AGREES_WORDS
    return STATUS_WORDS.get(p.status, p.status.replace("_", " "))


def window_short(p: Practice) -> str:
    """The window in a few characters ("Sun 02:00–06:00", "daily 22:00–01:00",
    with "declared" where the configuration declares it), or ""."""
    w = p.window
    if w is None or p.status != WINDOWED:  # the busiest hours of a rhythm are no window
        return ""
    hours, minutes = (int(x) for x in w.start.split(":"))
    end = (hours * 60 + minutes + w.minutes) % (24 * 60)
    days = sorted(w.days) if w.days else ([w.day] if w.day is not None else [])
    if w.kind == "daily" or len(days) == 7:
        when = "daily"
    elif days == [0, 1, 2, 3, 4]:
        when = "Mon–Fri"
    else:
        when = ",".join(DAY_NAMES[d] for d in days) or "weekly"
    text = f"{when} {w.start}–{end // 60:02d}:{end % 60:02d}"
    return text + (" declared" if w.declared else "")


def per_week_text(p: Practice) -> str:
    return "" if p.per_week is None else f"{p.per_week:.1f}"


def rollbacks_text(p: Practice) -> str:
    """Automatic/manual rollbacks, e.g. "2/1"."""
    if p.status == NO_RECORDS:
        return ""
    return f"{p.rolled_back_automatic}/{p.rolled_back_manual}"


def releases_text(p: Practice) -> str:
    """The releases in the period; "" where no records were read."""
    return "" if p.status == NO_RECORDS else str(p.release_count)


def window_text(p: Practice) -> str:
    """The maintenance window in full, "" when the unit is not windowed."""
    return p.window.text if p.window is not None and p.status == WINDOWED else ""


def timezone_of(units: Iterable[Assessment]) -> str:
    """The organisation's time zone the heat maps and windows are in."""
    for a in units:
        if a.practice is not None:
            return a.practice.timezone
    return "Europe/London"


def releases_of(p: Practice) -> list[Release]:
    """The records that are releases (not the rollback records)."""
    return [r for r in p.releases if r.kind == RELEASE]


def week_starts(p: Practice) -> list[datetime]:
    """The starts of the period's weeks, counted back from its end: the
    earliest week is the partial one when the period is not whole weeks."""
    n = max(1, math.ceil(p.period_days / 7))
    return [max(p.period_start, p.period_end - timedelta(days=7 * (n - i))) for i in range(n)]


def weekly_counts(ps: list[Practice]) -> list[int]:
    """Releases started in each week of the period (the longest of the units'),
    oldest first; rollback records are not releases."""
    if not ps:
        return []
    longest = max(ps, key=lambda p: p.period_days)
    starts = week_starts(longest)
    counts = [0] * len(starts)
    for p in ps:
        for r in releases_of(p):
            if r.started < longest.period_start or r.started > longest.period_end:
                continue
            counts[max(i for i, s in enumerate(starts) if s <= r.started)] += 1
    return counts


@dataclass(frozen=True)
class RollbackRow:
    unit: str
    release: str
    started: str  # local time, with the zone's abbreviation
    by: str  # "automatic" | "by a person"
    restored_after: str  # "14 min", "2 h 5 min", "not recorded"


def local_text(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %-d %b %Y %H:%M %Z")


def duration_text(seconds: float) -> str:
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    return f"{hours // 24} days {hours % 24} h"


def rollback_rows(units: list[Assessment]) -> list[RollbackRow]:
    """Every rolled-back release of these units, oldest first."""
    found: list[tuple[datetime, RollbackRow]] = []
    for a in units:
        p = a.practice
        if p is None:
            continue
        for r in p.releases:
            if r.rolled_back is None:
                continue
            restored = restored_at(r, p.releases)  # its own, or its rollback record's end
            after = (
                duration_text((restored - r.started).total_seconds())
                if restored is not None and restored >= r.started
                else "not recorded"
            )
            row = RollbackRow(
                unit=a.name,
                release=r.id,
                started=local_text(r.started, p.timezone),
                by="automatic" if r.rolled_back == AUTOMATIC else "by a person",
                restored_after=after,
            )
            found.append((r.started, row))
    return [row for _, row in sorted(found, key=lambda x: x[0])]


def plain_words(a: Assessment) -> str:
    """What the records did to the unit's verdict, for a non-engineer."""
    p = a.practice
    if p is None:
        return ""
    days = p.period_days
    parts: list[str] = []
    if p.capped:
        configured = f"level {p.configured_level}" if p.configured_level else "level 3 or more"
        window = p.window.text if p.window else "a maintenance window"
        parts.append(
            f"Capped at level 2: it is set up for {configured}, but in the last {days} days "
            f"it was released in a maintenance window ({window}). Releasing in scheduled "
            "windows is level 2, so it counts as level 2."
        )
    if p.confirmed:
        n = p.rolled_back_automatic
        parts.append(
            f"Confirmed: its automatic rollback was used and worked ({n} release"
            f"{'' if n == 1 else 's'} rolled back without a person), as level 5 promises."
        )
    if p.agrees and not p.capped:
        parts.append(
            "Borne out: its level was inferred from the current traffic state (a snapshot), "
            "and its releases in the period agree with it."
        )
    if p.status == NOT_EXERCISED:
        parts.append(
            f"Not exercised: no release in the last {days} days, so its way of releasing "
            "has not been used; its level rests on its configuration alone."
        )
    elif p.status == NO_RECORDS:
        why = p.unavailable or p.error or "the records could not be read"
        parts.append(f"No records: {why}")
    elif p.status == WINDOWED and not p.capped and p.window is not None:
        parts.append(f"Its releases keep to a window ({p.window.text}).")
    elif not parts:
        n = p.release_count
        released = f"Released {n} time{'' if n == 1 else 's'} in the last {days} days"
        w = p.window
        if w is None:
            parts.append(f"{released}, with no maintenance window.")
        elif not w.outside_working_hours:
            parts.append(
                f"{released}, in a rhythm in working hours ({w.text}): a release rhythm, "
                "not a maintenance window."
            )
        else:
            parts.append(f"{released}, with no maintenance window (the busiest: {w.text}).")
    return " ".join(parts)


def summary_line(p: Practice) -> str:
    """One unit's practice in one line (`check`'s table and Markdown)."""
    line = f"{p.release_count} releases in the last {p.period_days} days"
    if p.per_week is not None:
        line += f" ({p.per_week:.1f} a week)"
    line += f", rolled back {p.rolled_back_automatic} automatically and "
    line += f"{p.rolled_back_manual} by a person"
    if window_text(p):
        line += f"; window: {window_text(p)}"
    status = status_words(p)
    return line + (f"; {status}" if status else "")


@dataclass(frozen=True)
class UnitPracticeRow:
    name: str
    source: str
    covered: str  # "90 of 90 days", "42 of 90 days (kept: six weeks)"
    releases: str
    per_week: str
    rollbacks: str
    window: str
    status: str
    words: str


@dataclass(frozen=True)
class ServicePracticeView:
    """One service's part of the report's "How releases actually happened"."""

    name: str
    block: dict[str, Any]  # the service's JSON practice block (the core's)
    period_days: int
    period_start: datetime
    weeks: list[tuple[str, int]]  # ("16 Nov", releases), oldest first
    units: list[UnitPracticeRow]
    rollbacks: list[RollbackRow]

    @property
    def timezone(self) -> str:
        return str(self.block["timezone"])

    @property
    def zone_label(self) -> str:
        """The time zone, with the clock's names during the period where they
        change ("Europe/London (BST, then GMT)"): times are local wall-clock
        times on both sides of a clock change."""
        zone = ZoneInfo(self.timezone)
        names: list[str] = []
        for day in range(self.period_days + 1):
            name = (self.period_start + timedelta(days=day)).astimezone(zone).tzname() or ""
            if name and name not in names:
                names.append(name)
        return f"{self.timezone} ({', then '.join(names)})" if len(names) > 1 else self.timezone

    @property
    def restore_text(self) -> str:
        minutes = self.block.get("time_to_restore_minutes")
        return "" if minutes is None else duration_text(float(minutes) * 60)

    @property
    def last_release_text(self) -> str:
        last = self.block.get("last_release")
        if not last:
            return ""
        return local_text(datetime.fromisoformat(last.replace("Z", "+00:00")), self.timezone)


def _covered(p: Practice) -> str:
    if p.status == NO_RECORDS:  # nothing was read, so nothing is covered
        return ""
    days = p.covered_days
    shown = f"{days:g}" if days != int(days) else str(int(days))
    text = f"{shown} of {p.period_days} days"
    return text + (f" (kept: {p.kept})" if p.kept and days < p.period_days else "")


def unit_row(a: Assessment) -> UnitPracticeRow:
    p = a.practice
    assert p is not None
    return UnitPracticeRow(
        name=a.name,
        source=p.source,
        covered=_covered(p),
        releases=releases_text(p),
        per_week=per_week_text(p),
        rollbacks=(
            f"{p.rolled_back_automatic} automatic, {p.rolled_back_manual} manual"
            if p.status != NO_RECORDS
            else ""
        ),
        window=window_text(p),
        status=status_words(p),
        words=plain_words(a),
    )


def service_views(services: Iterable[tuple[str, list[Assessment]]]) -> list[ServicePracticeView]:
    """The services that have units with practice, in the order given."""
    views = []
    for name, units in services:
        block = service_practice(units)
        if block is None:
            continue
        ps = [a.practice for a in units if a.practice is not None]
        longest = max(ps, key=lambda p: p.period_days)
        zone = ZoneInfo(str(block["timezone"]))
        weeks = [
            (start.astimezone(zone).strftime("%-d %b"), n)
            for start, n in zip(week_starts(longest), weekly_counts(ps), strict=True)
        ]
        rows = [unit_row(a) for a in units if a.practice is not None]
        views.append(
            ServicePracticeView(
                name,
                block,
                longest.period_days,
                longest.period_start,
                weeks,
                rows,
                rollback_rows(units),
            )
        )
    return views
