"""URL maps, global and regional: weighted backend services in every route action."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.gcp.aggregated import aggregated_pages
from providers.gcp.clients import GcpClients
from providers.gcp.faults import GCP_ERRORS, describe
from providers.gcp.frontends import resource_key, url_map_labels
from providers.gcp.names import URL_MAP, last_segment, url_map_id
from scanner.model import Observation, ScopeError

WBS = "weightedBackendServices"


def route_actions(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every route action in the map, with the path that names it."""
    found: list[tuple[str, dict[str, Any]]] = []
    if raw.get("defaultRouteAction"):
        found.append(("defaultRouteAction", raw["defaultRouteAction"]))
    for pm in raw.get("pathMatchers") or []:
        where = f"pathMatchers[{pm.get('name', '?')}]"
        if pm.get("defaultRouteAction"):
            found.append((f"{where}.defaultRouteAction", pm["defaultRouteAction"]))
        for rule in pm.get("routeRules") or []:
            if rule.get("routeAction"):
                label = f"{where}.routeRules[priority={rule.get('priority', '?')}].routeAction"
                found.append((label, rule["routeAction"]))
        for rule in pm.get("pathRules") or []:
            if rule.get("routeAction"):
                paths = ",".join(rule.get("paths") or []) or "?"
                found.append((f"{where}.pathRules[{paths}].routeAction", rule["routeAction"]))
    return found


def weighted_routes(raw: dict[str, Any]) -> list[tuple[str, dict[str, int]]]:
    """Route actions that use weighted backend services: backend service name ->
    total weight (a service named twice in one route counts once)."""
    routes: list[tuple[str, dict[str, int]]] = []
    for where, action in route_actions(raw):
        weights: dict[str, int] = {}
        for wbs in action.get(WBS) or []:
            name = last_segment(wbs.get("backendService")) or "?"
            weights[name] = weights.get(name, 0) + int(wbs.get("weight") or 0)
        if weights:
            routes.append((where, weights))
    return routes


def observe(
    raw: dict[str, Any], project: str, tags_by_map: dict[str, dict[str, str]]
) -> Observation:
    location = last_segment(raw.get("region")) or "global"
    name = str(raw.get("name", ""))
    obs = Observation(
        id=url_map_id(project, location, name),
        provider="gcp",
        kind=URL_MAP,
        name=name,
        account=project,
        location=location,
        tags=dict(tags_by_map.get(resource_key(raw.get("selfLink")) or "", {})),
    )
    routes = weighted_routes(raw)
    obs.add("weighted_routes", f"*.routeAction.{WBS} (route actions using it)", len(routes))
    obs.add(
        "most_live_backends",
        f"*.routeAction.{WBS}[].weight (most backend services above 0 in one route)",
        max((sum(1 for w in ws.values() if w > 0) for _, ws in routes), default=0),
    )
    obs.add(
        "unequal_live_split",
        f"*.routeAction.{WBS}[].weight (a route splits traffic at unequal weights)",
        any(len({w for w in ws.values() if w > 0}) > 1 for _, ws in routes),
    )
    obs.add(
        "most_named_backends",
        f"*.routeAction.{WBS}[].backendService (most in one route)",
        max((len(ws) for _, ws in routes), default=0),
    )
    obs.add(
        "weighted_backends",
        f"*.routeAction.{WBS}[] (route: service=weight)",
        [f"{where}: " + ", ".join(f"{svc}={w}" for svc, w in ws.items()) for where, ws in routes],
    )
    obs.add("default_service", "defaultService", last_segment(raw.get("defaultService")))
    return obs


class UrlMapReader:
    """All of a project's URL maps, global and regional: one aggregated list.
    Maps with no weighted route are routing only, not a release unit, and are
    left out of a scan (`relscan check` still reads them)."""

    kind = URL_MAP

    def __init__(self, clients: GcpClients, project: str, scope: str) -> None:
        self.clients = clients
        self.project = project
        self.scope = scope

    def collect(self) -> Iterator[Observation | ScopeError]:
        tags: dict[str, dict[str, str]] | None = None
        for maps, unreachable in aggregated_pages(
            self.clients, "url_maps", self.project, "url_maps"
        ):
            for raw in maps:
                if not weighted_routes(raw):
                    continue
                if tags is None:
                    tags, error = self.labels()
                    if error:
                        yield error
                yield observe(raw, self.project, tags)
            if unreachable:
                why = f"unreachable: {', '.join(unreachable)}"
                yield ScopeError("gcp", self.scope, URL_MAP, why)

    def labels(self) -> tuple[dict[str, dict[str, str]], ScopeError | None]:
        try:
            return url_map_labels(self.clients, self.project), None
        except GCP_ERRORS as exc:
            why = f"cannot read forwarding rule labels: {describe(exc)}"
            return {}, ScopeError("gcp", self.scope, "compute forwarding rules", why)
