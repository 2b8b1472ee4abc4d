"""Release histories for the emulators, written relative to now.

A demo estate cannot hold fixed dates (they would age out of any period), so
a unit's `releases:` in an estate file describe a rhythm in local wall-clock
time, and each emulator expands them with `expand(specs, now)` into records
it then serves in its own API's shape. One spec:

    - times: "weekly Sun 02:30"      # or "daily 09:10,14:40", "weekdays 09:00"
      count: 12                      # occurrences, going back from now
      minutes: 25                    # how long each ran (default 10)
      timezone: Europe/London        # the wall clock of `times` (the default)
      failed: {0: automatic, 5: manual}  # occurrence (0 the latest): rolled back by
      stopped: [3]                   # occurrences stopped by a person, not rolled back
      offset_days: 0                 # start the rhythm this many days back

Occurrences keep their local time across clock changes, as a team's own
schedule does. Records come oldest first, with ids r1, r2, ... in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Record:
    id: str
    started: datetime  # UTC
    ended: datetime
    outcome: str  # succeeded | failed | stopped
    rolled_back: str | None  # automatic | manual | None
    restored: datetime | None  # when the rollback finished


def _times(text: str) -> tuple[str, int | None, list[clock]]:
    parts = text.split()
    rhythm = parts[0].lower()
    if rhythm == "weekly":
        day = DAYS.index(parts[1][:3].lower())
        at = parts[2]
    elif rhythm in ("daily", "weekdays"):
        day, at = None, parts[1]
    else:
        raise ValueError(f"releases: unknown rhythm {text!r}")
    return rhythm, day, [clock.fromisoformat(t) for t in at.split(",")]


def _occurrences(spec: dict[str, Any], now: datetime) -> list[datetime]:
    rhythm, day, ats = _times(str(spec["times"]))
    zone = ZoneInfo(str(spec.get("timezone") or "Europe/London"))
    count = int(spec.get("count", 1))
    local_now = now.astimezone(zone) - timedelta(days=int(spec.get("offset_days", 0)))
    found: list[datetime] = []
    date = local_now.date()
    while len(found) < count and date > local_now.date() - timedelta(days=800):
        wanted = (
            (rhythm == "weekly" and date.weekday() == day)
            or rhythm == "daily"
            or (rhythm == "weekdays" and date.weekday() < 5)
        )
        if wanted:
            for at in sorted(ats, reverse=True):
                moment = datetime.combine(date, at, tzinfo=zone)
                if moment < local_now and len(found) < count:
                    found.append(moment.astimezone(UTC))
        date -= timedelta(days=1)
    return found  # the latest first


def expand(specs: list[dict[str, Any]] | None, now: datetime | None = None) -> list[Record]:
    """Every spec's occurrences as records, oldest first."""
    now = now or datetime.now(UTC)
    rows: list[tuple[datetime, str, str | None, int]] = []
    for spec in specs or []:
        failed = {int(k): v for k, v in (spec.get("failed") or {}).items()}
        stopped = {int(i) for i in spec.get("stopped") or []}
        minutes = int(spec.get("minutes", 10))
        for index, started in enumerate(_occurrences(spec, now)):
            outcome = "failed" if index in failed else "succeeded"
            outcome = "stopped" if index in stopped else outcome
            rows.append((started, outcome, failed.get(index), minutes))
    rows.sort(key=lambda r: r[0])
    out = []
    for n, (started, outcome, rolled_back, minutes) in enumerate(rows, 1):
        ended = started + timedelta(minutes=minutes)
        restored = ended + timedelta(minutes=4) if rolled_back else None
        out.append(Record(f"r{n}", started, ended, outcome, rolled_back, restored))
    return out
