"""The GCP emulator's deployment records, from an estate's `releases:` specs
(scanner/emulators/releases.py), in each API's own JSON:

- a Cloud Deploy pipeline's releases, their rollouts (one to the first
  stage's target half an hour before, when there are two stages or more, and
  one to the last target at the record's time), rollback rollouts (on the
  last release that succeeded, `rollbackOfRollout` / `rolledBackByRollouts`), and repair
  automation runs for automatic rollbacks, which expire 14 days after they are
  created (an expired run is no longer served; the rolled-back rollout keeps
  its name in `metadata.automation.repairAutomationRuns`);
- a spec with `not_started: true` is a rhythm of releases whose last-target
  rollout was refused at approval (APPROVAL_REJECTED, no deploy times);
- a Cloud Run service's revisions (`createTime`);
- an App Engine service's versions (`createTime`, `createdBy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from scanner.emulators.releases import Record, expand

STATES = {"succeeded": "SUCCEEDED", "failed": "FAILED", "stopped": "CANCELLED"}
RUN_LIFE = timedelta(days=14)


def timeline(specs: list[dict[str, Any]], now: datetime) -> list[tuple[Record, bool]]:
    """Every spec's records in start order, each with whether it never started
    (its spec says `not_started: true`)."""
    started = expand([s for s in specs if not s.get("not_started")], now)
    never = expand([s for s in specs if s.get("not_started")], now)
    merged = [(r, False) for r in started] + [(r, True) for r in never]
    return sorted(merged, key=lambda pair: pair[0].started)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class PipelineRecords:
    releases: list[dict[str, Any]] = field(default_factory=list)
    rollouts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by release name
    runs: list[dict[str, Any]] = field(default_factory=list)


def pipeline_records(
    pipeline: dict[str, Any], specs: list[dict[str, Any]], now: datetime
) -> PipelineRecords:
    name = pipeline["name"]
    short = name.rsplit("/", 1)[-1]
    stages = [s["targetId"] for s in (pipeline.get("serialPipeline") or {}).get("stages") or []]
    out = PipelineRecords()
    if not specs or not stages:
        return out
    last = stages[-1]
    previous: str | None = None

    def rollout(release: str, target: str, number: int, **fields: Any) -> dict[str, Any]:
        rid = f"{release.rsplit('/', 1)[-1]}-to-{target}-{number:04d}"
        raw = {"name": f"{release}/rollouts/{rid}", "uid": rid, "targetId": target, **fields}
        out.rollouts.setdefault(release, []).append(raw)
        return raw

    for n, (record, refused) in enumerate(timeline(specs, now), 1):
        release = f"{name}/releases/{short}-{n:04d}"
        created = record.started - timedelta(minutes=40)
        out.releases.append(
            {"name": release, "uid": f"{short}-{n:04d}", "createTime": stamp(created),
             "renderState": "SUCCEEDED"}
        )  # fmt: skip
        if len(stages) > 1:
            at = record.started - timedelta(minutes=30)
            rollout(release, stages[0], 1, createTime=stamp(at), deployStartTime=stamp(at),
                    deployEndTime=stamp(at + timedelta(minutes=5)), state="SUCCEEDED")  # fmt: skip
        if refused:  # the release never reached the last target
            rollout(release, last, 1, createTime=stamp(record.started),
                    approvalState="REJECTED", state="APPROVAL_REJECTED")  # fmt: skip
            continue
        main = rollout(
            release, last, 1,
            createTime=stamp(record.started - timedelta(minutes=2)),
            deployStartTime=stamp(record.started),
            deployEndTime=stamp(record.ended),
            state=STATES[record.outcome],
        )  # fmt: skip
        if record.outcome == "failed":
            main["failureReason"] = "verify job failed"
        if record.rolled_back:  # onto the last release that succeeded
            _rollback(out, main, record, previous or release, last, rollout, now)
        if record.outcome == "succeeded":
            previous = release
    return out


def _rollback(
    out: PipelineRecords, main: dict[str, Any], record: Record, onto: str, target: str,
    rollout: Any, now: datetime,
) -> None:  # fmt: skip
    assert record.restored is not None
    number = len([r for r in out.rollouts.get(onto, []) if r["targetId"] == target]) + 1
    back = rollout(
        onto, target, number,
        createTime=stamp(record.ended + timedelta(seconds=30)),
        deployStartTime=stamp(record.ended + timedelta(minutes=1)),
        deployEndTime=stamp(record.restored),
        state="SUCCEEDED",
        rollbackOfRollout=main["name"],
    )  # fmt: skip
    main["rolledBackByRollouts"] = [back["name"]]
    if record.rolled_back != "automatic":
        return
    pipeline = main["name"].split("/releases/")[0]
    run = f"{pipeline}/automationRuns/repair-{main['uid']}"
    main["metadata"] = {"automation": {"repairAutomationRuns": [run]}}
    created = record.ended
    if now - created >= RUN_LIFE:  # expired: no longer served
        return
    out.runs.append(
        {
            "name": run,
            "createTime": stamp(created),
            "updateTime": stamp(record.restored),
            "expireTime": stamp(created + RUN_LIFE),
            "serviceAccount": "deployer@example.iam.gserviceaccount.com",
            "targetId": target,
            "state": "SUCCEEDED",
            "automationId": "repair",
            "ruleId": "repair-verify",
            "repairRolloutOperation": {
                "rollout": main["name"],
                "repairPhases": [
                    {"rollback": {"rolloutId": back["uid"], "state": "REPAIR_STATE_SUCCEEDED",
                                  "destinationPhase": "stable"}}
                ],
            },
        }
    )  # fmt: skip


def revisions(service: str, specs: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """A Cloud Run service's revisions, newest first (as `gcloud run revisions
    list` shows them)."""
    short = service.rsplit("/", 1)[-1]
    out = [
        {
            "name": f"{service}/revisions/{short}-{n:05d}-rev",
            "uid": f"{short}-{n:05d}",
            "generation": str(n),
            "createTime": stamp(record.started),
            "updateTime": stamp(record.ended),
            "service": short,
        }
        for n, record in enumerate(expand(specs, now), 1)
    ]
    return out[::-1]


def versions(
    service: str, specs: list[dict[str, Any]], now: datetime, deployer: str
) -> list[dict[str, Any]]:
    return [
        {
            "name": f"{service}/versions/{record.started.strftime('%Y%m%dt%H%M%S')}",
            "id": record.started.strftime("%Y%m%dt%H%M%S"),
            "createTime": stamp(record.started),
            "createdBy": deployer,
            "servingStatus": "SERVING",
        }
        for record in expand(specs, now)
    ]
