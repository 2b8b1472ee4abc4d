"""A DevOps deploy pipeline's release records: its deployments.

`ListDeployments` (the pipeline's, created in the period: the API's
`timeCreatedGreaterThanOrEqualTo` filter) gives each deployment's type and
state; its start, end and stage statuses are only in `GetDeployment`
(`deploymentExecutionProgress`), so each deployment is read once more.

- Start and end: `deploymentExecutionProgress.timeStarted` / `timeFinished`.
  A deployment that never started (cancelled or still waiting) is left out.
- Outcome: `lifecycleState` (SUCCEEDED, FAILED, CANCELED/CANCELING = stopped,
  ACCEPTED/IN_PROGRESS = in progress).
- Automatic rollback: a stage whose status is ROLLBACK_IN_PROGRESS or
  ROLLBACK_SUCCEEDED ("If the stage fails, the last successful release version
  is deployed", https://docs.oracle.com/en-us/iaas/devops/using/deployment_rollback.htm);
  the earlier version is back when that stage finished. ROLLBACK_FAILED is
  said in the detail, not counted as a rollback.
- Manual rollback: "The rollback of a single stage in a pipeline is considered
  a new deployment" (same page): a SINGLE_STAGE_REDEPLOYMENT of a
  `previousDeploymentId` is a rollback record, and the release before it is
  rolled back by a person. A PIPELINE_REDEPLOYMENT (re-running a deployment)
  is a rollback too when it re-runs a deployment older than the last one that
  succeeded before it; re-running the latest one is a release again.
- No deployment names who started it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from providers.oci.operation import Operation
from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    IN_PROGRESS,
    MANUAL,
    RELEASE,
    ROLLBACK,
    STOPPED,
    SUCCEEDED,
    UNKNOWN,
    History,
    Release,
)

if TYPE_CHECKING:
    from providers.oci.context import OciContext
    from scanner.model import Observation
    from scanner.practice.settings import Period

SOURCE = "OCI DevOps deployments"
RECORD = "devops:deployment"
PAGE = 100
OPERATIONS = (
    Operation("devops", "ListDeployments", "GET", "/20210630/deployments", "inspect",
              "devops-deployment", "DEVOPS_DEPLOY_DEPLOYMENT_INSPECT"),
    Operation("devops", "GetDeployment", "GET", "/20210630/deployments/{deploymentId}", "read",
              "devops-deployment", "DEVOPS_DEPLOY_DEPLOYMENT_READ"),
)  # fmt: skip
OUTCOMES = {
    "SUCCEEDED": SUCCEEDED,
    "FAILED": FAILED,
    "CANCELED": STOPPED,
    "CANCELING": STOPPED,
    "ACCEPTED": IN_PROGRESS,
    "IN_PROGRESS": IN_PROGRESS,
}
ROLLED_BACK = ("ROLLBACK_IN_PROGRESS", "ROLLBACK_SUCCEEDED")
NOT_STARTED = "never started (cancelled or still waiting)"
FIELDS = [
    "deployment.deploymentType",
    "deployment.lifecycleState",
    "deployment.previousDeploymentId",
    "deployment.deploymentExecutionProgress.timeStarted",
    "deployment.deploymentExecutionProgress.timeFinished",
    "deployment.deploymentExecutionProgress.deployStageExecutionProgress[].status",
]
NOTE = (
    "No deployment names who started it. Retention is not documented. A "
    "blue-green stage's 'revert traffic shift' is not told apart from other "
    "deployments."
)


def _stages(deployment: Any) -> list[Any]:
    progress = getattr(deployment, "deployment_execution_progress", None)
    found = getattr(progress, "deploy_stage_execution_progress", None) or {}
    return list(found.values()) if isinstance(found, dict) else []


def _record(deployment: Any) -> Release | None:
    progress = deployment.deployment_execution_progress
    started: datetime | None = getattr(progress, "time_started", None)
    if started is None:
        return None
    stages = _stages(deployment)
    rolled = [s for s in stages if s.status in ROLLED_BACK]
    failed_rollback = [s for s in stages if s.status == "ROLLBACK_FAILED"]
    restored = next((s.time_finished for s in rolled if s.status == "ROLLBACK_SUCCEEDED"), None)
    detail = str(deployment.lifecycle_details or "")
    if failed_rollback:
        names = ", ".join(str(s.deploy_stage_display_name) for s in failed_rollback)
        detail = f"automatic rollback failed at stage {names}"
    return Release(
        source=RECORD,
        id=str(deployment.id),
        started=started,
        ended=getattr(progress, "time_finished", None),
        outcome=OUTCOMES.get(str(deployment.lifecycle_state), UNKNOWN),
        rolled_back=AUTOMATIC if rolled else None,
        restored=restored,
        detail=detail,
    )  # fmt: skip


def _rollbacks(records: list[tuple[Any, Release]]) -> list[Release]:
    """The records in start order, with manual rollbacks marked: a
    redeployment of a deployment other than the latest release before it
    restores an older version, and that latest release was undone by a person.
    A redeployment of the latest release is a re-run: a release. With no
    release before it in the period, a single-stage redeployment is a rollback
    (the documented use) and a pipeline redeployment a re-run."""
    out: list[Release] = []
    for deployment, record in sorted(records, key=lambda pair: pair[1].started):
        kind = deployment.deployment_type
        if kind in ("SINGLE_STAGE_REDEPLOYMENT", "PIPELINE_REDEPLOYMENT"):
            previous = getattr(deployment, "previous_deployment_id", None)
            releases = [r for r in out if r.kind == RELEASE]
            latest = releases[-1] if releases else None
            back = kind == "SINGLE_STAGE_REDEPLOYMENT" if latest is None else previous != latest.id
            what = "redeployment of an earlier deployment" if back else "re-run"
            record = replace(record, kind=ROLLBACK if back else RELEASE,
                             detail=record.detail or f"{what} {previous}")  # fmt: skip
            if back and latest is not None and latest.rolled_back is None:
                restored = record.ended if record.outcome == SUCCEEDED else None
                out[out.index(latest)] = replace(latest, rolled_back=MANUAL, restored=restored)
        out.append(record)
    return out


def history(ctx: OciContext, unit: Observation, period: Period) -> History:
    from providers.oci.pages import all_items
    from scanner.fanout import fan_out

    client = ctx.client("devops")
    summaries = all_items(
        client.list_deployments,
        deploy_pipeline_id=unit.id,
        time_created_greater_than_or_equal_to=period.start,
        sort_by="timeCreated",
        sort_order="ASC",
        limit=PAGE,
    )
    deployments = list(fan_out(summaries, lambda s: client.get_deployment(s.id).data))
    records: list[tuple[Any, Release]] = []
    left_out = 0
    for deployment in deployments:
        record = _record(deployment)
        if record is None:
            left_out += 1
        elif record.started >= period.start:
            records.append((deployment, record))
    return History(
        source=SOURCE,
        releases=_rollbacks(records),
        kept="not documented",
        note=NOTE,
        left_out={NOT_STARTED: left_out} if left_out else {},
        fields=list(FIELDS),
    )
