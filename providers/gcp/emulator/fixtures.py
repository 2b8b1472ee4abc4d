"""Turning the `gcp` part of an estate file into API resources.

Fixture resources are written in each API's JSON (camelCase field names, enum
names as text). This module adds the fields the API fills in itself (selfLink,
id, kind, the `calculated` sizes, full resource names), expands short names of
templates and backend services to full URLs, and checks every resulting
resource strictly against the SDK's message type.
"""

from __future__ import annotations

import copy
import math
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from providers.gcp.emulator.wire import FixtureError, parse

COMPUTE = "https://www.googleapis.com/compute/v1"
DEFAULT_PARENT = "organizations/123456789012"  # a project's, when the estate names none
PARENT = re.compile(r"(?:organizations|folders)/[1-9][0-9]{0,19}")
CREATED = "2024-01-15T09:30:00.000Z"  # every project's and folder's createTime
_EXPAND = {"defaultService": "backendServices", "service": "backendServices",
           "backendService": "backendServices"}  # fmt: skip


def _number(text: str) -> str:
    return str(100000000000 + zlib.crc32(text.encode()) % 900000000000)


def _id(*parts: str) -> str:
    return str(zlib.crc32("/".join(parts).encode()) * 1000 + 7)


@dataclass
class ProjectFixture:
    id: str
    number: str
    state: str
    disabled: set[str]
    migs: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    templates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    url_maps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    forwarding_rules: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    http_proxies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    https_proxies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    app: dict[str, Any] | None = None
    gae_services: list[dict[str, Any]] = field(default_factory=list)
    run_services: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    run_locations: list[str] = field(default_factory=list)
    parent: str = DEFAULT_PARENT
    deploy: Any = None  # Cloud Deploy's resources (emulator/deploy.py, DeployFixture)
    # Deployment records (emulator/records.py): by Cloud Run service name, by
    # App Engine service id.
    run_revisions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    gae_versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _scope_of(project: str, raw: dict[str, Any], zonal: bool) -> tuple[str, str]:
    """('zones/Z' | 'regions/R' | 'global', URL prefix) for a compute resource."""
    base = f"{COMPUTE}/projects/{project}"
    if zonal and raw.get("zone"):
        zone = str(raw["zone"]).rsplit("/", 1)[-1]
        raw["zone"] = f"{base}/zones/{zone}"
        return f"zones/{zone}", f"{base}/zones/{zone}"
    if raw.get("region"):
        region = str(raw["region"]).rsplit("/", 1)[-1]
        raw["region"] = f"{base}/regions/{region}"
        return f"regions/{region}", f"{base}/regions/{region}"
    if zonal:
        raise FixtureError(f"instance group manager {raw.get('name')}: give a zone or a region")
    return "global", f"{base}/global"


def _template_url(project: str, name: str | None) -> str | None:
    if not name or "/" in name:
        return name
    return f"{COMPUTE}/projects/{project}/global/instanceTemplates/{name}"


def _calculated(value: dict[str, Any], size: int, round_up: bool) -> None:
    if "fixed" in value:
        value["calculated"] = value["fixed"]
    elif "percent" in value:
        share = size * value["percent"] / 100
        value["calculated"] = math.ceil(share) if round_up else math.floor(share)


