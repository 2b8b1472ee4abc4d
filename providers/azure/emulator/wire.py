"""Azure Resource Manager wire shapes: resources, lists and error bodies.

The JSON follows the REST API of Microsoft.Web (sites, slots, config/web),
Microsoft.Network (trafficManagerProfiles) and Microsoft.Resources
(subscriptions), as the SDKs' models name the fields.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from scanner.emulators.server import Response

DEFAULT_LOCATION = "UK South"
WEB = "Microsoft.Web"
NETWORK = "Microsoft.Network"
ERROR_CODES = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "AuthorizationFailed",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    all_headers = {
        "Content-Type": "application/json; charset=utf-8",
        "x-ms-request-id": str(uuid.uuid4()),
        "x-ms-correlation-request-id": str(uuid.uuid4()),
        "x-ms-ratelimit-remaining-subscription-reads": "11999",
    }
    all_headers.update(headers or {})
    return Response(status, json.dumps(body).encode(), all_headers)


def error(status: int, code: str | None, message: str, **headers: str) -> Response:
    """An ARM error body: `{"error": {"code", "message"}}`."""
    body = {"error": {"code": code or ERROR_CODES.get(status, "Error"), "message": message}}
    return json_response(body, status, headers)


def subscription(sub: dict[str, Any], tenant: str) -> dict[str, Any]:
    sid = str(sub["id"]).lower()
    return {
        "id": f"/subscriptions/{sid}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": sid,
        "tenantId": tenant,
        "displayName": sub.get("name", sid),
        "state": sub.get("state", "Enabled"),
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def site_id(app: dict[str, Any]) -> str:
    return (
        f"/subscriptions/{app['subscription']}/resourceGroups/{app['resource_group']}"
        f"/providers/{WEB}/sites/{app['name']}"
    )


def _site_properties(app: dict[str, Any], host: str, slot: str | None) -> dict[str, Any]:
    farm = (
        f"/subscriptions/{app['subscription']}/resourceGroups/{app['resource_group']}"
        f"/providers/{WEB}/serverfarms/{app.get('plan', app['name'] + '-plan')}"
    )
    return {
        "name": app["name"] if slot is None else f"{app['name']}({slot})",
        "state": app.get("state", "Running"),
        "hostNames": [host],
        "repositorySiteName": app["name"],
        "usageState": "Normal",
        "enabled": True,
        "enabledHostNames": [host, host.replace(".azurewebsites", ".scm.azurewebsites")],
        "availabilityState": "Normal",
        "serverFarmId": farm,
        "reserved": "linux" in app.get("kind", "app"),
        "lastModifiedTimeUtc": "2026-11-20T09:30:00.000Z",
        "siteConfig": {
            "numberOfWorkers": 1,
            "linuxFxVersion": "",
            "acrUseManagedIdentityCreds": False,
        },
        "trafficManagerHostNames": None,
        "scmSiteAlsoStopped": False,
        "clientAffinityEnabled": False,
        "hostNamesDisabled": False,
        "containerSize": 0,
        "dailyMemoryTimeQuota": 0,
        "resourceGroup": app["resource_group"],
        "defaultHostName": host,
        "slotSwapStatus": app.get("last_swap") if slot is None else None,
        "httpsOnly": True,
        "redundancyMode": "None",
        **_function_app_config(app),
    }


def _function_app_config(app: dict[str, Any]) -> dict[str, Any]:
    """A Flex Consumption app's functionAppConfig, shaped as in the REST API
    spec's CreateOrUpdateFunctionAppFlexConsumptionWithDetails example; a
    fixture's `flex` holds the `siteUpdateStrategy` type, or None for none."""
    if "flex" not in app:
        return {}
    config: dict[str, Any] = {
        "deployment": {
            "storage": {
                "type": "blobContainer",
                "value": f"https://{app['name'].replace('-', '')}.blob.core.windows.net/deploy",
                "authentication": {"type": "SystemAssignedIdentity"},
            }
        },
        "runtime": {"name": app.get("runtime_name", "python"), "version": "3.11"},
        "scaleAndConcurrency": {"maximumInstanceCount": 100, "instanceMemoryMB": 2048},
    }
    if app["flex"] is not None:
        config["siteUpdateStrategy"] = {"type": app["flex"]}
    return {"functionAppConfig": config, "sku": "FlexConsumption"}


def site(app: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": site_id(app),
        "name": app["name"],
        "type": f"{WEB}/sites",
        "kind": app.get("kind", "app"),
        "location": app.get("location", DEFAULT_LOCATION),
        "tags": app.get("tags", {}),
        "properties": _site_properties(app, f"{app['name']}.azurewebsites.net", None),
    }


