"""The OCI emulator's DevOps deployments (a mixin of OciEmulator), from a
pipeline entry's `releases:` specs (scanner/emulators/releases.py).

Each record is a PIPELINE_DEPLOYMENT with its execution progress (one entry
per stage). A record rolled back automatically has its last stage in
ROLLBACK_SUCCEEDED (finished when the earlier version was back); one rolled
back by a person is followed by a SINGLE_STAGE_REDEPLOYMENT of the deployment
before it (`previousDeploymentId`), as "Rolling Back a Deployment" describes.
A spec with `not_started: true` is a rhythm of deployments cancelled while
they waited (CANCELED, no execution times).
ListDeployments answers summaries (no execution progress), honours
`deployPipelineId`, `compartmentId`, `id`, `timeCreatedGreaterThanOrEqualTo`,
`timeCreatedLessThan` and `sortOrder`, and pages like every DevOps list;
GetDeployment answers the full, polymorphic deployment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from providers.oci.emulator import wire
from scanner.emulators.releases import expand
from scanner.emulators.server import Request

STATES = {"succeeded": "SUCCEEDED", "failed": "FAILED", "stopped": "CANCELED"}
SUMMARY_ABSENT = (
    "deploymentExecutionProgress",
    "deployPipelineArtifacts",
    "deployPipelineEnvironments",
    "previousDeploymentId",
    "deployStageId",
)


def _stamp(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def deployments(entry: dict[str, Any], region: str, now: datetime) -> list[dict[str, Any]]:
    """The pipeline's deployments, oldest first, in GetDeployment's shape."""
    pipe = wire.pipeline(entry, region, summary=True)
    stages = wire.stages(entry, region)
    out: list[dict[str, Any]] = []

    def deployment(seed: str, kind: str, started: datetime, ended: datetime, state: str,
                   progress: dict[str, Any], **extra: Any) -> dict[str, Any]:  # fmt: skip
        raw = {
            "id": wire.make_ocid("devopsdeployment", region, f"{pipe['displayName']}/{seed}"),
            "displayName": f"{pipe['displayName']}-{seed}",
            "deploymentType": kind,
            "projectId": pipe["projectId"],
            "deployPipelineId": pipe["id"],
            "compartmentId": pipe["compartmentId"],
            "timeCreated": _stamp(started - timedelta(minutes=1)),
            "timeUpdated": _stamp(ended),
            "lifecycleState": state,
            "deploymentArguments": {"items": []},
            "deployPipelineArtifacts": {"items": []},
            "deployPipelineEnvironments": {"items": []},
            "deploymentExecutionProgress": {
                "timeStarted": _stamp(started),
                "timeFinished": _stamp(ended),
                "deployStageExecutionProgress": progress,
            },
            "freeformTags": {},
            "definedTags": {},
            "systemTags": {},
            **extra,
        }
        out.append(raw)
        return raw

    def progress(started: datetime, ended: datetime, last: str, upto: int | None = None
                 ) -> dict[str, Any]:  # fmt: skip
        chosen = stages if upto is None else stages[upto:]
        found = {}
        for n, stage in enumerate(chosen):
            final = n == len(chosen) - 1
            found[stage["id"]] = {
                "deployStageDisplayName": stage["displayName"],
                "deployStageType": stage["deployStageType"],
                "deployStageId": stage["id"],
                "timeStarted": _stamp(started),
                "timeFinished": _stamp(ended),
                "status": last if final else "SUCCEEDED",
            }
        return found

    previous: dict[str, Any] | None = None
    specs = entry.get("releases") or []
    for record in expand([s for s in specs if s.get("not_started")], now):
        raw = deployment(f"{record.id}-cancelled", "PIPELINE_DEPLOYMENT", record.started,
                         record.started, "CANCELED", {})  # fmt: skip
        raw["deploymentExecutionProgress"] = {"deployStageExecutionProgress": {}}
    for record in expand([s for s in specs if not s.get("not_started")], now):
        state = STATES[record.outcome]
        automatic = record.rolled_back == "automatic" and record.restored is not None
        last = "ROLLBACK_SUCCEEDED" if automatic else state
        ended = record.restored if automatic and record.restored else record.ended
        raw = deployment(record.id, "PIPELINE_DEPLOYMENT", record.started, ended, state,
                         progress(record.started, ended, last))  # fmt: skip
        if record.rolled_back == "manual" and record.restored is not None and previous:
            at = record.ended + timedelta(minutes=1)
            deployment(f"{record.id}-rollback", "SINGLE_STAGE_REDEPLOYMENT", at,
                       record.restored, "SUCCEEDED",
                       progress(at, record.restored, "SUCCEEDED", upto=len(stages) - 1),
                       previousDeploymentId=previous["id"],
                       deployStageId=stages[-1]["id"])  # fmt: skip
        if state == "SUCCEEDED":
            previous = raw
    return sorted(out, key=lambda d: d["timeCreated"])


class DeploymentHandlers:
    pipelines: list[dict[str, Any]]
    now: datetime

    def _deployments(self, region: str) -> list[dict[str, Any]]:
        return [
            d
            for e in self.pipelines
            if e["region"] == region and e.get("releases")
            for d in deployments(e, region, self.now)
        ]

    def ListDeployments(self, region: str, req: Request) -> list[dict[str, Any]]:
        from providers.oci.emulator.app import OciFault

        pipeline, compartment, ident = (
            req.arg("deployPipelineId"), req.arg("compartmentId"), req.arg("id"))  # fmt: skip
        if not pipeline and not compartment and not ident:
            raise OciFault(400, "InvalidParameter", "one of id, deployPipelineId, compartmentId")
        since, until = req.arg("timeCreatedGreaterThanOrEqualTo"), req.arg("timeCreatedLessThan")
        out = []
        for raw in self._deployments(region):
            created = _parse(raw["timeCreated"])
            if pipeline and raw["deployPipelineId"] != pipeline:
                continue
            if compartment and raw["compartmentId"] != compartment:
                continue
            if ident and raw["id"] != ident:
                continue
            if (since and created < _parse(since)) or (until and created >= _parse(until)):
                continue
            out.append({k: v for k, v in raw.items() if k not in SUMMARY_ABSENT})
        out.sort(key=lambda r: r["timeCreated"], reverse=req.arg("sortOrder") != "ASC")
        return out

    def GetDeployment(self, region: str, deployment_id: str) -> dict[str, Any]:
        from providers.oci.emulator.app import NOT_FOUND, OciFault

        for raw in self._deployments(region):
            if raw["id"] == deployment_id:
                return raw
        raise OciFault(404, "NotAuthorizedOrNotFound", NOT_FOUND)
