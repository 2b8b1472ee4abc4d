"""The GCP emulator's Cloud Deploy answers (a mixin of GcpEmulator) and the
fixture part they serve.

A project's `deploy_pipelines`, `deploy_targets` and `deploy_automations` are
written in the API's JSON with a `location` (and, for an automation, its
`pipeline`) and short names; the API's own fields (full names, uid, targetId,
etag, times) are filled in and every resource is checked strictly against the
SDK's message type. Lists page with pageToken/nextPageToken as the API does;
a missing resource is 404 NOT_FOUND in the google.rpc.Status shape.

Cloud Deploy's `GET /v1/projects/P/locations` has the same path as Cloud
Run's, and the emulator serves every API from one address, where the real
APIs are told apart by host. relscan sends Cloud Run's through a plain session
(providers/gcp/cloudrun.py) and Cloud Deploy's through the SDK client, whose
requests carry the `x-goog-request-params` routing header: the emulator
answers a locations list with that header as Cloud Deploy's (`deploy_locations`
in the fixture, or the locations of its pipelines and targets), so a disabled
Cloud Deploy API and faults on `clouddeploy` `locations.list` work as they do
for Cloud Run.
"""

from __future__ import annotations

import copy
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from providers.gcp.emulator.fixtures import ProjectFixture
from providers.gcp.emulator.records import PipelineRecords, pipeline_records
from providers.gcp.emulator.run import GcpFault
from providers.gcp.emulator.wire import error, parse, write
from scanner.emulators.server import Request, Response

CREATED = "2025-03-04T10:15:00.000000Z"


def gapic_call(req: Request) -> bool:
    """A request made by a generated (GAPIC) SDK client."""
    return any(k.lower() == "x-goog-request-params" for k in req.headers)


@dataclass
class DeployFixture:
    listed: list[str] = field(default_factory=list)  # deploy_locations, if given
    pipelines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    targets: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    automations: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    records: dict[str, PipelineRecords] = field(default_factory=dict)  # by pipeline name

    def locations(self) -> list[str]:
        return self.listed or sorted(set(self.pipelines) | set(self.targets)) or ["europe-west2"]


def _uid(*parts: str) -> str:
    return f"{zlib.crc32('/'.join(parts).encode()):08x}{zlib.crc32(parts[-1].encode()):08x}"


def _common(raw: dict[str, Any], name: str) -> None:
    raw.setdefault("uid", _uid(name))
    raw.setdefault("createTime", CREATED)
    raw.setdefault("updateTime", CREATED)
    raw.setdefault("etag", _uid(name, "etag")[:12])


def deploy_fixture(project: str, data: dict[str, Any], now: datetime) -> DeployFixture:
    fx = DeployFixture(listed=list(data.get("deploy_locations") or []))
    for item in data.get("deploy_pipelines") or []:
        raw = copy.deepcopy(item)
        location = raw.pop("location")
        specs = raw.pop("releases", None)
        short = raw["name"].rsplit("/", 1)[-1]
        raw["name"] = f"projects/{project}/locations/{location}/deliveryPipelines/{short}"
        _common(raw, raw["name"])
        raw.setdefault("condition", {"pipelineReadyCondition": {"status": True}})
        parse("DeliveryPipeline", raw, f"delivery pipeline {short}")
        fx.pipelines.setdefault(location, []).append(raw)
        fx.records[raw["name"]] = pipeline_records(raw, specs or [], now)
    for item in data.get("deploy_targets") or []:
        raw = copy.deepcopy(item)
        location = raw.pop("location")
        short = raw["name"].rsplit("/", 1)[-1]
        raw["name"] = f"projects/{project}/locations/{location}/targets/{short}"
        raw["targetId"] = short
        _common(raw, raw["name"])
        parse("DeployTarget", raw, f"Cloud Deploy target {short}")
        fx.targets.setdefault(location, []).append(raw)
    for item in data.get("deploy_automations") or []:
        raw = copy.deepcopy(item)
        location = raw.pop("location")
        pipeline = raw.pop("pipeline")
        short = raw["name"].rsplit("/", 1)[-1]
        raw["name"] = (
            f"projects/{project}/locations/{location}/deliveryPipelines/{pipeline}"
            f"/automations/{short}"
        )
        _common(raw, raw["name"])
        parse("Automation", raw, f"automation {short}")
        fx.automations.setdefault((location, pipeline), []).append(raw)
    return fx


