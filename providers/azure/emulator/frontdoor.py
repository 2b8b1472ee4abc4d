"""Front Door Standard/Premium in the Azure emulator: Microsoft.Cdn profiles,
their origin groups, origins, AFD endpoints and routes, in the wire shape of
the REST API spec's examples (Profiles_List, AFDOriginGroups_ListByProfile,
AFDOrigins_ListByOriginGroup, AFDEndpoints_ListByProfile,
Routes_ListByEndpoint).

An estate's `front_door` entries are profiles: `subscription`,
`resource_group`, `name`, `sku` (default Standard_AzureFrontDoor), `tags`,
`origin_groups` (`name`, `latency` = additionalLatencyInMilliseconds, `probe`
= healthProbeSettings or None for none, `sample_size`, `successful_samples`,
`session_affinity`, `origins` with `name`, `host`, `weight`, `priority`,
`enabled`, and `wire`), `endpoints` (`name`, `enabled`, `routes` with
`name`, `origin_group`, `enabled`, `patterns`) and `wire`. Fault operations:
`cdnprofiles.list`, `cdnprofiles.get`, `origingroups.list`, `origingroups.get`,
`origins.list`, `afdendpoints.list`, `routes.list` (`name` is the profile's).
"""

from __future__ import annotations

from typing import Any

from providers.azure.emulator.faults import overlay

CDN = "Microsoft.Cdn"
_PROFILE = (
    r"/subscriptions/(?P<sub>[^/]+)/resourcegroups/(?P<rg>[^/]+)"
    r"/providers/microsoft\.cdn/profiles/(?P<name>[^/]+)"
)
ROUTES = [
    (
        "cdnprofiles.list",
        r"/subscriptions/(?P<sub>[^/]+)/providers/microsoft\.cdn/profiles",
        "Microsoft.Cdn/profiles/read",
    ),
    ("cdnprofiles.get", _PROFILE, "Microsoft.Cdn/profiles/read"),
    ("origingroups.list", _PROFILE + r"/origingroups", "Microsoft.Cdn/profiles/originGroups/read"),
    (
        "origingroups.get",
        _PROFILE + r"/origingroups/(?P<og>[^/]+)",
        "Microsoft.Cdn/profiles/originGroups/read",
    ),
    (
        "origins.list",
        _PROFILE + r"/origingroups/(?P<og>[^/]+)/origins",
        "Microsoft.Cdn/profiles/originGroups/origins/read",
    ),
    ("afdendpoints.list", _PROFILE + r"/afdendpoints", "Microsoft.Cdn/profiles/afdEndpoints/read"),
    (
        "routes.list",
        _PROFILE + r"/afdendpoints/(?P<ep>[^/]+)/routes",
        "Microsoft.Cdn/profiles/afdEndpoints/routes/read",
    ),
]


def profile_id(fd: dict[str, Any]) -> str:
    # ARM writes "resourcegroups" in lower case in these ids, as the examples show
    return (
        f"/subscriptions/{fd['subscription']}/resourcegroups/{fd['resource_group']}"
        f"/providers/{CDN}/profiles/{fd['name']}"
    )


def profile(fd: dict[str, Any]) -> dict[str, Any]:
    sku = fd.get("sku", "Standard_AzureFrontDoor")
    doc = {
        "id": profile_id(fd),
        "name": fd["name"],
        "type": f"{CDN}/profiles",
        "kind": "frontdoor" if sku.lower().endswith("_azurefrontdoor") else "cdn",
        "location": "Global",
        "tags": fd.get("tags", {}),
        "sku": {"name": sku},
        "properties": {
            "frontDoorId": fd.get("front_door_id", "3b4682da-b3e2-47a1-96ca-08ab3cb7294e"),
            "originResponseTimeoutSeconds": 30,
            "provisioningState": "Succeeded",
            "resourceState": "Active",
        },
    }
    return overlay(doc, fd.get("wire", {}))


def origin_group(fd: dict[str, Any], og: dict[str, Any]) -> dict[str, Any]:
    probe = og.get(
        "probe",
        {
            "probeIntervalInSeconds": 100,
            "probePath": "/",
            "probeProtocol": "Https",
            "probeRequestType": "HEAD",
        },
    )
    doc = {
        "id": f"{profile_id(fd)}/origingroups/{og['name']}",
        "name": og["name"],
        "type": f"{CDN}/profiles/origingroups",
        "properties": {
            "healthProbeSettings": probe,
            "loadBalancingSettings": {
                "additionalLatencyInMilliseconds": og.get("latency", 50),
                "sampleSize": og.get("sample_size", 4),
                "successfulSamplesRequired": og.get("successful_samples", 3),
            },
            "sessionAffinityState": og.get("session_affinity", "Disabled"),
            "trafficRestorationTimeToHealedOrNewEndpointsInMinutes": 10,
            "deploymentStatus": "NotStarted",
            "provisioningState": "Succeeded",
        },
    }
    return overlay(doc, og.get("wire", {}))


