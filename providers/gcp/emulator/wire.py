"""GCP wire formats for the emulator: resources checked and written by the SDK's
own message types, and Google's JSON error bodies.

Every fixture resource is parsed with its protobuf type in strict mode (an
unknown or misspelt field is an error), and every answer is written back by
protobuf's JSON printer: camelCase names, int64 as strings, and enums as
integers when the client asks for `$alt=json;enum-encoding=int`, as Google's
REST front ends do.
"""

from __future__ import annotations

import json
from typing import Any

from google.cloud import appengine_admin_v1, compute_v1, deploy_v1, resourcemanager_v3, run_v2
from google.cloud.location import locations_pb2
from google.protobuf import json_format
from google.protobuf.message import Message

from scanner.emulators.server import Response

TYPES: dict[str, Any] = {
    "InstanceGroupManager": compute_v1.InstanceGroupManager,
    "InstanceGroupManagerAggregatedList": compute_v1.InstanceGroupManagerAggregatedList,
    "InstanceTemplate": compute_v1.InstanceTemplate,
    "InstanceTemplateAggregatedList": compute_v1.InstanceTemplateAggregatedList,
    "UrlMap": compute_v1.UrlMap,
    "UrlMapsAggregatedList": compute_v1.UrlMapsAggregatedList,
    "ForwardingRule": compute_v1.ForwardingRule,
    "ForwardingRuleAggregatedList": compute_v1.ForwardingRuleAggregatedList,
    "TargetHttpProxy": compute_v1.TargetHttpProxy,
    "TargetHttpProxyAggregatedList": compute_v1.TargetHttpProxyAggregatedList,
    "TargetHttpsProxy": compute_v1.TargetHttpsProxy,
    "TargetHttpsProxyAggregatedList": compute_v1.TargetHttpsProxyAggregatedList,
    "Application": appengine_admin_v1.Application,
    "AppEngineService": appengine_admin_v1.Service,
    "ListAppEngineServicesResponse": appengine_admin_v1.ListServicesResponse,
    "RunService": run_v2.Service,
    "ListRunServicesResponse": run_v2.ListServicesResponse,
    "Project": resourcemanager_v3.Project,
    "SearchProjectsResponse": resourcemanager_v3.SearchProjectsResponse,
    "ListProjectsResponse": resourcemanager_v3.ListProjectsResponse,
    "Folder": resourcemanager_v3.Folder,
    "ListFoldersResponse": resourcemanager_v3.ListFoldersResponse,
    "DeliveryPipeline": deploy_v1.DeliveryPipeline,
    "ListDeliveryPipelinesResponse": deploy_v1.ListDeliveryPipelinesResponse,
    "DeployTarget": deploy_v1.Target,
    "ListTargetsResponse": deploy_v1.ListTargetsResponse,
    "Automation": deploy_v1.Automation,
    "ListAutomationsResponse": deploy_v1.ListAutomationsResponse,
    "Release": deploy_v1.Release,
    "ListReleasesResponse": deploy_v1.ListReleasesResponse,
    "Rollout": deploy_v1.Rollout,
    "ListRolloutsResponse": deploy_v1.ListRolloutsResponse,
    "AutomationRun": deploy_v1.AutomationRun,
    "ListAutomationRunsResponse": deploy_v1.ListAutomationRunsResponse,
    "RunRevision": run_v2.Revision,
    "ListRunRevisionsResponse": run_v2.ListRevisionsResponse,
    "AppEngineVersion": appengine_admin_v1.Version,
    "ListVersionsResponse": appengine_admin_v1.ListVersionsResponse,
}
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
COMPUTE_REASONS = {400: "invalid", 403: "forbidden", 404: "notFound", 429: "rateLimitExceeded"}


class FixtureError(ValueError):
    """A fixture resource that the API's own message type rejects."""


def _message(type_name: str) -> Message:
    if type_name == "ListLocationsResponse":
        return locations_pb2.ListLocationsResponse()
    return TYPES[type_name].pb()()


def parse(type_name: str, data: dict[str, Any], where: str = "") -> Message:
    """Strict: unknown fields, wrong types and unknown enum names are errors."""
    message = _message(type_name)
    try:
        json_format.ParseDict(data, message, ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        raise FixtureError(f"{where or type_name}: {exc}") from None
    return message


def write(type_name: str, data: dict[str, Any], int_enums: bool) -> Response:
    """Answer 200 with `data` checked by and printed from its message type."""
    message = parse(type_name, data)
    body = json_format.MessageToDict(
        message, preserving_proto_field_name=False, use_integers_for_enums=int_enums
    )
    return Response(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def error(
    status: int,
    message: str,
    *,
    compute: bool = False,
    reason: str = "",
    metadata: dict[str, str] | None = None,
    retry_after: str | None = None,
) -> Response:
    """Google's JSON error body: compute's legacy `errors` list, or the
    google.rpc.Status shape, with an ErrorInfo detail when there is a reason."""
    err: dict[str, Any] = {"code": status, "message": message}
    if compute:
        err["errors"] = [
            {
                "message": message,
                "domain": "usageLimits" if reason == "SERVICE_DISABLED" else "global",
                "reason": "accessNotConfigured"
                if reason == "SERVICE_DISABLED"
                else COMPUTE_REASONS.get(status, "backendError"),
            }
        ]
    if not compute or reason:
        err["status"] = STATUS_NAMES.get(status, "UNKNOWN")
    if reason:
        err["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": metadata or {},
            }
        ]
    headers = {"Content-Type": "application/json; charset=UTF-8"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return Response(status, json.dumps({"error": err}).encode(), headers)


def fault_answer(kind: str, path: str, retry_after: int) -> Response:
    """An injected fault as Google's front ends answer it: 429 RESOURCE_EXHAUSTED
    (RATE_LIMIT_EXCEEDED, with Retry-After), 500 INTERNAL, 503 UNAVAILABLE;
    Compute Engine adds its legacy `errors` list."""
    compute = path.startswith("/compute/")
    if kind == "throttle":
        return error(
            429,
            "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per "
            "minute' of service.",
            compute=compute,
            reason="RATE_LIMIT_EXCEEDED",
            metadata={"quota_limit": "ReadRequestsPerMinutePerProject"},
            retry_after=str(retry_after),
        )
    if kind == "503":
        return error(503, "The service is currently unavailable.", compute=compute)
    return error(500, "Internal error encountered.", compute=compute)