class CloudDeploy:
    def _page(self, req: Request, items: list[Any], size_arg: str) -> tuple[list[Any], str]:
        raise NotImplementedError

    @staticmethod
    def _int_enums(req: Request) -> bool:
        raise NotImplementedError

    def _fixture(self, project: str) -> ProjectFixture:
        raise NotImplementedError

    def _deploy(self, project: str) -> DeployFixture:
        found = self._fixture(project).deploy
        return found if isinstance(found, DeployFixture) else DeployFixture()

    def _deploy_list(
        self, req: Request, items: list[dict[str, Any]], field_name: str, type_name: str
    ) -> Response:
        page, token = self._page(req, items, "pageSize")
        body: dict[str, Any] = {field_name: page}
        if token:
            body["nextPageToken"] = token
        return write(type_name, body, self._int_enums(req))

    def clouddeploy_locations_list(self, req: Request, a: dict[str, str]) -> Response:
        p = a["project"]
        locations = [
            {"name": f"projects/{p}/locations/{loc}", "locationId": loc, "displayName": loc}
            for loc in self._deploy(p).locations()
        ]
        return self._deploy_list(req, locations, "locations", "ListLocationsResponse")

    def clouddeploy_deliveryPipelines_list(self, req: Request, a: dict[str, str]) -> Response:
        items = self._deploy(a["project"]).pipelines.get(a["location"], [])
        return self._deploy_list(req, items, "deliveryPipelines", "ListDeliveryPipelinesResponse")

    def clouddeploy_deliveryPipelines_get(self, req: Request, a: dict[str, str]) -> Response:
        return self._deploy_get(req, a, "pipelines", "deliveryPipelines", "DeliveryPipeline")

    def clouddeploy_targets_list(self, req: Request, a: dict[str, str]) -> Response:
        items = self._deploy(a["project"]).targets.get(a["location"], [])
        return self._deploy_list(req, items, "targets", "ListTargetsResponse")

    def clouddeploy_targets_get(self, req: Request, a: dict[str, str]) -> Response:
        return self._deploy_get(req, a, "targets", "targets", "DeployTarget")

    def clouddeploy_automations_list(self, req: Request, a: dict[str, str]) -> Response:
        fx = self._deploy(a["project"])
        name = (
            f"projects/{a['project']}/locations/{a['location']}/deliveryPipelines/{a['pipeline']}"
        )
        if not any(p["name"] == name for p in fx.pipelines.get(a["location"], [])):
            raise GcpFault(error(404, f"Resource '{name}' was not found"))
        items = fx.automations.get((a["location"], a["pipeline"]), [])
        return self._deploy_list(req, items, "automations", "ListAutomationsResponse")

    def _deploy_get(
        self, req: Request, a: dict[str, str], attr: str, collection: str, type_name: str
    ) -> Response:
        name = f"projects/{a['project']}/locations/{a['location']}/{collection}/{a['name']}"
        for raw in getattr(self._deploy(a["project"]), attr).get(a["location"], []):
            if raw["name"] == name:
                return write(type_name, raw, self._int_enums(req))
        raise GcpFault(error(404, f"Resource '{name}' was not found"))

    # -- deployment records (--history) ----------------------------------------
    def _records(self, a: dict[str, str]) -> PipelineRecords:
        fx = self._deploy(a["project"])
        name = (
            f"projects/{a['project']}/locations/{a['location']}/deliveryPipelines/{a['pipeline']}"
        )
        if name not in fx.records:
            raise GcpFault(error(404, f"Resource '{name}' was not found"))
        return fx.records[name]

    def clouddeploy_releases_list(self, req: Request, a: dict[str, str]) -> Response:
        items = list(self._records(a).releases)  # created oldest first
        order = (req.arg("orderBy") or "").replace("createTime", "create_time").split()
        if order[:1] == ["create_time"]:
            items.sort(key=lambda r: r["createTime"], reverse=order[1:] == ["desc"])
        elif order:
            raise GcpFault(error(400, f"Invalid orderBy {req.arg('orderBy')!r}."))
        return self._deploy_list(req, items, "releases", "ListReleasesResponse")

    def _release_rollouts(self, a: dict[str, str]) -> list[dict[str, Any]]:
        records = self._records(a)
        release = (
            f"projects/{a['project']}/locations/{a['location']}/deliveryPipelines/"
            f"{a['pipeline']}/releases/{a['release']}"
        )
        if not any(r["name"] == release for r in records.releases):
            raise GcpFault(error(404, f"Resource '{release}' was not found"))
        return records.rollouts.get(release, [])

    def clouddeploy_rollouts_list(self, req: Request, a: dict[str, str]) -> Response:
        items = self._release_rollouts(a)
        return self._deploy_list(req, items, "rollouts", "ListRolloutsResponse")

    def clouddeploy_rollouts_get(self, req: Request, a: dict[str, str]) -> Response:
        for raw in self._release_rollouts(a):
            if raw["name"].endswith(f"/rollouts/{a['name']}"):
                return write("Rollout", raw, self._int_enums(req))
        raise GcpFault(error(404, f"Resource 'rollouts/{a['name']}' was not found"))

    def clouddeploy_automationRuns_list(self, req: Request, a: dict[str, str]) -> Response:
        items = self._records(a).runs
        return self._deploy_list(req, items, "automationRuns", "ListAutomationRunsResponse")