def mig(project: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    raw = copy.deepcopy(data)
    scope, prefix = _scope_of(project, raw, zonal=True)
    name = raw["name"]
    raw.setdefault("kind", "compute#instanceGroupManager")
    raw.setdefault("id", _id(project, scope, name))
    raw.setdefault("baseInstanceName", name)
    raw["selfLink"] = f"{prefix}/instanceGroupManagers/{name}"
    raw["instanceGroup"] = f"{prefix}/instanceGroups/{name}"
    raw.setdefault("targetSize", 0)
    if raw.get("instanceTemplate"):
        raw["instanceTemplate"] = _template_url(project, raw["instanceTemplate"])
    versions = raw.setdefault("versions", [])
    if not versions and raw.get("instanceTemplate"):
        versions.append({"instanceTemplate": raw["instanceTemplate"]})
    for version in versions:
        version["instanceTemplate"] = _template_url(project, version.get("instanceTemplate"))
        if "targetSize" in version:
            _calculated(version["targetSize"], raw["targetSize"], round_up=True)
    if len(versions) == 1 and not raw.get("instanceTemplate"):
        raw["instanceTemplate"] = versions[0]["instanceTemplate"]
    policy = raw.get("updatePolicy") or {}
    for key, up in (("maxSurge", True), ("maxUnavailable", False)):
        if isinstance(policy.get(key), dict):
            _calculated(policy[key], raw["targetSize"], round_up=up)
    parse("InstanceGroupManager", raw, f"instance group manager {name}")
    return scope, raw


def template(project: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    raw = copy.deepcopy(data)
    scope, prefix = _scope_of(project, raw, zonal=False)
    raw.setdefault("kind", "compute#instanceTemplate")
    raw.setdefault("id", _id(project, scope, raw["name"]))
    raw["selfLink"] = f"{prefix}/instanceTemplates/{raw['name']}"
    parse("InstanceTemplate", raw, f"instance template {raw['name']}")
    return scope, raw


def _expand_services(node: Any, project: str, prefix: str) -> None:
    if isinstance(node, list):
        for item in node:
            _expand_services(item, project, prefix)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _EXPAND and isinstance(value, str) and "/" not in value:
                node[key] = f"{prefix}/backendServices/{value}"
            else:
                _expand_services(value, project, prefix)


def url_map(project: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    raw = copy.deepcopy(data)
    scope, prefix = _scope_of(project, raw, zonal=False)
    raw.setdefault("kind", "compute#urlMap")
    raw.setdefault("id", _id(project, scope, raw["name"]))
    raw["selfLink"] = f"{prefix}/urlMaps/{raw['name']}"
    _expand_services(raw, project, prefix)
    parse("UrlMap", raw, f"URL map {raw['name']}")
    return scope, raw


def frontend(
    project: str, data: dict[str, Any], collection: str, type_name: str, link: str
) -> tuple[str, dict[str, Any]]:
    """A target proxy (`link` urlMap) or a forwarding rule (`link` target); a
    short link (`NAME`, or `COLLECTION/NAME` for a target) is made a full URL."""
    raw = copy.deepcopy(data)
    scope, prefix = _scope_of(project, raw, zonal=False)
    raw.setdefault("kind", f"compute#{type_name[0].lower()}{type_name[1:]}")
    raw.setdefault("id", _id(project, scope, collection, raw["name"]))
    raw["selfLink"] = f"{prefix}/{collection}/{raw['name']}"
    value = raw.get(link)
    if isinstance(value, str) and not value.startswith("https://"):
        raw[link] = f"{prefix}/{value}" if "/" in value else f"{prefix}/urlMaps/{value}"
    parse(type_name, raw, f"{type_name} {raw['name']}")
    return scope, raw


def gae_service(project: str, data: dict[str, Any]) -> dict[str, Any]:
    raw = copy.deepcopy(data)
    raw["name"] = f"apps/{project}/services/{raw['id']}"
    parse("AppEngineService", raw, f"App Engine service {raw['id']}")
    return raw


def run_service(project: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    raw = copy.deepcopy(data)
    location = raw.pop("location")
    short = raw["name"].rsplit("/", 1)[-1]
    raw["name"] = f"projects/{project}/locations/{location}/services/{short}"
    raw.setdefault("uid", f"{_id(project, location, short)}-uid")
    raw.setdefault("uri", f"https://{short}-{_number(project)[:8]}.{location}.run.app")
    revision = raw.pop("latestReadyRevision", f"{short}-00001-abc")
    raw["latestReadyRevision"] = f"{raw['name']}/revisions/{revision.rsplit('/', 1)[-1]}"
    raw.setdefault("latestCreatedRevision", raw["latestReadyRevision"])
    parse("RunService", raw, f"Cloud Run service {short}")
    return location, raw


def project_resource(fx: ProjectFixture) -> dict[str, Any]:
    """A project as Resource Manager v3 returns it."""
    raw: dict[str, Any] = {
        "name": f"projects/{fx.number}",
        "parent": fx.parent,
        "projectId": fx.id,
        "state": fx.state,
        "displayName": fx.id,
        "createTime": CREATED,
        "updateTime": CREATED,
    }
    if fx.state == "DELETE_REQUESTED":
        raw["deleteTime"] = CREATED
    return raw


def project(data: dict[str, Any], now: datetime | None = None) -> ProjectFixture:
    """A project's fixture; `releases:` on a service or pipeline are expanded
    relative to `now` (default: the real now)."""
    from providers.gcp.emulator import records

    now = now or datetime.now(UTC)
    pid = str(data["id"])
    fx = ProjectFixture(
        id=pid,
        number=str(data.get("number") or _number(pid)),
        state=str(data.get("state", "ACTIVE")),
        disabled=set(data.get("apis_disabled") or []),
        parent=str(data.get("parent") or DEFAULT_PARENT),
    )
    if not PARENT.fullmatch(fx.parent):
        raise FixtureError(f"project {pid}: parent must be organizations/N or folders/N")
    if fx.state not in ("ACTIVE", "DELETE_REQUESTED"):
        raise FixtureError(f"project {pid}: state must be ACTIVE or DELETE_REQUESTED")
    fx.migs = [mig(pid, m) for m in data.get("instance_group_managers") or []]
    fx.templates = [template(pid, t) for t in data.get("instance_templates") or []]
    fx.url_maps = [url_map(pid, u) for u in data.get("url_maps") or []]
    fx.http_proxies = [frontend(pid, x, "targetHttpProxies", "TargetHttpProxy", "urlMap")
                       for x in data.get("target_http_proxies") or []]  # fmt: skip
    fx.https_proxies = [frontend(pid, x, "targetHttpsProxies", "TargetHttpsProxy", "urlMap")
                        for x in data.get("target_https_proxies") or []]  # fmt: skip
    fx.forwarding_rules = [frontend(pid, x, "forwardingRules", "ForwardingRule", "target")
                           for x in data.get("forwarding_rules") or []]  # fmt: skip
    if data.get("app_engine") is not None:
        app = {"name": f"apps/{pid}", "id": pid, **copy.deepcopy(data["app_engine"])}
        parse("Application", app, f"App Engine application of {pid}")
        fx.app = app
    deployer = f"ci-deployer@{pid}.iam.gserviceaccount.com"
    for s in data.get("appengine_services") or []:
        raw = gae_service(pid, {k: v for k, v in s.items() if k != "releases"})
        fx.gae_services.append(raw)
        fx.gae_versions[raw["id"]] = records.versions(raw["name"], s.get("releases"), now,
                                                      deployer)  # fmt: skip
    for s in data.get("run_services") or []:
        location, raw = run_service(pid, {k: v for k, v in s.items() if k != "releases"})
        fx.run_services.setdefault(location, []).append(raw)
        fx.run_revisions[raw["name"]] = records.revisions(raw["name"], s.get("releases"), now)
    fx.run_locations = list(
        data.get("run_locations") or sorted(fx.run_services) or ["europe-west2"]
    )
    from providers.gcp.emulator.deploy import deploy_fixture

    fx.deploy = deploy_fixture(pid, data, now)
    return fx
