"""An Azure Resource Manager emulator for the reads relscan makes.

Serves subscriptions, App Service sites, slots and their config/web,
Traffic Manager profiles, Front Door profiles (frontdoor.py), Container Apps
(containerapps.py), VM scale sets (scalesets.py) and release records
(history.py: deployments, Activity Log swaps, revisions) from the `azure`
part of an estate fixture. Paths
match case-insensitively, as on ARM; every call needs an api-version; lists
page after `page_size` items through an absolute `nextLink`; errors are ARM
error bodies. Point relscan at it with RELSCAN_AZURE_ENDPOINT.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any
from urllib.parse import quote

from providers.azure.emulator import containerapps, history, scalesets, wire
from providers.azure.emulator.faults import declared_message, fault_response, overlay, replay_key
from providers.azure.emulator.frontdoor import ROUTES as FRONT_DOOR_ROUTES
from providers.azure.emulator.frontdoor import FrontDoorHandlers
from scanner.emulators.server import LoopbackServer, Request, Response

_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
_SUB = r"/subscriptions/(?P<sub>[^/]+)"
_RG = _SUB + r"/resourcegroups/(?P<rg>[^/]+)"
_SITE = _RG + r"/providers/microsoft\.web/sites/(?P<name>[^/]+)"
_PROFILE = _RG + r"/providers/microsoft\.network/trafficmanagerprofiles/(?P<name>[^/]+)"
# (operation, path pattern, the permission ARM would check)
ROUTES = [
    ("subscriptions.list", r"/subscriptions", "Microsoft.Resources/subscriptions/read"),
    ("subscriptions.get", _SUB, "Microsoft.Resources/subscriptions/read"),
    ("sites.list", _SUB + r"/providers/microsoft\.web/sites", "Microsoft.Web/sites/read"),
    ("sites.get", _SITE, "Microsoft.Web/sites/read"),
    ("slots.list", _SITE + r"/slots", "Microsoft.Web/sites/slots/read"),
    ("slots.get", _SITE + r"/slots/(?P<slot>[^/]+)", "Microsoft.Web/sites/slots/read"),
    ("config.get", _SITE + r"/config/web", "Microsoft.Web/sites/config/read"),
    (
        "slotconfig.get",
        _SITE + r"/slots/(?P<slot>[^/]+)/config/web",
        "Microsoft.Web/sites/slots/config/read",
    ),
    (
        "profiles.list",
        _SUB + r"/providers/microsoft\.network/trafficmanagerprofiles",
        "Microsoft.Network/trafficManagerProfiles/read",
    ),
    ("profiles.get", _PROFILE, "Microsoft.Network/trafficManagerProfiles/read"),
    *FRONT_DOOR_ROUTES,
    *containerapps.ROUTES,
    *scalesets.ROUTES,
    *history.ROUTES,
]
_WITH_REQUEST = {"activitylog.list"}  # handlers that read the query ($filter)
_COMPILED = [(op, re.compile(f"^{pattern}/?$", re.I), action) for op, pattern, action in ROUTES]


class ArmFault(Exception):
    def __init__(self, status: int, code: str | None, message: str, **headers: str) -> None:
        super().__init__(message)
        self.response = wire.error(status, code, message, **headers)


def _norm(fixture: dict[str, Any], default_sub: str) -> dict[str, Any]:
    item = dict(fixture)
    item["subscription"] = str(item.get("subscription", default_sub)).lower()
    item.setdefault("resource_group", "dds-rg")
    return item


class AzureEmulator(
    FrontDoorHandlers,
    containerapps.ContainerAppsMixin,
    scalesets.ScaleSetsMixin,
    history.HistoryMixin,
):
    """Callable app for LoopbackServer. `estate` is the `azure` part of a fixture."""

    def __init__(
        self,
        estate: dict[str, Any],
        page_size: int = 2,
        retry_after: str = "1",
        token: str | None = None,
    ) -> None:
        self.tenant = str(estate.get("tenant", "72f988bf-0000-4000-8000-00000000dd5a"))
        self.subscriptions = [dict(s) for s in estate.get("subscriptions", [])]
        default = str(self.subscriptions[0]["id"]).lower() if self.subscriptions else ""
        self.apps = [_norm(a, default) for a in estate.get("apps", [])]
        self.profiles = [_norm(p, default) for p in estate.get("traffic_manager", [])]
        self.front_door = [_norm(p, default) for p in estate.get("front_door", [])]
        self.container_apps = [_norm(a, default) for a in estate.get("container_apps", [])]
        self.scale_sets = [_norm(s, default) for s in estate.get("scale_sets", [])]
        self.faults = [dict(f) for f in estate.get("faults", [])]
        self.page_size = page_size
        self.retry_after = retry_after  # seconds, in injected throttles and 503s
        self.token = token  # a bearer token to require; None refuses any token
        self.calls: list[tuple[str, str]] = []  # (operation, subscription)
        self._lock = threading.Lock()

    # -- routing ----------------------------------------------------------
    def __call__(self, req: Request) -> Response:
        try:
            return self._route(req)
        except ArmFault as fault:
            return fault.response

    def fault_response(self, kind: str, req: Request) -> Response:
        """A fault injected by LoopbackServer(faults=...), as ARM answers it."""
        return fault_response(kind, req, self.retry_after)

    @staticmethod
    def _match(path: str) -> tuple[str, re.Match[str], str]:
        for op, pattern, action in _COMPILED:
            m = pattern.match(path)
            if m:
                return op, m, action
        raise ArmFault(404, "InvalidResourceType", f"no emulated resource at {path}")

    def _route(self, req: Request) -> Response:
        op, m, action = self._match(req.path)
        if req.method != "GET":
            raise ArmFault(405, None, f"The requested method {req.method} is not allowed.")
        if self.token is not None:
            if req.headers.get("authorization") != f"Bearer {self.token}":
                raise ArmFault(401, None, "The access token is invalid.")
        elif "authorization" in req.headers:
            raise ArmFault(400, "TokenOverHttp", "a bearer token was sent to a plain-http emulator")
        version = req.arg("api-version")
        if not version:
            raise ArmFault(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        if not _API_VERSION.match(version):
            raise ArmFault(400, "InvalidApiVersionParameter", f"bad api-version '{version}'")
        args = {k: v for k, v in m.groupdict().items() if v is not None}
        sub = args.get("sub", "").lower()
        with self._lock:
            self.calls.append((op, sub))
        page = int(req.arg("$skiptoken") or 0) // self.page_size
        self._inject(op, sub, args.get("name"), action, page)
        if sub and op != "subscriptions.list":
            self._subscription(sub)
        handler: Callable[..., Any] = getattr(self, op.replace(".", "_"))
        if op in _WITH_REQUEST:
            args["req"] = req
        try:
            result = handler(**args) if args else handler()
        except history.FilterError as exc:
            raise ArmFault(400, "BadRequest", str(exc)) from None
        if isinstance(result, list):
            return self._page(req, result)
        return wire.json_response(result)

    def _inject(self, op: str, sub: str, name: str | None, action: str, page: int) -> None:
        """Answer with a declared fault: `{operation?, subscription?, name?, page?,
        status?, code?, message?, times?, retry_after?}`; `page` counts list
        pages from 0; `times` counts down, absent means always."""
        with self._lock:
            for fault in self.faults:
                if fault.get("operation", op) != op or fault.get("times", 1) <= 0:
                    continue
                if str(fault.get("subscription", sub)).lower() != sub:
                    continue
                if fault.get("name", name) != name or fault.get("page", page) != page:
                    continue
                if "times" in fault:
                    fault["times"] -= 1
                status = int(fault.get("status", 403))
                message = fault.get("message") or declared_message(status, action, sub)
                headers = {}
                if status in (429, 503):
                    headers["Retry-After"] = str(fault.get("retry_after", 1))
                raise ArmFault(status, fault.get("code"), message, **headers)

    def _page(self, req: Request, items: list[Any]) -> Response:
        start = int(req.arg("$skiptoken") or 0)
        end = start + self.page_size
        body: dict[str, Any] = {"value": items[start:end]}
        if end < len(items):
            host = req.headers.get("host", "127.0.0.1")
            # the next page keeps the request's own query ($filter...), as ARM's do
            kept = "".join(
                f"&{quote(k, safe='$')}={quote(v, safe='')}"
                for k, values in req.query.items()
                if k not in ("api-version", "$skiptoken")
                for v in values
            )
            body["nextLink"] = (
                f"http://{host}{quote(req.path)}?api-version={req.arg('api-version')}"
                f"{kept}&$skiptoken={end}"
            )
        return wire.json_response(body)

    # -- lookups ------------------------------------------------------------
    def _subscription(self, sub: str) -> dict[str, Any]:
        for s in self.subscriptions:
            if str(s["id"]).lower() == sub:
                return s
        raise ArmFault(404, "SubscriptionNotFound", f"The subscription '{sub}' could not be found.")

    def _find(self, items: list[dict[str, Any]], sub: str, rg: str, name: str, kind: str) -> Any:
        groups = {i["resource_group"].lower() for i in items if i["subscription"] == sub}
        if rg.lower() not in groups:
            raise ArmFault(
                404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found."
            )
        for item in items:
            if (item["subscription"], item["resource_group"].lower(), item["name"].lower()) == (
                sub,
                rg.lower(),
                name.lower(),
            ):
                return item
        raise ArmFault(
            404,
            "ResourceNotFound",
            f"The Resource '{kind}/{name}' under resource group '{rg}' was not found. "
            "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
        )

    def _missing(self, kind: str, name: str, rg: str) -> Exception:
        return ArmFault(
            404,
            "ResourceNotFound",
            f"The Resource '{kind}/{name}' under resource group '{rg}' was not found. "
            "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
        )

    def _app(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        return self._find(self.apps, sub.lower(), rg, name, "Microsoft.Web/sites")

    def _slot(self, app: dict[str, Any], slot: str) -> dict[str, Any]:
        for entry in app.get("slots", []):
            if entry["name"].lower() == slot.lower():
                return entry
        raise ArmFault(
            404,
            "ResourceNotFound",
            f"The Resource 'Microsoft.Web/sites/{app['name']}"
            f"/slots/{slot}' under resource group '{app['resource_group']}' was not found.",
        )

    # -- operations ----------------------------------------------------------
    def subscriptions_list(self) -> list[Any]:
        return [wire.subscription(s, self.tenant) for s in self.subscriptions]

    def subscriptions_get(self, sub: str) -> dict[str, Any]:
        return wire.subscription(self._subscription(sub.lower()), self.tenant)

    def sites_list(self, sub: str) -> list[Any]:
        return [_site(a) for a in self.apps if a["subscription"] == sub.lower()]

    def sites_get(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        return _site(self._app(sub, rg, name))

    def slots_list(self, sub: str, rg: str, name: str) -> list[Any]:
        app = self._app(sub, rg, name)
        return [overlay(wire.slot(app, e), e.get("wire", {})) for e in app.get("slots", [])]

    def slots_get(self, sub: str, rg: str, name: str, slot: str) -> dict[str, Any]:
        app = self._app(sub, rg, name)
        return wire.slot(app, self._slot(app, slot))

    def config_get(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        app = self._app(sub, rg, name)
        return overlay(wire.site_config(app), app.get("config_wire", {}))

    def slotconfig_get(self, sub: str, rg: str, name: str, slot: str) -> dict[str, Any]:
        app = self._app(sub, rg, name)
        entry = self._slot(app, slot)
        return overlay(wire.site_config(app, entry), entry.get("config_wire", {}))

    def profiles_list(self, sub: str) -> list[Any]:
        return [_profile(p) for p in self.profiles if p["subscription"] == sub.lower()]

    def profiles_get(self, sub: str, rg: str, name: str) -> dict[str, Any]:
        found = self._find(
            self.profiles, sub.lower(), rg, name, "Microsoft.Network/trafficManagerProfiles"
        )
        return _profile(found)


def _site(app: dict[str, Any]) -> Any:
    return overlay(wire.site(app), app.get("wire", {}))


def _profile(tm: dict[str, Any]) -> Any:
    return overlay(wire.profile(tm), tm.get("wire", {}))


def start(estate: dict[str, Any], stack: ExitStack) -> dict[str, str | None]:
    """Serve `estate` until `stack` closes; return the variable that sends every
    relscan Azure call there (plain http on loopback: no credential is used)."""
    server = stack.enter_context(LoopbackServer(AzureEmulator(estate)))
    return endpoint_env(server.url)


def endpoint_env(url: str) -> dict[str, str | None]:
    """The variable that sends every relscan Azure call to `url`."""
    return {"RELSCAN_AZURE_ENDPOINT": url}


__all__ = ["AzureEmulator", "endpoint_env", "fault_response", "replay_key", "start"]