def slot(app: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    name = entry["name"]
    return {
        "id": f"{site_id(app)}/slots/{name}",
        "name": f"{app['name']}/{name}",
        "type": f"{WEB}/sites/slots",
        "kind": app.get("kind", "app"),
        "location": app.get("location", DEFAULT_LOCATION),
        "tags": entry.get("tags", app.get("tags", {})),
        "properties": _site_properties(app, f"{app['name']}-{name}.azurewebsites.net", name),
    }


def _rule(app: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    out = {"actionHostName": f"{app['name']}-{rule.get('name', 'staging')}.azurewebsites.net"}
    out.update(rule)
    return out


def site_config(app: dict[str, Any], entry: dict[str, Any] | None = None) -> dict[str, Any]:
    """config/web of the production site (entry None) or of one slot."""
    source = app if entry is None else entry
    base = site_id(app) if entry is None else f"{site_id(app)}/slots/{entry['name']}"
    rules = [_rule(app, r) for r in app.get("routing_rules", [])] if entry is None else []
    return {
        "id": f"{base}/config/web",
        "name": app["name"] if entry is None else f"{app['name']}/{entry['name']}",
        "type": f"{WEB}/sites/config" if entry is None else f"{WEB}/sites/slots/config",
        "location": app.get("location", DEFAULT_LOCATION),
        "properties": {
            "numberOfWorkers": source.get("workers", 1),
            "defaultDocuments": ["index.html", "hostingstart.html"],
            "netFrameworkVersion": "v4.0",
            "linuxFxVersion": source.get("runtime", ""),
            "requestTracingEnabled": False,
            "httpLoggingEnabled": False,
            "detailedErrorLoggingEnabled": False,
            "use32BitWorkerProcess": True,
            "webSocketsEnabled": False,
            "alwaysOn": source.get("always_on", True),
            "managedPipelineMode": "Integrated",
            "loadBalancing": "LeastRequests",
            "experiments": {"rampUpRules": rules},
            "autoHealEnabled": False,
            "healthCheckPath": source.get("health_check_path"),
            "autoSwapSlotName": source.get("auto_swap"),
            "http20Enabled": True,
            "minTlsVersion": "1.2",
            "ftpsState": "Disabled",
        },
    }


def profile_id(tm: dict[str, Any]) -> str:
    return (
        f"/subscriptions/{tm['subscription']}/resourceGroups/{tm['resource_group']}"
        f"/providers/{NETWORK}/trafficManagerProfiles/{tm['name']}"
    )


def _endpoint(tm: dict[str, Any], ep: dict[str, Any]) -> dict[str, Any]:
    kind = ep.get("type", "azureEndpoints")
    props: dict[str, Any] = {
        "endpointStatus": ep.get("status", "Enabled"),
        "endpointMonitorStatus": ep.get("monitor_status", "Online"),
        "target": ep.get("target", f"{ep['name']}.azurewebsites.net"),
        "weight": ep.get("weight", 1),
        "priority": ep.get("priority", 1),
        "alwaysServe": ep.get("always_serve", "Disabled"),
    }
    if props["weight"] is None:  # a fixture's `weight: None` serves no weight at all
        del props["weight"]
    if kind == "azureEndpoints":
        props["targetResourceId"] = ep.get("target_resource_id")
        props["endpointLocation"] = ep.get("location", DEFAULT_LOCATION)
    return {
        "id": f"{profile_id(tm)}/{kind}/{ep['name']}",
        "name": ep["name"],
        "type": f"{NETWORK}/trafficManagerProfiles/{kind}",
        "properties": props,
    }


def profile(tm: dict[str, Any]) -> dict[str, Any]:
    monitor = {
        "profileMonitorStatus": "Online",
        "protocol": "HTTPS",
        "port": 443,
        "path": "/",
        "intervalInSeconds": 30,
        "toleratedNumberOfFailures": 3,
        "timeoutInSeconds": 10,
        "customHeaders": [],
        "expectedStatusCodeRanges": [],
    }
    monitor.update(tm.get("monitor", {}))
    return {
        "id": profile_id(tm),
        "name": tm["name"],
        "type": f"{NETWORK}/trafficManagerProfiles",
        "location": "global",
        "tags": tm.get("tags", {}),
        "properties": {
            "profileStatus": tm.get("status", "Enabled"),
            "trafficRoutingMethod": tm.get("routing", "Priority"),
            "dnsConfig": {
                "relativeName": tm["name"],
                "fqdn": f"{tm['name']}.trafficmanager.net",
                "ttl": 60,
            },
            "monitorConfig": monitor,
            "endpoints": [_endpoint(tm, ep) for ep in tm.get("endpoints", [])],
            "trafficViewEnrollmentStatus": "Disabled",
            "allowedEndpointRecordTypes": ["DomainName"],
            "maxReturn": None,
        },
    }