def origin(fd: dict[str, Any], og: dict[str, Any], o: dict[str, Any]) -> dict[str, Any]:
    doc = {
        "id": f"{profile_id(fd)}/origingroups/{og['name']}/origins/{o['name']}",
        "name": o["name"],
        "type": f"{CDN}/profiles/origingroups/origins",
        "properties": {
            "deploymentStatus": "NotStarted",
            "enabledState": o.get("enabled", "Enabled"),
            "enforceCertificateNameCheck": True,
            "hostName": o.get("host", f"{o['name']}.azurewebsites.net"),
            "httpPort": 80,
            "httpsPort": 443,
            "originGroupName": og["name"],
            "originHostHeader": o.get("host", f"{o['name']}.azurewebsites.net"),
            "priority": o.get("priority", 1),
            "provisioningState": "Succeeded",
            "sharedPrivateLinkResource": None,
            "weight": o.get("weight", 1000),
        },
    }
    return overlay(doc, o.get("wire", {}))


def endpoint(fd: dict[str, Any], ep: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f"{profile_id(fd)}/afdendpoints/{ep['name']}",
        "name": ep["name"],
        "type": f"{CDN}/profiles/afdendpoints",
        "location": "Global",
        "tags": {},
        "properties": {
            "autoGeneratedDomainNameLabelScope": "TenantReuse",
            "deploymentStatus": "NotStarted",
            "enabledState": ep.get("enabled", "Enabled"),
            "hostName": f"{ep['name']}-b2c3d4e5f6a7b8c9.z01.azurefd.net",
            "provisioningState": "Succeeded",
        },
    }


def route(fd: dict[str, Any], ep: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    # routes name their origin group with ARM's mixed casing (resourceGroups,
    # originGroups), unlike the group's own id: ids compare case-insensitively
    target = (
        f"/subscriptions/{fd['subscription']}/resourceGroups/{fd['resource_group']}"
        f"/providers/{CDN}/profiles/{fd['name']}/originGroups/{r['origin_group']}"
    )
    doc = {
        "id": f"{profile_id(fd)}/afdendpoints/{ep['name']}/routes/{r['name']}",
        "name": r["name"],
        "type": f"{CDN}/profiles/afdendpoints/routes",
        "properties": {
            "customDomains": [],
            "deploymentStatus": "NotStarted",
            "enabledState": r.get("enabled", "Enabled"),
            "forwardingProtocol": "HttpsOnly",
            "httpsRedirect": "Enabled",
            "linkToDefaultDomain": "Enabled",
            "originGroup": {"id": target},
            "originPath": None,
            "patternsToMatch": r.get("patterns", ["/*"]),
            "provisioningState": "Succeeded",
            "ruleSets": [],
            "supportedProtocols": ["Https", "Http"],
        },
    }
    return overlay(doc, r.get("wire", {}))


class FrontDoorHandlers:
    """The Front Door operations of AzureEmulator (which sets `front_door`,
    `_find` and raises its ArmFault through `_missing`)."""

    front_door: list[dict[str, Any]]

    def _find(self, items: list[dict[str, Any]], sub: str, rg: str, name: str, kind: str) -> Any:
        raise NotImplementedError

    def _missing(self, kind: str, name: str, rg: str) -> Exception:
        raise NotImplementedError

    def _fd(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        return self._find(self.front_door, sub.lower(), rg, name, f"{CDN}/profiles")

    @staticmethod
    def _child(items: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
        return next((i for i in items if i["name"].lower() == name.lower()), None)

    def _og(self, sub: str, rg: str, name: str, og: str) -> tuple[dict[str, Any], dict[str, Any]]:
        fd = self._fd(sub, rg, name)
        found = self._child(fd.get("origin_groups", []), og)
        if found is None:
            raise self._missing(f"{CDN}/profiles/{fd['name']}/originGroups", og, rg)
        return fd, found

    def cdnprofiles_list(self, sub: str) -> list[Any]:
        return [profile(p) for p in self.front_door if p["subscription"] == sub.lower()]

    def cdnprofiles_get(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        return profile(self._fd(sub, rg, name))

    def origingroups_list(self, sub: str, rg: str, name: str) -> list[Any]:
        fd = self._fd(sub, rg, name)
        return [origin_group(fd, og) for og in fd.get("origin_groups", [])]

    def origingroups_get(self, sub: str, rg: str, name: str, og: str) -> dict[str, Any]:
        return origin_group(*self._og(sub, rg, name, og))

    def origins_list(self, sub: str, rg: str, name: str, og: str) -> list[Any]:
        fd, group = self._og(sub, rg, name, og)
        return [origin(fd, group, o) for o in group.get("origins", [])]

    def afdendpoints_list(self, sub: str, rg: str, name: str) -> list[Any]:
        fd = self._fd(sub, rg, name)
        return [endpoint(fd, ep) for ep in fd.get("endpoints", [])]

    def routes_list(self, sub: str, rg: str, name: str, ep: str) -> list[Any]:
        fd = self._fd(sub, rg, name)
        found = self._child(fd.get("endpoints", []), ep)
        if found is None:
            raise self._missing(f"{CDN}/profiles/{fd['name']}/afdEndpoints", ep, rg)
        return [route(fd, found, r) for r in found.get("routes", [])]
