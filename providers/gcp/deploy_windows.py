"""Release windows a Cloud Deploy pipeline declares: timed promotions.

An automation's `timedPromoteReleaseRule` promotes a release on a cron
`schedule` in a `timeZone` (IANA name). It declares a window for the
pipeline's last target when its `destinationTargetId` names that target, or
is `@next` (or empty, which means the same) and the automation selects the
stage just before it. Each run's minute becomes a window of WINDOW_MINUTES
(the rollout starts after the promotion creates it), on the cron's days of the
week. Only schedules with fixed minutes and hours and any day of the month and
month are read as weekly or daily windows; any other schedule is left out.

Deploy policies are not read here: their `rolloutRestriction.timeWindows` are
when actions are restricted ("a policy can prevent rollout creation for a
given delivery pipeline during a specified time period",
https://cloud.google.com/deploy/docs/deploy-policy): a freeze, not a window in
which releases happen.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from providers.gcp.facts import api_dict
from scanner.practice.records import DeclaredWindow

if TYPE_CHECKING:
    from providers.gcp.context import GcpContext

WINDOW_MINUTES = 60
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # cron 0 (and 7) is Sunday
FIELD = "automations[].rules[].timedPromoteReleaseRule.schedule"


def _numbers(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> list[int] | None:
    """A cron field's values (lists, ranges, names, `*`); None if it steps."""
    if text == "*":
        return list(range(low, high + 1))
    found: list[int] = []
    for part in text.upper().split(","):
        if "/" in part:
            return None
        ends = [str(names.index(e)) if e in names else e for e in part.split("-")]
        if not all(e.isdigit() for e in ends):
            return None
        first, last = int(ends[0]), int(ends[-1])
        found += list(range(first, last + 1))
    return sorted({n for n in found if low <= n <= high} | ({0} if 7 in found else set()))


def windows_of(schedule: str, zone: str, description: str) -> list[DeclaredWindow]:
    """The windows one cron schedule declares (empty if it is not a plain
    weekly or daily schedule)."""
    parts = schedule.split()
    if len(parts) != 5 or parts[2] != "*" or parts[3] != "*":
        return []
    minutes = _numbers(parts[0], 0, 59)
    hours = _numbers(parts[1], 0, 23)
    days = _numbers(parts[4], 0, 7, DAY_NAMES)
    if not minutes or not hours or not days:
        return []
    weekdays = tuple(sorted({(d - 1) % 7 for d in days}))  # cron Sunday 0 -> 6
    out = []
    for hour in hours:
        for minute in minutes:
            start = datetime(2000, 1, 1, hour, minute)
            end = start + timedelta(minutes=WINDOW_MINUTES)
            out.append(
                DeclaredWindow(
                    days=weekdays,
                    start=start.strftime("%H:%M"),
                    end=end.strftime("%H:%M"),
                    timezone=zone or "UTC",
                    field=FIELD,
                    description=description,
                )
            )
    return out


def _selects(automation: dict[str, Any], target: str) -> bool:
    for attr in (automation.get("selector") or {}).get("targets") or []:
        if attr.get("id") in ("*", target):
            return True
    return False


def timed_windows(ctx: GcpContext, pipeline: str, target: str) -> list[DeclaredWindow]:
    client = ctx.clients.get("deploy")
    retry = ctx.clients.retry
    raw = api_dict(client.get_delivery_pipeline(name=pipeline, retry=retry))
    stages = [s.get("targetId") for s in (raw.get("serialPipeline") or {}).get("stages") or []]
    before = stages[-2] if len(stages) > 1 else None
    found: list[DeclaredWindow] = []
    for automation in map(api_dict, client.list_automations(request={"parent": pipeline},
                                                             retry=retry)):  # fmt: skip
        if automation.get("suspended"):
            continue
        for rule in automation.get("rules") or []:
            timed = rule.get("timedPromoteReleaseRule")
            if timed is None:
                continue
            destination = timed.get("destinationTargetId") or "@next"
            reaches = destination == target or (
                destination == "@next" and before is not None and _selects(automation, before)
            )
            if reaches:
                what = (f"timed promotion {_short(automation)}/{timed.get('id')} to {target}: "
                        f"cron {timed.get('schedule')!r}")  # fmt: skip
                found += windows_of(str(timed.get("schedule") or ""),
                                    str(timed.get("timeZone") or ""), what)  # fmt: skip
    return found


def _short(automation: dict[str, Any]) -> str:
    return str(automation.get("name", "")).rsplit("/", 1)[-1]
