"""A CodeDeploy group's release records (--history).

ListDeployments(applicationName, deploymentGroupName, createTimeRange) lists
the deployments created in the period (paged by nextToken), and
BatchGetDeployments reads them, 25 ids a call (the API's limit).

- Left out, counted: deployments that are not releases, by `creator`:
  `autoscaling` (a scale-out copies the last revision to new instances),
  `autoscalingTermination` and `CodeDeployAutoUpdate` (outdated instances
  brought up to date).
- Rollback records: `creator` `codeDeployRollback` or `CloudFormationRollback`.
- A release was rolled back when `rollbackInfo.rollbackDeploymentId` is set.
  By whom is inferred from the release's `errorInformation.code` (the API has
  no field that says): `MANUAL_STOP` is a person's StopDeployment; any other
  code (ALARM_ACTIVE, HEALTH_CONSTRAINTS, TIMEOUT, a failed hook ...) is
  CodeDeploy's own, so the rollback was automatic. A stopped release with no
  error code was stopped by a person. `restored` is the rollback
  deployment's completeTime (read as well when it was created after the
  period's end).
- `startTime` may be later than `completeTime` ("differences in the clock
  settings of backend servers", DeploymentInfo): the end is then taken to be
  the start, and the detail says so.
- `started_by` is `creator` (a category; the API names no person).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from providers.aws.history import batches, count, when
from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    IN_PROGRESS,
    MANUAL,
    RELEASE,
    ROLLBACK,
    STOPPED,
    SUCCEEDED,
    History,
    Release,
)

if TYPE_CHECKING:
    from providers.aws.context import AwsContext
    from scanner.model import Observation
    from scanner.practice.settings import Period

HISTORY_SOURCE = "CodeDeploy deployments"
HISTORY_READS = ("codedeploy:ListDeployments", "codedeploy:BatchGetDeployments")
DEPLOYMENTS_BATCH = 25  # BatchGetDeployments: "The maximum number ... is 25"

NOT_RELEASES = {
    "autoscaling": "scale-out deployments (creator autoscaling)",
    "autoscalingTermination": "scale-in deployments (creator autoscalingTermination)",
    "CodeDeployAutoUpdate": "outdated instances updated (creator CodeDeployAutoUpdate)",
}
ROLLBACK_CREATORS = ("codeDeployRollback", "CloudFormationRollback")
MANUAL_CODES = ("MANUAL_STOP",)
OUTCOMES = {"Succeeded": SUCCEEDED, "Failed": FAILED, "Stopped": STOPPED}
FIELDS = [
    "deploymentInfo.createTime",
    "deploymentInfo.startTime",
    "deploymentInfo.completeTime",
    "deploymentInfo.status",
    "deploymentInfo.creator",
    "deploymentInfo.errorInformation.code",
    "deploymentInfo.rollbackInfo.rollbackDeploymentId",
    "deploymentInfo.rollbackInfo.rollbackTriggeringDeploymentId",
]
NOTE = (
    "CodeDeploy names what started a deployment (creator), not who; whether a rollback "
    "was automatic is inferred from the release's errorInformation.code (MANUAL_STOP: "
    "a person's stop)"
)


def history(ctx: AwsContext, unit: Observation, period: Period) -> History:
    app, _, group = unit.name.partition("/")
    client = ctx.clients.get("codedeploy", ctx.region)
    pages = client.get_paginator("list_deployments").paginate(
        applicationName=app,
        deploymentGroupName=group,
        createTimeRange={"start": period.start, "end": period.end},
    )
    ids = [d for page in pages for d in page.get("deployments") or [] if isinstance(d, str)]
    infos = _read(client, list(dict.fromkeys(ids)))
    # rollbacks of releases in the period, created after it: their end is the restore time
    wanted = {
        str(rb["rollbackDeploymentId"])
        for info in infos.values()
        if isinstance(rb := info.get("rollbackInfo"), dict) and rb.get("rollbackDeploymentId")
    }
    infos.update(_read(client, sorted(wanted - set(infos))))
    found = History(
        source=HISTORY_SOURCE,
        kept="as long as CodeDeploy keeps them (no retention is documented)",
        note=NOTE,
        fields=list(FIELDS),
    )
    for deployment in ids:
        info = infos.get(deployment)
        if info is None:
            continue
        creator = str(info.get("creator") or "")
        if creator in NOT_RELEASES:
            count(found.left_out, NOT_RELEASES[creator])
            continue
        record = _release(deployment, info, infos)
        if record is None or record.started < period.start or record.started > period.end:
            continue
        found.releases.append(record)
    found.releases.sort(key=lambda r: r.started)
    return found


def _read(client: Any, ids: list[str]) -> dict[str, dict[str, Any]]:
    infos: dict[str, dict[str, Any]] = {}
    for part in batches(ids, DEPLOYMENTS_BATCH):
        resp = client.batch_get_deployments(deploymentIds=part)
        for info in resp.get("deploymentsInfo") or []:
            if isinstance(info, dict) and isinstance(info.get("deploymentId"), str):
                infos[info["deploymentId"]] = info
    return infos


def _release(
    deployment: str, info: dict[str, Any], infos: dict[str, dict[str, Any]]
) -> Release | None:
    created = when(info.get("createTime"))
    started = when(info.get("startTime")) or created
    if started is None:
        return None
    ended = when(info.get("completeTime"))
    status = str(info.get("status") or "")
    error = info.get("errorInformation") if isinstance(info.get("errorInformation"), dict) else {}
    code = str(error.get("code") or "")
    rollback = info.get("rollbackInfo") if isinstance(info.get("rollbackInfo"), dict) else {}
    creator = str(info.get("creator") or "") or None
    details = [f"status {status}"] if status else []
    if code:
        details.append(f"errorInformation.code {code}")
    if ended is not None and ended < started:
        details.append("completeTime before startTime (CodeDeploy's documented clock skew)")
        ended = started
    kind = ROLLBACK if creator in ROLLBACK_CREATORS else RELEASE
    rolled_back = restored = None
    rollback_id = rollback.get("rollbackDeploymentId")
    if kind == RELEASE and isinstance(rollback_id, str) and rollback_id:
        rolled_back = _by_whom(code, status)
        restored = when((infos.get(rollback_id) or {}).get("completeTime"))
        details.append(f"rolled back by {rollback_id}")
    trigger = rollback.get("rollbackTriggeringDeploymentId")
    if kind == ROLLBACK and isinstance(trigger, str) and trigger:
        details.append(f"rolls back {trigger}")
    return Release(
        source="codedeploy:deployment",
        id=deployment,
        started=started,
        ended=ended,
        outcome=OUTCOMES.get(status, IN_PROGRESS),
        kind=kind,
        rolled_back=rolled_back,
        restored=restored,
        started_by=creator,
        detail="; ".join(details),
    )


def _by_whom(code: str, status: str) -> str:
    """Who rolled a release back, inferred from its error code (see the module)."""
    if code in MANUAL_CODES or (not code and status == "Stopped"):
        return MANUAL
    return AUTOMATIC
