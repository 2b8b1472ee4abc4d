"""Container Apps in the ARM emulator: routes, handlers and the wire shape.

The JSON follows the Microsoft.App REST API (the shape of the REST API spec's
ContainerApps_ListBySubscription.json example, 2025-02-02-preview, which
carries revisionTransitionThreshold and a labelled traffic rule). A fixture in
the estate's `container_apps` list holds `subscription`, `resource_group`,
`name`, `location`, `tags`, `mode` (activeRevisionsMode; null leaves it out),
`ingress` (false: none), `traffic` (ingress.traffic rules in ARM field names),
`transition_threshold`, `target_label`, `readiness` (false: no readiness
probe), `latest_revision`, and `wire` (JSON laid over what is served).
"""

from __future__ import annotations

from typing import Any

from providers.azure.emulator.faults import overlay
from providers.azure.emulator.wire import DEFAULT_LOCATION

APP = "Microsoft.App"
_RG = r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)"
ROUTES = [
    (
        "containerapps.list",
        r"/subscriptions/(?P<sub>[^/]+)/providers/microsoft\.app/containerapps",
        "Microsoft.App/containerApps/read",
    ),
    (
        "containerapps.get",
        _RG + r"/providers/microsoft\.app/containerapps/(?P<name>[^/]+)",
        "Microsoft.App/containerApps/read",
    ),
]


def app_id(app: dict[str, Any]) -> str:
    return (
        f"/subscriptions/{app['subscription']}/resourceGroups/{app['resource_group']}"
        f"/providers/{APP}/containerApps/{app['name']}"
    )


def _container(app: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": app["name"],
        "image": app.get("image", f"ddsregistry.azurecr.io/{app['name']}:2026.11.24"),
        "resources": {"cpu": 0.5, "memory": "1Gi", "ephemeralStorage": "2Gi"},
        "probes": [
            {
                "type": "Liveness",
                "httpGet": {"path": "/healthz", "port": 8080},
                "periodSeconds": 10,
            }
        ],
    }
    if app.get("readiness", True):
        container["probes"].append(
            {
                "type": "Readiness",
                "httpGet": {"path": "/ready", "port": 8080},
                "initialDelaySeconds": 3,
                "periodSeconds": 5,
            }
        )
    return container


def container_app(app: dict[str, Any]) -> dict[str, Any]:
    name = app["name"]
    latest = app.get("latest_revision", f"{name}--0000007")
    fqdn = f"{name}.wittymoss-3f1c2a7e.uksouth.azurecontainerapps.io"
    config: dict[str, Any] = {
        "secrets": [],
        "activeRevisionsMode": app.get("mode", "Single"),
        "registries": [{"server": "ddsregistry.azurecr.io", "identity": "system"}],
        "dapr": None,
        "maxInactiveRevisions": app.get("max_inactive", 100),
    }
    if config["activeRevisionsMode"] is None:
        del config["activeRevisionsMode"]
    if "transition_threshold" in app:
        config["revisionTransitionThreshold"] = app["transition_threshold"]
    if "target_label" in app:
        config["targetLabel"] = app["target_label"]
    if app.get("ingress", True):
        config["ingress"] = {
            "fqdn": fqdn,
            "external": app.get("external", True),
            "targetPort": 8080,
            "exposedPort": 0,
            "transport": "Auto",
            "traffic": app.get("traffic", [{"weight": 100, "latestRevision": True}]),
            "customDomains": None,
            "allowInsecure": False,
            "ipSecurityRestrictions": None,
            "stickySessions": {"affinity": "none"},
        }
    env = (
        f"/subscriptions/{app['subscription']}/resourceGroups/{app['resource_group']}"
        f"/providers/{APP}/managedEnvironments/dds-{app.get('environment', 'prod')}-env"
    )
    return {
        "id": app_id(app),
        "name": name,
        "type": f"{APP}/containerApps",
        "location": app.get("location", DEFAULT_LOCATION),
        "tags": app.get("tags", {}),
        "systemData": {
            "createdBy": "pipeline@dds.example",
            "createdByType": "Application",
            "createdAt": "2026-03-02T09:00:00.0000000Z",
            "lastModifiedBy": "pipeline@dds.example",
            "lastModifiedByType": "Application",
            "lastModifiedAt": "2026-11-24T10:12:00.0000000Z",
        },
        "properties": {
            "provisioningState": "Succeeded",
            "runningStatus": "Running",
            "managedEnvironmentId": env,
            "environmentId": env,
            "workloadProfileName": "Consumption",
            "outboundIpAddresses": ["20.90.1.10"],
            "latestRevisionName": latest,
            "latestReadyRevisionName": app.get("latest_ready_revision", latest),
            "latestRevisionFqdn": f"{latest}.wittymoss-3f1c2a7e.uksouth.azurecontainerapps.io",
            "customDomainVerificationId": "5C9B6E5D0B1A4C2F8E7D3A1B0C9D8E7F",
            "configuration": config,
            "template": {
                "revisionSuffix": "",
                "terminationGracePeriodSeconds": None,
                "containers": [_container(app)],
                "initContainers": None,
                "scale": {"minReplicas": 1, "maxReplicas": 10, "rules": None},
                "volumes": None,
                "serviceBinds": None,
            },
            "eventStreamEndpoint": (
                f"https://uksouth.azurecontainerapps.dev/subscriptions/{app['subscription']}"
                f"/resourceGroups/{app['resource_group']}/containerApps/{name}/eventstream"
            ),
        },
    }


class ContainerAppsMixin:
    """The emulator's Container Apps handlers (AzureEmulator mixes them in)."""

    container_apps: list[dict[str, Any]]
    _find: Any  # AzureEmulator's lookup

    def containerapps_list(self, sub: str) -> list[Any]:
        return [_served(a) for a in self.container_apps if a["subscription"] == sub.lower()]

    def containerapps_get(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        found = self._find(self.container_apps, sub.lower(), rg, name, f"{APP}/containerApps")
        return _served(found)


def _served(app: dict[str, Any]) -> Any:
    return overlay(container_app(app), app.get("wire", {}))
