"""An AppConfig environment's release records (--history): its deployments.

ListDeployments(ApplicationId, EnvironmentId) lists the environment's
deployments "in descending deployment number order" (newest first), paged by
NextToken; reading stops at the first page that reaches back before the
period. GetDeployment is read only for a deployment that was rolled back or
reverted: its EventLog says who did it (`TriggeredBy`).

An AppConfig environment's unit IS a configuration release (what relscan
judges is how a configuration or feature-flag change reaches the
environment's users), so each deployment counts as one of its releases; the
issue's "configuration-only revisions" rule is about units that release
code, whose configuration-only changes are not new versions.

States: COMPLETE succeeded; ROLLED_BACK was stopped during the deployment or
bake (by a person: StopDeployment; or by a CloudWatch alarm); REVERTED was
rolled back after it completed (StopDeployment with AllowRevert). The
ROLLBACK_STARTED / ROLLBACK_COMPLETED / REVERT_COMPLETED event's TriggeredBy
says who: USER is manual; CLOUDWATCH_ALARM, APPCONFIG and INTERNAL_ERROR are
automatic. `restored` is the ROLLBACK_COMPLETED or REVERT_COMPLETED time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
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

HISTORY_SOURCE = "AppConfig deployments"
HISTORY_READS = ("appconfig:GetDeployment",)
PAGE = 50  # ListDeployments: MaxResults 1-50
ROLLED_BACK = ("ROLLED_BACK", "REVERTED")
ROLLBACK_EVENTS = ("ROLLBACK_STARTED", "ROLLBACK_COMPLETED", "REVERT_COMPLETED")
FIELDS = [
    "Items[].DeploymentNumber",
    "Items[].StartedAt",
    "Items[].CompletedAt",
    "Items[].State",
    "EventLog[].EventType",
    "EventLog[].TriggeredBy",
    "EventLog[].OccurredAt",
]
NOTE = (
    "AppConfig deployments are configuration releases; who started one is not read "
    "(only rollbacks' TriggeredBy is)"
)
_ARN = re.compile(r"application/(?P<app>[^/]+)/environment/(?P<env>[^/]+)$")


def history(ctx: AwsContext, unit: Observation, period: Period) -> History:
    ids = _ARN.search(unit.id)
    if ids is None:
        return History(source=HISTORY_SOURCE, error=f"cannot read the ids in {unit.id}")
    app, env = ids["app"], ids["env"]
    client = ctx.clients.get("appconfig", ctx.region)
    found = History(
        source=HISTORY_SOURCE,
        kept="as long as AppConfig keeps them (no retention is documented)",
        note=NOTE,
        fields=list(FIELDS),
    )
    token: str | None = None
    while True:
        params: dict[str, Any] = {"ApplicationId": app, "EnvironmentId": env, "MaxResults": PAGE}
        if token:
            params["NextToken"] = token
        resp = client.list_deployments(**params)
        older = False
        for item in resp.get("Items") or []:
            started = when(item.get("StartedAt")) if isinstance(item, dict) else None
            if started is None:
                continue
            if started < period.start:
                older = True  # newest first: the rest are older still
            elif started <= period.end:
                found.releases.append(_release(client, app, env, item, started))
        token = resp.get("NextToken")
        if not token or older:
            break
    found.releases.sort(key=lambda r: r.started)
    return found


def _release(client: Any, app: str, env: str, item: dict[str, Any], started: Any) -> Release:
    state = str(item.get("State") or "")
    number = item.get("DeploymentNumber")
    rolled_back = restored = None
    outcome = {"COMPLETE": SUCCEEDED}.get(state, IN_PROGRESS)
    if state in ROLLED_BACK:
        events = client.get_deployment(
            ApplicationId=app, EnvironmentId=env, DeploymentNumber=int(number)
        ).get("EventLog")
        rolled_back, restored = _rollback(events if isinstance(events, list) else [])
        if state == "REVERTED":
            outcome = SUCCEEDED  # it completed, and was reverted afterwards
        else:
            outcome = FAILED if rolled_back == AUTOMATIC else STOPPED
    ended = when(item.get("CompletedAt"))
    detail = [f"State {state}"] if state else []
    if item.get("ConfigurationName"):
        detail.append(f"{item['ConfigurationName']} version {item.get('ConfigurationVersion')}")
    return Release(
        source="appconfig:deployment",
        id=str(number),
        started=started,
        ended=not_before(ended, started),
        outcome=outcome,
        rolled_back=rolled_back,
        restored=restored,
        detail="; ".join(detail),
    )


def _rollback(events: list[Any]) -> tuple[str, Any]:
    """(who rolled it back, when the earlier configuration was back), from the
    EventLog: who is the TriggeredBy of the event that began the rollback
    (ROLLBACK_STARTED; for a revert, REVERT_COMPLETED)."""
    kinds = {
        e.get("EventType"): e
        for e in sorted(
            (e for e in events if isinstance(e, dict)),
            key=lambda e: when(e.get("OccurredAt")) or datetime.min.replace(tzinfo=UTC),
        )
        if e.get("EventType") in ROLLBACK_EVENTS
    }
    began = kinds.get("ROLLBACK_STARTED") or kinds.get("REVERT_COMPLETED") or {}
    by = MANUAL if began.get("TriggeredBy", "USER") == "USER" else AUTOMATIC
    ended = kinds.get("ROLLBACK_COMPLETED") or kinds.get("REVERT_COMPLETED") or {}
    return by, when(ended.get("OccurredAt"))
