"""The Kubernetes API's JSON shapes the emulator answers with: discovery
documents, list envelopes and `Status` error objects (metav1.Status)."""

from __future__ import annotations

import json
from typing import Any

from scanner.emulators.server import Response

JSON = {"Content-Type": "application/json"}

EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. "
    "You can start a new list without the continue parameter, or use the continue token "
    "in this response to retrieve the remainder of the results. Continuing with the "
    "provided token results in an inconsistent list - objects that were created, modified, "
    "or deleted between the time the first chunk was returned and now may show up in the list."
)
REASONS = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 410: "Expired"}


def ok(body: dict[str, Any]) -> Response:
    return Response(200, json.dumps(body).encode(), dict(JSON))


def status(
    code: int,
    message: str,
    details: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": meta or {},
        "status": "Failure",
        "message": message,
        "reason": REASONS.get(code, "InternalError"),
        "code": code,
    }
    if details:
        body["details"] = details
    return Response(code, json.dumps(body).encode(), dict(JSON))


def forbidden(user: str, verb: str, resource: str, group: str, namespace: str | None) -> Response:
    qualified = f"{resource}.{group}" if group else resource
    where = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    message = (
        f'{qualified} is forbidden: User "{user}" cannot {verb} resource "{resource}" '
        f'in API group "{group}" {where}'
    )
    return status(403, message, {"group": group, "kind": resource})


def not_found(resource: str, group: str, name: str | None = None) -> Response:
    qualified = f"{resource}.{group}" if group else resource
    message = (
        f'{qualified} "{name}" not found'
        if name
        else "the server could not find the requested resource"
    )
    details: dict[str, Any] = {"group": group, "kind": resource}
    if name:
        details["name"] = name
    return status(404, message, details)


def expired(token: str) -> Response:
    return status(410, EXPIRED, meta={"continue": token})


def group_list(groups: dict[str, str]) -> dict[str, Any]:
    """APIGroupList for /apis: {group: version}."""
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [
            {
                "name": name,
                "versions": [{"groupVersion": f"{name}/{version}", "version": version}],
                "preferredVersion": {"groupVersion": f"{name}/{version}", "version": version},
            }
            for name, version in sorted(groups.items())
        ],
    }


def resource_list(group_version: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }


def object_list(
    kind: str, api_version: str, items: list[dict[str, Any]], token: str | None, remaining: int
) -> dict[str, Any]:
    meta: dict[str, Any] = {"resourceVersion": "1000"}
    if token:
        meta["continue"] = token
        meta["remainingItemCount"] = remaining
    return {"kind": f"{kind}List", "apiVersion": api_version, "metadata": meta, "items": items}
