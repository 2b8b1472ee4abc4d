"""The OCI emulator's wire shapes: fixture entries completed with the fields
the real APIs always send, ids made up where a fixture leaves them out, and
the error body OCI answers with. Keys are the APIs' camelCase names."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from scanner.emulators.server import Response

CREATED = "2025-04-01T09:00:00.000Z"
SUMMARY_ONLY_ABSENT = ("deployPipelineArtifacts", "deployPipelineEnvironments")


def make_ocid(kind: str, region: str, seed: str) -> str:
    digest = hashlib.sha256(f"{kind}/{region}/{seed}".encode()).hexdigest()
    return f"ocid1.{kind}.oc1.{region}.aaaaaaaa{digest[:52]}"


def json_response(
    data: Any, status: int = 200, next_page: str | None = None, request_id: str = ""
) -> Response:
    headers = {"content-type": "application/json", "opc-request-id": request_id or "emulated"}
    if next_page:
        headers["opc-next-page"] = next_page
    return Response(status, json.dumps(data).encode(), headers)


def error(status: int, code: str, message: str, retry_after: float = 1) -> Response:
    """OCI's error body; throttling (429) also says when to come back."""
    resp = json_response({"code": code, "message": message}, status)
    if status == 429:
        resp.headers["retry-after"] = f"{retry_after:g}"
    return resp


FAULTS = {  # injected fault kind -> OCI's status, code and message for it
    "throttle": (429, "TooManyRequests", "Too many requests for the user"),
    "500": (500, "InternalServerError", "Internal server error"),
    "503": (503, "ServiceUnavailable", "The service is currently unavailable"),
}


def raw_overrides(out: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """A fixture's `wire` fields replace the completed ones verbatim and its
    `drop` fields are removed: how tests serve malformed or hostile answers."""
    out.update(entry.get("wire", {}))
    for key in entry.get("drop", []):
        out.pop(key, None)
    return out


def compartment(entry: dict[str, Any], tenancy: str) -> dict[str, Any]:
    return raw_overrides(
        {
            "id": entry["id"],
            "compartmentId": entry.get("parent", tenancy),
            "name": entry["name"],
            "description": entry.get("description", entry["name"]),
            "timeCreated": CREATED,
            "lifecycleState": "ACTIVE",
            "isAccessible": True,
            "freeformTags": {},
            "definedTags": {},
        },
        entry,
    )


def _backend(raw: dict[str, Any]) -> dict[str, Any]:
    out = {"ipAddress": "10.0.0.10", "port": 8080, "weight": 1}
    out.update(raw)
    out.setdefault("name", f"{out['ipAddress']}:{out['port']}")
    for flag in ("drain", "backup", "offline"):
        out.setdefault(flag, False)
    return out


def _backend_set(name: str, raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name,
        "policy": "ROUND_ROBIN",
        "healthChecker": {
            "protocol": "HTTP",
            "urlPath": "/health",
            "port": 8080,
            "returnCode": 200,
            "retries": 3,
            "timeoutInMillis": 3000,
            "intervalInMillis": 10000,
        },
    }
    out.update({k: v for k, v in raw.items() if k != "backends"})
    out["backends"] = [_backend(b) for b in raw.get("backends", [])]
    return out


def _listener(name: str, raw: dict[str, Any]) -> dict[str, Any]:
    out = {"name": name, "port": 443, "protocol": "HTTP", "hostnameNames": [], "ruleSetNames": []}
    out.update(raw)
    return out


def load_balancer(entry: dict[str, Any], region: str) -> dict[str, Any]:
    raw = dict(entry["lb"])
    name = raw.get("displayName", "lb")
    out: dict[str, Any] = {
        "id": make_ocid("loadbalancer", region, name),
        "compartmentId": entry["compartment"],
        "displayName": name,
        "lifecycleState": "ACTIVE",
        "timeCreated": CREATED,
        "shapeName": "flexible",
        "shapeDetails": {"minimumBandwidthInMbps": 10, "maximumBandwidthInMbps": 100},
        "isPrivate": False,
        "ipAddresses": [{"ipAddress": "203.0.113.10", "isPublic": True}],
        "subnetIds": [make_ocid("subnet", region, name)],
        "networkSecurityGroupIds": [],
        "hostnames": {},
        "certificates": {},
        "sslCipherSuites": {},
        "pathRouteSets": {},
        "ruleSets": {},
        "routingPolicies": {},
        "freeformTags": {},
        "definedTags": {},
        "systemTags": {},
    }
    out.update({k: v for k, v in raw.items() if k not in ("backendSets", "listeners")})
    out["backendSets"] = {n: _backend_set(n, b) for n, b in raw.get("backendSets", {}).items()}
    out["listeners"] = {n: _listener(n, li) for n, li in raw.get("listeners", {}).items()}
    return raw_overrides(out, entry)


def pipeline(entry: dict[str, Any], region: str, summary: bool) -> dict[str, Any]:
    raw = dict(entry["pipeline"])
    name = raw.get("displayName", "pipeline")
    out: dict[str, Any] = {
        "id": make_ocid("devopsdeploypipeline", region, name),
        "displayName": name,
        "description": "",
        "projectId": make_ocid("devopsproject", region, entry["compartment"]),
        "compartmentId": entry["compartment"],
        "timeCreated": CREATED,
        "lifecycleState": "ACTIVE",
        "deployPipelineParameters": {"items": []},
        "deployPipelineArtifacts": {"items": []},
        "deployPipelineEnvironments": {"items": []},
        "freeformTags": {},
        "definedTags": {},
        "systemTags": {},
    }
    out.update(raw)
    if summary:
        for key in SUMMARY_ONLY_ABSENT:
            out.pop(key, None)
    return raw_overrides(out, entry)


def stages(entry: dict[str, Any], region: str) -> list[dict[str, Any]]:
    """The pipeline's stages; each follows the one before it unless it names
    its predecessors with `after` (display names) or a predecessor collection."""
    pipe = pipeline(entry, region, summary=True)
    raws = [dict(r) for r in entry.get("stages", [])]
    names = [r.get("displayName", str(r.get("deployStageType", "stage")).lower()) for r in raws]
    ids = {
        n: r.get("id") or make_ocid("devopsdeploystage", region, f"{pipe['displayName']}/{n}")
        for n, r in zip(names, raws, strict=True)
    }
    ids["pipeline"] = pipe["id"]
    out: list[dict[str, Any]] = []
    previous = pipe["id"]
    for name, raw in zip(names, raws, strict=True):
        after = raw.pop("after", None)
        dropped = raw.pop("drop", [])
        stage: dict[str, Any] = {
            "id": ids[name],
            "displayName": name,
            "description": "",
            "projectId": pipe["projectId"],
            "deployPipelineId": pipe["id"],
            "compartmentId": pipe["compartmentId"],
            "timeCreated": CREATED,
            "lifecycleState": "ACTIVE",
            "freeformTags": {},
            "definedTags": {},
            "systemTags": {},
        }
        preds = [ids.get(a, a) for a in after] if after is not None else [previous]
        stage["deployStagePredecessorCollection"] = {"items": [{"id": p} for p in preds]}
        stage.update(raw)
        stage = raw_overrides(stage, {"drop": dropped})
        previous = stage.get("id")
        out.append(stage)
    return out
