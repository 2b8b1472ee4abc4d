"""An Auto Scaling group's release records (--history): its instance refreshes.

DescribeInstanceRefreshes(AutoScalingGroupName) returns the refreshes "from
the previous six weeks", newest first, 100 a page (MaxRecords), paged by
NextToken (botocore has no paginator for it); reading stops at the first page
that reaches back before the period.

Every refresh counts as a release: a refresh without a DesiredConfiguration
still replaces the instances with the group's current launch template, which
is how a new version usually reaches a group, and the API does not say
whether the template changed.

Rolled back: Status RollbackSuccessful, RollbackFailed or RollbackInProgress,
or RollbackDetails in the answer. By whom is inferred from
RollbackDetails.RollbackReason, free text documented only as "for example,
whether a manual or automatic rollback was initiated": a reason naming a
manual or user rollback is a person's (RollbackInstanceRefresh); so is any
rollback of a refresh without Preferences.AutoRollback; otherwise it was
automatic (a failed refresh or an alarm, with AutoRollback on).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from providers.aws.history import not_before, when
from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    IN_PROGRESS,
    MANUAL,
    STOPPED,
    SUCCEEDED,
    History,
    Release,
)

if TYPE_CHECKING:
    from providers.aws.context import AwsContext
    from scanner.model import Observation
    from scanner.practice.settings import Period

HISTORY_SOURCE = "Auto Scaling instance refreshes"
PAGE = 100  # DescribeInstanceRefreshes: MaxRecords at most 100
RETENTION = timedelta(weeks=6)
OUTCOMES = {
    "Successful": SUCCEEDED,
    "Failed": FAILED,
    "Cancelled": STOPPED,
    "RollbackSuccessful": FAILED,
    "RollbackFailed": FAILED,
}
FIELDS = [
    "InstanceRefreshes[].StartTime",
    "InstanceRefreshes[].EndTime",
    "InstanceRefreshes[].Status",
    "InstanceRefreshes[].StatusReason",
    "InstanceRefreshes[].Preferences.AutoRollback",
    "InstanceRefreshes[].RollbackDetails.RollbackReason",
    "InstanceRefreshes[].RollbackDetails.RollbackStartTime",
]
NOTE = (
    "Auto Scaling records no initiator; whether a rollback was automatic is inferred from "
    "RollbackDetails.RollbackReason (free text) and Preferences.AutoRollback"
)
MANUAL_WORDS = ("manual", "user", "rollbackinstancerefresh")


def history(ctx: AwsContext, unit: Observation, period: Period) -> History:
    client = ctx.clients.get("autoscaling", ctx.region)
    found = History(
        source=HISTORY_SOURCE,
        covers_from=period.end - RETENTION,
        kept="six weeks",
        note=NOTE,
        fields=list(FIELDS),
    )
    token: str | None = None
    while True:
        params: dict[str, Any] = {"AutoScalingGroupName": unit.name, "MaxRecords": PAGE}
        if token:
            params["NextToken"] = token
        resp = client.describe_instance_refreshes(**params)
        older = False
        for refresh in resp.get("InstanceRefreshes") or []:
            record = _release(refresh) if isinstance(refresh, dict) else None
            if record is None:
                continue
            if record.started < period.start:
                older = True  # newest first: the rest are older still
            elif record.started <= period.end:
                found.releases.append(record)
        token = resp.get("NextToken")
        if not token or older:
            break
    found.releases.sort(key=lambda r: r.started)
    return found


def _release(r: dict[str, Any]) -> Release | None:
    refresh_id = r.get("InstanceRefreshId")
    started = when(r.get("StartTime"))
    if not isinstance(refresh_id, str) or started is None:
        return None
    status = str(r.get("Status") or "")
    details = r.get("RollbackDetails") if isinstance(r.get("RollbackDetails"), dict) else None
    rolled = details is not None or status.startswith("Rollback")
    ended = when(r.get("EndTime"))
    by = _by_whom(r, details) if rolled else None
    outcome = OUTCOMES.get(status, IN_PROGRESS)
    if by == MANUAL and outcome == FAILED and status == "RollbackSuccessful":
        outcome = STOPPED  # a person rolled it back
    text = [f"Status {status}"] if status else []
    if r.get("StatusReason"):
        text.append(str(r["StatusReason"]))
    if details and details.get("RollbackReason"):
        text.append(f"rollback: {details['RollbackReason']}")
    return Release(
        source="autoscaling:instance-refresh",
        id=refresh_id,
        started=started,
        ended=not_before(ended, started),
        outcome=outcome,
        rolled_back=by,
        restored=ended if status == "RollbackSuccessful" else None,
        detail="; ".join(text),
    )


def _by_whom(r: dict[str, Any], details: dict[str, Any] | None) -> str:
    reason = str((details or {}).get("RollbackReason") or "").lower()
    if any(word in reason for word in MANUAL_WORDS):
        return MANUAL
    prefs = r.get("Preferences") if isinstance(r.get("Preferences"), dict) else {}
    return AUTOMATIC if prefs.get("AutoRollback") is True else MANUAL
