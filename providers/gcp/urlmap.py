"""URL maps, global and regional: weighted backend services in every route action."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.gcp.aggregated import observed_units
from providers.gcp.context import GcpContext
from providers.gcp.frontends import resource_key
from providers.gcp.kind import gcp_kind
from providers.gcp.names import last_segment, parse_resource_name
from providers.gcp.reads import COMPUTE, SEGMENT, rest_get
from scanner.kind import facts
from scanner.model import Observation, ScopeError

WBS = "weightedBackendServices"

KIND = gcp_kind(
    name="gcp.compute.url_map",
    title="Load balancer URL map",
    label="URL map",
    service="compute",
    templates=(
        "projects/{project}/global/urlMaps/{name}",
        "projects/{project}/regions/{region}/urlMaps/{name}",
    ),
    id_form="//compute.googleapis.com/projects/P/global/urlMaps/N (or regions/R/urlMaps/N)",
    url=r"(?:www|compute)\.googleapis\.com/compute/(?:v1|beta|alpha)",
    url_example="https://www.googleapis.com/compute/v1/",
    default_location="global",
    facts=facts(
        ("weighted_routes", f"*.routeAction.{WBS}"),
        ("most_live_backends", f"*.routeAction.{WBS}[].weight"),
        ("unequal_live_split", f"*.routeAction.{WBS}[].weight"),
        ("most_named_backends", f"*.routeAction.{WBS}[].backendService"),
        ("weighted_backends", f"*.routeAction.{WBS}[]"),
        ("default_service", "defaultService"),
    ),
    reads=(
        rest_get(
            "compute",
            "urlMaps.aggregatedList",
            f"{COMPUTE}/aggregated/urlMaps",
            "compute.urlMaps.list",
        ),
        rest_get(
            "compute", "urlMaps.get", f"{COMPUTE}/global/urlMaps/{SEGMENT}", "compute.urlMaps.get"
        ),
        rest_get(
            "compute",
            "regionUrlMaps.get",
            f"{COMPUTE}/regions/{SEGMENT}/urlMaps/{SEGMENT}",
            "compute.urlMaps.get",
        ),
        # the forwarding rules in front of a map label it (frontends.py)
        rest_get(
            "compute",
            "forwardingRules.aggregatedList",
            f"{COMPUTE}/aggregated/forwardingRules",
            "compute.forwardingRules.list",
        ),
        rest_get(
            "compute",
            "targetHttpProxies.aggregatedList",
            f"{COMPUTE}/aggregated/targetHttpProxies",
            "compute.targetHttpProxies.list",
        ),
        rest_get(
            "compute",
            "targetHttpsProxies.aggregatedList",
            f"{COMPUTE}/aggregated/targetHttpsProxies",
            "compute.targetHttpsProxies.list",
        ),
    ),
    clients={
        "url_maps": "google.cloud.compute_v1:UrlMapsClient",
        "region_url_maps": "google.cloud.compute_v1:RegionUrlMapsClient",
        "forwarding_rules": "google.cloud.compute_v1:ForwardingRulesClient",
        "target_http_proxies": "google.cloud.compute_v1:TargetHttpProxiesClient",
        "target_https_proxies": "google.cloud.compute_v1:TargetHttpsProxiesClient",
    },
)


def url_map_id(project: str, location: str, name: str) -> str:
    scope = "global" if location == "global" else f"regions/{location}"
    return f"//compute.googleapis.com/projects/{project}/{scope}/urlMaps/{name}"


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
        kind=KIND.name,
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


def collect(ctx: GcpContext) -> Iterator[Observation | ScopeError]:
    """All of a project's URL maps, global and regional: one aggregated list.
    Maps with no weighted route are routing only, not a release unit, and are
    left out of a scan (`relscan check` still reads them)."""
    def weighted(raw: dict[str, Any]) -> bool:
        return bool(weighted_routes(raw))

    yield from observed_units(ctx, KIND.part, "url_maps", lambda: _labels(ctx), observe, weighted)


def get(ctx: GcpContext, resource_id: str) -> Observation:
    from providers.gcp.facts import api_dict
    from providers.gcp.frontends import url_map_labels

    rn = parse_resource_name(resource_id, (KIND,))
    clients, retry = ctx.clients, ctx.clients.retry
    if rn.location == "global":
        msg = clients.get("url_maps").get(project=rn.project, url_map=rn.name, retry=retry)
    else:
        msg = clients.get("region_url_maps").get(
            project=rn.project, region=rn.location, url_map=rn.name, retry=retry
        )
    tags = ctx.labels_or_none(url_map_labels)  # labels only assign services
    return observe(api_dict(msg), rn.project, tags)


def _labels(ctx: GcpContext) -> tuple[dict[str, dict[str, str]], ScopeError | None]:
    from providers.gcp.frontends import url_map_labels

    return ctx.labels(url_map_labels, "forwarding rule", "compute forwarding rules")


NO_HISTORY = (
    "a URL map keeps no record of its weight changes (only the current routes); "
    "its changes are in Cloud Audit Logs, which relscan does not read yet"
)
