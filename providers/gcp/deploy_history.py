"""A Cloud Deploy pipeline's release records: the rollouts on its last target.

Rollouts are children of releases, so the pipeline's releases are listed
newest first (`orderBy=create_time desc`), and each release's rollouts are
listed (side by side); a rollout on another target (staging) is not this unit's. Listing
stops after the first release created before the period: a rollback rollout
is created on the release it restores, which may be that one. A rollout that
rolled back one of ours but lives on an older release is fetched by name
(`rolledBackByRollouts`), so that every rollback's end is known.

- `deployStartTime` (after approval and queueing) and `deployEndTime` are the
  record's start and end; a rollout that never started deploying (awaiting or
  refused approval, cancelled in the queue) is not a release: left out.
- A rollout whose `rollbackOfRollout` is set is a rollback record; the
  rolled-back rollout lists it in `rolledBackByRollouts`.
- Automatic or manual: a repair automation run's rollback attempt names the
  rollback rollout (`repairRolloutOperation.repairPhases[].rollback.rolloutId`);
  runs expire 14 days after they are created, so for older ones the rolled-back
  rollout's `metadata.automation.repairAutomationRuns` (the names of the repair
  runs, kept on the rollout) stands for them. A rollback with neither is a
  person's.
- Declared windows: timed promotions to the last target
  (`timedPromoteReleaseRule.schedule`, a cron in `timeZone`). Deploy policies'
  `rolloutRestriction.timeWindows` are not read: they are when rollouts are
  *restricted* (https://cloud.google.com/deploy/docs/deploy-policy), a freeze,
  not a release window.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from providers.gcp.deploy_windows import timed_windows
from providers.gcp.facts import api_dict
from providers.gcp.reads import SEGMENT, rest_get
from scanner.practice.records import (
    AUTOMATIC,
    FAILED,
    IN_PROGRESS,
    MANUAL,
    ROLLBACK,
    STOPPED,
    SUCCEEDED,
    History,
    Release,
)

if TYPE_CHECKING:
    from providers.gcp.context import GcpContext
    from scanner.model import Observation
    from scanner.practice.settings import Period

SOURCE = "Cloud Deploy rollouts"
RECORD = "clouddeploy:rollout"
PAGE = 100  # releases, rollouts and automation runs asked for a page
RUN_DAYS = 14  # "An AutomationRun expires after 14 days from its creation date"
OUTCOMES = {
    "SUCCEEDED": SUCCEEDED,
    "FAILED": FAILED,
    "CANCELLED": STOPPED,
    "CANCELLING": STOPPED,
    "HALTED": STOPPED,
    "IN_PROGRESS": IN_PROGRESS,
    "PENDING": IN_PROGRESS,
}
NOT_DEPLOYED = "never started deploying (approval pending or refused, or cancelled before it began)"
FIELDS = [
    "rollout.deployStartTime",
    "rollout.deployEndTime",
    "rollout.state",
    "rollout.targetId",
    "rollout.rollbackOfRollout",
    "rollout.rolledBackByRollouts",
    "rollout.failureReason",
    "rollout.metadata.automation.repairAutomationRuns",
    "rollout.metadata.automation.promoteAutomationRun",
    "automationRun.repairRolloutOperation.repairPhases[].rollback.rolloutId",
    "automation.rules[].timedPromoteReleaseRule.schedule / timeZone",
]
NOTE = (
    "Cloud Deploy records no person on a rollout (Cloud Audit Logs do). Automation "
    "runs, which name the rollbacks a repair rule made, expire after 14 days; an "
    "older rollback is automatic when the rolled-back rollout names a repair "
    "automation run."
)
PIPELINE = f"/v1/projects/{SEGMENT}/locations/{SEGMENT}/deliveryPipelines/{SEGMENT}"
READS = (
    rest_get("clouddeploy", "projects.locations.deliveryPipelines.releases.list",
             f"{PIPELINE}/releases", "clouddeploy.releases.list"),
    rest_get("clouddeploy", "projects.locations.deliveryPipelines.releases.rollouts.list",
             f"{PIPELINE}/releases/{SEGMENT}/rollouts", "clouddeploy.rollouts.list"),
    rest_get("clouddeploy", "projects.locations.deliveryPipelines.releases.rollouts.get",
             f"{PIPELINE}/releases/{SEGMENT}/rollouts/{SEGMENT}", "clouddeploy.rollouts.get"),
    rest_get("clouddeploy", "projects.locations.deliveryPipelines.automationRuns.list",
             f"{PIPELINE}/automationRuns", "clouddeploy.automationRuns.list"),
)  # fmt: skip


def _time(raw: dict[str, Any], key: str) -> datetime | None:
    text = raw.get(key)
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else None


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _rollouts(ctx: GcpContext, pipeline: str, target: str, period: Period) -> list[dict[str, Any]]:
    """The last target's rollouts of the releases created in the period and the
    newest one created before it, newest release first. The releases are
    listed first (newest first, stopping there); their rollouts side by side."""
    from scanner.fanout import fan_out

    client = ctx.clients.get("deploy")
    retry = ctx.clients.retry
    request = {"parent": pipeline, "page_size": PAGE, "order_by": "create_time desc"}
    releases: list[str] = []
    for release in client.list_releases(request=request, retry=retry):
        raw = api_dict(release)
        releases.append(str(raw["name"]))
        created = _time(raw, "createTime")
        if created is not None and created < period.start:
            break

    def on_target(release: str) -> list[dict[str, Any]]:
        pager = client.list_rollouts(request={"parent": release, "page_size": PAGE}, retry=retry)
        return [r for r in map(api_dict, pager) if r.get("targetId") == target]

    return [rollout for found in fan_out(releases, on_target) for rollout in found]


def _repair_rollbacks(ctx: GcpContext, pipeline: str) -> tuple[dict[str, str], set[str]]:
    """From the pipeline's automation runs (the last 14 days): the rollback
    rollouts repair rules made (rollout id -> automation/rule), and the names
    of the repair runs still kept."""
    client = ctx.clients.get("deploy")
    pager = client.list_automation_runs(request={"parent": pipeline, "page_size": PAGE},
                                        retry=ctx.clients.retry)  # fmt: skip
    made: dict[str, str] = {}
    kept: set[str] = set()
    for run in map(api_dict, pager):
        operation = run.get("repairRolloutOperation")
        if operation is None:
            continue
        kept.add(str(run.get("name")))
        for phase in operation.get("repairPhases") or []:
            rollout = (phase.get("rollback") or {}).get("rolloutId")
            if rollout:
                made[str(rollout)] = f"{run.get('automationId')}/{run.get('ruleId')}"
    return made, kept


def _record(raw: dict[str, Any]) -> Release | None:
    started = _time(raw, "deployStartTime")
    if started is None:
        return None
    automation = (raw.get("metadata") or {}).get("automation") or {}
    promoted = automation.get("promoteAutomationRun")
    return Release(
        source=RECORD,
        id=str(raw.get("name")),
        started=started,
        ended=_time(raw, "deployEndTime"),
        outcome=OUTCOMES.get(str(raw.get("state")), "unknown"),
        kind=ROLLBACK if raw.get("rollbackOfRollout") else "release",
        started_by=f"automation run {_short(str(promoted))}" if promoted else None,
        detail=str(raw.get("failureReason") or raw.get("deployFailureCause") or ""),
    )


def history(ctx: GcpContext, unit: Observation, period: Period) -> History:
    fact = unit.facts.get("last_target")
    target = str(fact.value) if fact is not None and fact.value else ""
    pipeline = f"projects/{unit.account}/locations/{unit.location}/deliveryPipelines/{unit.name}"
    found = _rollouts(ctx, pipeline, target, period) if target else []
    by_name = {str(r.get("name")): r for r in found}
    client = ctx.clients.get("deploy")
    wanted = {
        name
        for r in found
        for name in r.get("rolledBackByRollouts") or []
        if name not in by_name and (_time(r, "deployStartTime") or period.start) >= period.start
    }
    for name in sorted(wanted):  # a rollback on a release older than the ones listed
        by_name[name] = api_dict(client.get_rollout(name=name, retry=ctx.clients.retry))
    made, kept = (
        _repair_rollbacks(ctx, pipeline)
        if any(r.get("rollbackOfRollout") for r in by_name.values())
        else ({}, set())
    )

    def rolled_back_by(rollback: dict[str, Any]) -> tuple[str, str | None]:
        """(automatic | manual, who) for one rollback rollout."""
        rid = _short(str(rollback.get("name")))
        if rid in made:
            return AUTOMATIC, f"repair rule {made[rid]}"
        victim = by_name.get(str(rollback.get("rollbackOfRollout"))) or {}
        runs = ((victim.get("metadata") or {}).get("automation") or {}).get(
            "repairAutomationRuns"
        ) or []
        expired = [r for r in runs if r not in kept]
        if expired:  # the repair runs named on the rollout are gone (14 days)
            return AUTOMATIC, "repair automation run (expired)"
        return MANUAL, None

    releases: list[Release] = []
    left_out = 0
    for raw in sorted(by_name.values(), key=lambda r: str(r.get("createTime"))):
        record = _record(raw)
        if record is None:
            left_out += (_time(raw, "createTime") or period.start) >= period.start
            continue
        if record.started < period.start:
            continue
        if record.kind == ROLLBACK:
            how, who = rolled_back_by(raw)
            record = replace(record, started_by=record.started_by or who,
                             detail=record.detail or f"{how} rollback")  # fmt: skip
        names = raw.get("rolledBackByRollouts") or []
        rollbacks = [by_name[n] for n in names if n in by_name]
        if rollbacks:
            first = min(rollbacks, key=lambda r: str(r.get("createTime")))
            restored = _time(first, "deployEndTime") if first.get("state") == "SUCCEEDED" else None
            record = replace(record, rolled_back=rolled_back_by(first)[0], restored=restored)
        releases.append(record)
    return History(
        source=SOURCE,
        releases=sorted(releases, key=lambda r: r.started),
        covers_from=None,
        kept="as long as the release exists (no documented limit)",
        note=NOTE,
        left_out={NOT_DEPLOYED: left_out} if left_out else {},
        declared_windows=timed_windows(ctx, pipeline, target) if target else [],
        fields=list(FIELDS),
    )
