"""An ECS service's release records (--history).

ListServiceDeployments(cluster, service, createdAt={after}) lists the
service deployments created in the period (100 a page, paged by nextToken by
hand: botocore has no paginator for it), and DescribeServiceDeployments reads
them, 20 ARNs a call (the API's limit).

Only services with the ECS deployment controller have service deployments:
a CODE_DEPLOY service's releases are its CodeDeploy group's records (the
group is the unit; the service is linked to it and not read), and an
EXTERNAL service's task sets are moved by another controller.

Retention: "the most recent 90-day history for deployments created on or
after October 25, 2024" (Amazon ECS Developer Guide, "View service
deployments"), so `covers_from` is the later of 90 days back and that date.

Rolled back: a ROLLBACK_* status, or a `rollback` with a `startedAt` (the
member is documented as the rollback options, so its presence alone says
nothing). By whom is
inferred: the circuit breaker's or the alarms' status TRIGGERED (or a
rollback reason naming them) is ECS's own rollback, automatic; otherwise the
only other way is a person's StopServiceDeployment(stopType=ROLLBACK), manual.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from providers.aws.history import batches, not_before, when
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

HISTORY_SOURCE = "ECS service deployments"
HISTORY_READS = ("ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments")
PAGE = 100  # ListServiceDeployments: maxResults 1-100
DESCRIBE_BATCH = 20  # DescribeServiceDeployments: up to 20 ARNs
RETENTION = timedelta(days=90)
FIRST_RECORDED = datetime(2024, 10, 25, tzinfo=UTC)

OUTCOMES = {
    "SUCCESSFUL": SUCCEEDED,
    "STOPPED": STOPPED,
    "ROLLBACK_SUCCESSFUL": FAILED,
    "ROLLBACK_FAILED": FAILED,
}
FIELDS = [
    "serviceDeployments[].createdAt",
    "serviceDeployments[].startedAt",
    "serviceDeployments[].finishedAt",
    "serviceDeployments[].stoppedAt",
    "serviceDeployments[].status",
    "serviceDeployments[].statusReason",
    "serviceDeployments[].rollback",
    "serviceDeployments[].deploymentCircuitBreaker.status",
    "serviceDeployments[].alarms.status",
]
NOTE = (
    "ECS records no initiator; whether a rollback was automatic is inferred from the "
    "circuit breaker's and alarms' status (TRIGGERED) and the rollback reason"
)
CODE_DEPLOY = (
    "its deployments are run by CodeDeploy (CODE_DEPLOY controller): the CodeDeploy "
    "group's records hold them"
)
EXTERNAL = (
    "its task sets are moved by an outside controller (EXTERNAL): ECS keeps no "
    "service deployments for it"
)


def covers_from(period: Period) -> datetime:
    return max(period.end - RETENTION, FIRST_RECORDED)


def history(ctx: AwsContext, unit: Observation, period: Period) -> History:
    controller = unit.facts.get("deployment_controller")
    value = controller.value if controller is not None else "ECS"
    if value == "CODE_DEPLOY":
        return History(source=HISTORY_SOURCE, unavailable=CODE_DEPLOY)
    if value == "EXTERNAL":
        return History(source=HISTORY_SOURCE, unavailable=EXTERNAL)
    cluster, _, service = unit.name.partition("/")
    client = ctx.clients.get("ecs", ctx.region)
    after = max(period.start, FIRST_RECORDED)
    arns: list[str] = []
    token: str | None = None
    while True:
        params: dict[str, Any] = {
            "cluster": cluster,
            "service": service,
            "createdAt": {"after": after, "before": period.end},
            "maxResults": PAGE,
        }
        if token:
            params["nextToken"] = token
        resp = client.list_service_deployments(**params)
        for brief in resp.get("serviceDeployments") or []:
            arn = brief.get("serviceDeploymentArn") if isinstance(brief, dict) else None
            if isinstance(arn, str) and arn not in arns:
                arns.append(arn)
        token = resp.get("nextToken")
        if not token:
            break
    found = History(
        source=HISTORY_SOURCE,
        covers_from=covers_from(period),
        kept="90 days (deployments created on or after 2024-10-25)",
        note=NOTE,
        fields=list(FIELDS),
    )
    for part in batches(arns, DESCRIBE_BATCH):
        resp = client.describe_service_deployments(serviceDeploymentArns=part)
        for deployment in resp.get("serviceDeployments") or []:
            record = _release(deployment) if isinstance(deployment, dict) else None
            if record is not None and period.start <= record.started <= period.end:
                found.releases.append(record)
    found.releases.sort(key=lambda r: r.started)
    return found


def _release(d: dict[str, Any]) -> Release | None:
    arn = d.get("serviceDeploymentArn")
    started = when(d.get("startedAt")) or when(d.get("createdAt"))
    if not isinstance(arn, str) or started is None:
        return None
    status = str(d.get("status") or "")
    rollback = d.get("rollback") if isinstance(d.get("rollback"), dict) else None
    # `rollback` is documented as "the rollback options the service deployment uses
    # when the deployment fails": only a status or a rollback start says one happened
    rolled = status.startswith("ROLLBACK_") or bool(rollback and rollback.get("startedAt"))
    ended = when(d.get("finishedAt")) or when(d.get("stoppedAt"))
    details = [f"status {status}"] if status else []
    if d.get("statusReason"):
        details.append(str(d["statusReason"]))
    by = _by_whom(d, rollback) if rolled else None
    if rollback and rollback.get("reason"):
        details.append(f"rollback: {rollback['reason']}")
    outcome = OUTCOMES.get(status, IN_PROGRESS)
    if rolled and by == MANUAL and outcome == FAILED:
        outcome = STOPPED  # a person stopped it and asked for the rollback
    return Release(
        source="ecs:service-deployment",
        id=arn,
        started=started,
        ended=not_before(ended, started),
        outcome=outcome,
        rolled_back=by,
        restored=when(d.get("finishedAt")) if status == "ROLLBACK_SUCCESSFUL" else None,
        detail="; ".join(details),
    )


def _by_whom(d: dict[str, Any], rollback: dict[str, Any] | None) -> str:
    """Who rolled a deployment back, inferred (see the module)."""
    breaker = d.get("deploymentCircuitBreaker")
    alarms = d.get("alarms")
    for monitor in (breaker, alarms):
        if isinstance(monitor, dict) and monitor.get("status") == "TRIGGERED":
            return AUTOMATIC
    reason = str((rollback or {}).get("reason") or d.get("statusReason") or "").lower()
    if "circuit breaker" in reason or "alarm" in reason:
        return AUTOMATIC
    return MANUAL
