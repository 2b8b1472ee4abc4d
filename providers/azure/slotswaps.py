"""App Service slot swaps, from the Activity Log (azure-mgmt-monitor): one
paged `activity_logs.list` per resource (the site, and each slot), filtered
server-side to the period and the resource by the documented
`eventTimestamp ge .. and eventTimestamp le .. and resourceUri eq ..` (the
Activity Log cannot filter on the operation, so the swap events are picked
out here by `operationName`), their events grouped by correlationId into
one record per swap. appservice_history.py decides which swaps are releases.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from providers.azure.history import line, when
from providers.azure.values import Unusable
from scanner.facts import dig
from scanner.practice.records import FAILED, IN_PROGRESS, STOPPED, SUCCEEDED, Release

SWAP = "activitylog:slotswap"
MONITOR = "azure.mgmt.monitor:MonitorManagementClient"
ACTIVITY_LOG_DAYS = 90  # "Activity log events are retained in Azure for 90 days"
# A query may not start more than 90 days back; the request is sent a little
# after the period's end was fixed, so it asks from five minutes inside that.
ACTIVITY_LOG_REACH = timedelta(days=ACTIVITY_LOG_DAYS) - timedelta(minutes=5)
SWAP_OPERATIONS = (
    "microsoft.web/sites/slotsswap/action",
    "microsoft.web/sites/slots/slotsswap/action",
)
PRODUCTION = "production"
EVENT_OUTCOMES = {"succeeded": SUCCEEDED, "failed": FAILED, "canceled": STOPPED}


def activity_filter(since: datetime, until: datetime, resource: str) -> str:
    """The Activity Log's documented filter for one resource's events."""
    return (
        f"eventTimestamp ge '{_stamp(since)}' and eventTimestamp le '{_stamp(until)}' "
        f"and resourceUri eq '{resource}'"
    )


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def swaps(
    monitor: Any, resources: list[str], since: datetime, until: datetime
) -> list[tuple[Release, tuple[str, str]]]:
    """Every swap whose events the Activity Log holds for the site or its
    slots, its events grouped by correlationId, with the slot pair swapped."""
    groups: dict[str, list[Any]] = {}
    for resource in resources:
        for event in monitor.activity_logs.list(filter=activity_filter(since, until, resource)):
            operation = _value(getattr(event, "operation_name", None))
            if operation.lower() not in SWAP_OPERATIONS:
                continue
            key = getattr(event, "correlation_id", None) or getattr(event, "event_data_id", "")
            groups.setdefault(str(key), []).append(event)
    swaps = []
    for correlation, events in groups.items():
        found = _swap(correlation, events)
        if found is not None:
            swaps.append(found)
    return swaps


def _value(localizable: Any) -> str:
    value = getattr(localizable, "value", None)
    return value if isinstance(value, str) else ""


def _swap(correlation: str, events: list[Any]) -> tuple[Release, tuple[str, str]] | None:
    """One swap from its events: Started gives the start and the caller, the
    last of Succeeded / Failed / Canceled the end and the outcome. Without a
    Started event the swap began before the records asked for: None."""

    def stamp(event: Any) -> datetime:
        moment = when(getattr(event, "event_timestamp", None), "eventTimestamp")
        if moment is None:
            raise Unusable("an Activity Log event has no eventTimestamp")
        return moment

    started = [e for e in events if _value(getattr(e, "status", None)).lower() == "started"]
    if not started:
        return None
    first = min(started, key=stamp)
    done = [e for e in events if _value(getattr(e, "status", None)).lower() in EVENT_OUTCOMES]
    last = max(done, key=stamp) if done else None
    outcome = EVENT_OUTCOMES[_value(last.status).lower()] if last is not None else IN_PROGRESS
    pair = _pair(first)
    caller = getattr(first, "caller", None)
    detail = f"swap {line(pair[0])} with {line(pair[1])}"
    if last is not None and outcome != SUCCEEDED:
        sub = _value(getattr(last, "sub_status", None))
        detail += f": {line(sub)}" if sub else ""
    release = Release(
        source=SWAP,
        id=line(correlation),
        started=stamp(first),
        ended=stamp(last) if last is not None else None,
        outcome=outcome,
        started_by=line(caller) if isinstance(caller, str) and caller else None,
        detail=detail,
    )
    return release, pair


def _pair(event: Any) -> tuple[str, str]:
    """The two slots a swap exchanged: the resource it was asked of (the
    site is production) and the request's targetSlot, where the event's
    properties carry the request body; "?" where they do not (such a swap
    is counted as a release: most swaps go into production)."""
    resource = str(getattr(event, "resource_id", "") or "")
    parts = resource.rstrip("/").split("/")
    lowered = [p.lower() for p in parts]
    source = parts[-1] if len(parts) > 2 and lowered[-2] == "slots" else PRODUCTION
    target = "?"
    props = getattr(event, "properties", None) or {}
    body = props.get("requestbody") or props.get("requestBody") if isinstance(props, dict) else None
    if isinstance(body, str):
        try:
            slot = dig(json.loads(body), "targetSlot")
        except ValueError:
            slot = None
        if isinstance(slot, str) and slot:
            target = slot
    return source.lower(), target.lower()
