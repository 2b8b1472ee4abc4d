"""Injected faults as Resource Manager answers them, declared-fault messages,
wire overlays for malformed answers, and the evidence replay key.

Throttling is HTTP 429 with `Retry-After` (seconds) and an ARM error body:
`SubscriptionRequestsThrottled` for a subscription's calls,
`TenantRequestsThrottled` for tenant-level ones (the subscription list), with
the remaining-reads header at 0. A 500 is ARM's `InternalServerError` with its
diagnostic message; a 503 is `ServiceUnavailable` with `Retry-After`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from providers.azure.emulator import wire
from providers.azure.permissions import request_key
from scanner.emulators.server import Request, Response

CALLER = "00000000-0000-0000-0000-00000000feed"


def _subscription(path: str) -> str:
    parts = path.lower().split("/")
    return parts[parts.index("subscriptions") + 1] if "subscriptions" in parts[:-1] else ""


def fault_response(kind: str, req: Request, retry_after: str) -> Response:
    sub = _subscription(req.path)
    if kind == "throttle":
        scope, header = (
            (f"subscription '{sub}'", "x-ms-ratelimit-remaining-subscription-reads")
            if sub
            else ("tenant", "x-ms-ratelimit-remaining-tenant-reads")
        )
        code = "SubscriptionRequestsThrottled" if sub else "TenantRequestsThrottled"
        message = (
            f"Number of 'read' requests for {scope} actioned by user '{CALLER}' exceeded. "
            f"Please try again after '{retry_after}' seconds after additional tokens are "
            "available. Refer to https://aka.ms/arm-throttling"
        )
        return wire.error(429, code, message, **{"Retry-After": retry_after, header: "0"})
    if kind == "500":
        now = dt.datetime.now(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        message = (
            f"Encountered internal server error. Diagnostic information: timestamp '{now}', "
            f"subscription id '{sub}', tracking id '{uuid.uuid4()}', request correlation id "
            f"'{uuid.uuid4()}'."
        )
        return wire.error(500, "InternalServerError", message)
    if kind == "503":
        message = "The server is currently unable to handle the request. Please retry later."
        return wire.error(503, "ServiceUnavailable", message, **{"Retry-After": retry_after})
    raise ValueError(f"no Resource Manager answer for fault {kind!r}")


def declared_message(status: int, action: str, sub: str) -> str:
    """The message of a fault declared in the estate fixture (`faults:`)."""
    if status == 403:
        return (
            f"The client 'relscan-demo' with object id '{CALLER}' "
            f"does not have authorization to perform action '{action}' over scope "
            f"'/subscriptions/{sub}' or the scope is invalid. If access was recently "
            "granted, please refresh your credentials."
        )
    if status == 401:
        return "The access token is invalid."
    if status == 429:
        return (
            f"Number of 'read' requests for subscription '{sub}' exceeded. Please try "
            "again after additional tokens are available. Refer to https://aka.ms/arm-throttling"
        )
    return f"injected HTTP {status}"


def replay_key(req: Request) -> dict[str, Any]:
    """The key the provider records each response under (request_key, one
    function for both ends): method, decoded lower-case path, sorted query."""
    query = [(k, v) for k, vs in req.query.items() for v in vs]
    return request_key(req.method, f"{req.path}?{urlencode(query)}")


def overlay(doc: Any, patch: Any) -> Any:
    """A fixture's `wire` (or `config_wire`) laid over the JSON served: dicts
    merge key by key, anything else replaces, and the string `<absent>`
    removes the key, so tests can serve malformed or missing fields."""
    if not isinstance(doc, dict) or not isinstance(patch, dict):
        return patch
    out = dict(doc)
    for key, value in patch.items():
        if value == "<absent>":
            out.pop(key, None)
        else:
            out[key] = overlay(out.get(key), value) if isinstance(value, dict) else value
    return out
