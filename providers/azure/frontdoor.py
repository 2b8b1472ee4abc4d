"""Azure Front Door Standard and Premium: origin groups that routes use, with
their origins' weights and priorities, load-balancing and health-probe
settings, as facts.

A unit is an origin group
(`.../providers/Microsoft.Cdn/profiles/PROFILE/originGroups/GROUP`) that at
least one route (`afdEndpoints/*/routes`, `originGroup.id`) sends traffic to;
it is one unit however many routes use it. An origin group no route uses
serves nobody and is not a unit. Only profiles whose sku is
`Standard_AzureFrontDoor` or `Premium_AzureFrontDoor` are read: CDN profiles
(Microsoft.Cdn/profiles with a CDN sku) and Front Door (classic)
(Microsoft.Network/frontDoors) are not units.

Calls per subscription: one paged `profiles.list` (declared as `cdn.profiles.list`:
Traffic Manager's client has a `profiles` too); per Front Door profile
`afd_origin_groups.list_by_profile` and `afd_endpoints.list_by_profile`, then
`afd_origins.list_by_origin_group` per origin group and
`routes.list_by_endpoint` per endpoint. Profiles are read side by side
(scanner/fanout.py), and within a profile its origin groups' origins and its
endpoints' routes; results keep the lists' order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from providers.azure.frontdoor_origins import (
    GROUP_PATHS,
    LB,
    ORIGINS,
    PROBE,
    Origins,
    group_facts,
    origin_facts,
)
from providers.azure.ids import parse_resource_id
from providers.azure.kind import GROUP_PATH, SUBSCRIPTION_PATH, Read, arm_kind
from providers.azure.values import (
    Unusable,
    as_record,
    objects,
    shown,
    string,
    tags,
    text,
)
from scanner.errors import UsageError
from scanner.facts import dig, plain
from scanner.fanout import fan_out
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.azure.context import AzureContext

FRONT_DOOR_SKUS = ("standard_azurefrontdoor", "premium_azurefrontdoor")
# Documented defaults (https://learn.microsoft.com/en-us/azure/frontdoor/routing-methods):
_PROFILES = "/providers/Microsoft.Cdn/profiles"
_PROFILE = GROUP_PATH + _PROFILES + "/{profileName}"
# Profiles and origin groups: 1 to 260 (profiles) or 90 (origin groups)
# letters, digits and hyphens, starting and ending with a letter or digit.
_NAME = r"^(?=.{1,%d}$)[a-z0-9]+(-+[a-z0-9]+)*$"

KIND = arm_kind(
    name="azure.frontdoor.origin_group",
    title="Front Door origin group",
    resource_type="Microsoft.Cdn/profiles/originGroups",
    parent_placeholders=("PROFILE",),
    placeholder="GROUP",
    noun="Front Door origin group",
    name_pattern=re.compile(_NAME % 90, re.I),
    name_rule="1 to 90 letters, digits and hyphens",
    parent_name_pattern=re.compile(_NAME % 260, re.I),
    parent_name_rule="1 to 260 letters, digits and hyphens",
    parent_noun="Front Door profile",
    facts=facts(
        ("profile_sku", "profile.sku.name"),
        ("routes", "afdEndpoints[].routes[].properties.originGroup.id"),
        ("enabled_routes", "afdEndpoints[].routes[].properties.enabledState"),
        ("origins", ORIGINS),
        ("enabled_origins", f"{ORIGINS}.properties.enabledState"),
        ("priority_tiers", f"{ORIGINS}.properties.priority"),
        ("top_priority", f"{ORIGINS}.properties.priority"),
        ("top_tier_origins", f"{ORIGINS}.properties.priority"),
        ("top_tier_weights", f"{ORIGINS}.properties.weight"),
        ("distinct_top_tier_weights", f"{ORIGINS}.properties.weight"),
        ("standby_origins", f"{ORIGINS}.properties.priority"),
        ("latency_sensitivity_ms", f"{LB}.additionalLatencyInMilliseconds"),
        ("health_probes", PROBE),
        *GROUP_PATHS,
    ),
    sdk_client="azure.mgmt.cdn:CdnManagementClient",
    service="cdn",
    calls=(
        Read(
            "cdn.profiles.list",
            "cdn",
            "GET",
            SUBSCRIPTION_PATH + _PROFILES,
            "Microsoft.Cdn/profiles/read",
            "list",
        ),
        Read("cdn.profiles.get", "cdn", "GET", _PROFILE, "Microsoft.Cdn/profiles/read", "object"),
        Read(
            "afd_origin_groups.list_by_profile",
            "cdn",
            "GET",
            _PROFILE + "/originGroups",
            "Microsoft.Cdn/profiles/originGroups/read",
            "list",
        ),
        Read(
            "afd_origin_groups.get",
            "cdn",
            "GET",
            _PROFILE + "/originGroups/{originGroupName}",
            "Microsoft.Cdn/profiles/originGroups/read",
            "object",
        ),
        Read(
            "afd_origins.list_by_origin_group",
            "cdn",
            "GET",
            _PROFILE + "/originGroups/{originGroupName}/origins",
            "Microsoft.Cdn/profiles/originGroups/origins/read",
            "list",
        ),
        Read(
            "afd_endpoints.list_by_profile",
            "cdn",
            "GET",
            _PROFILE + "/afdEndpoints",
            "Microsoft.Cdn/profiles/afdEndpoints/read",
            "list",
        ),
        Read(
            "routes.list_by_endpoint",
            "cdn",
            "GET",
            _PROFILE + "/afdEndpoints/{endpointName}/routes",
            "Microsoft.Cdn/profiles/afdEndpoints/routes/read",
            "list",
        ),
    ),
    grant_note="Front Door profiles, their origin groups, origins, endpoints and routes",
)
NO_HISTORY = (
    "Front Door keeps no record of changes to an origin group's origins and "
    "weights (they are in the Activity Log, which relscan does not read for them yet)"
)


def is_front_door(profile: dict[str, Any]) -> bool:
    """A Front Door Standard or Premium profile (not a CDN profile)."""
    sku = dig(profile, "sku.name")
    return isinstance(sku, str) and sku.lower() in FRONT_DOOR_SKUS


@dataclass
class Routes:
    """A profile's routes by the origin group they send traffic to (lower-case id)."""

    by_group: dict[str, list[str]] = field(default_factory=dict)  # "endpoint/route: state"
    enabled: dict[str, int] = field(default_factory=dict)
    unread: str | None = None  # why some endpoint's routes could not be read


def collect(ctx: AzureContext) -> Iterator[Observation | ScopeError]:
    """Every used origin group of every Front Door profile of the subscription."""
    client = ctx.client(KIND)

    def profiles() -> Iterator[Any]:
        for page in client.profiles.list().by_page():
            for item in page:
                profile = as_record(item)
                if not isinstance(profile, dict) or is_front_door(profile):
                    yield profile

    answers = fan_out(profiles(), lambda profile: _read_profile(ctx, client, profile))
    try:
        for found in answers:
            yield from found
    except ctx.errors as exc:  # a page of the profile list: what came before is kept
        yield ScopeError("azure", ctx.scope, KIND.titles, ctx.describe(exc))


def _label(item: Any) -> str:
    return shown(item.get("id") if isinstance(item, dict) else item)


def _read_profile(ctx: AzureContext, client: Any, profile: Any) -> list[Observation | ScopeError]:
    """A profile's used origin groups, or scope errors naming what failed."""
    where = f"Front Door profile {_label(profile)}"
    try:
        if not isinstance(profile, dict):
            raise Unusable(f"an item of value is {shown(profile)}, not an object")
        group, name = _profile_id(profile.get("id"))
        groups = [as_record(g) for g in client.afd_origin_groups.list_by_profile(group, name)]
        objects(groups, "originGroups.value[]")
        endpoints = [as_record(e) for e in client.afd_endpoints.list_by_profile(group, name)]
        objects(endpoints, "afdEndpoints.value[]")
    except (UsageError, Unusable, *ctx.errors) as exc:
        return [ScopeError("azure", ctx.scope, where, _why(ctx, exc)[:500])]
    routes = _read_routes(ctx, client, group, name, endpoints)
    out: list[Observation | ScopeError] = []
    if routes.unread:
        out.append(ScopeError("azure", ctx.scope, where, routes.unread[:500]))
    used = [
        g for g in groups if isinstance(g.get("id"), str) and g["id"].lower() in routes.by_group
    ]

    def origins(og: dict[str, Any]) -> Origins:
        return _read_origins(ctx, client, group, name, og)

    with closing(fan_out(used, origins)) as read:
        for og, found in zip(used, read, strict=True):
            try:
                out.append(observe(ctx, profile, og, found, routes))
            except Unusable as exc:
                why = f"malformed answer: {exc}"
                out.append(ScopeError("azure", ctx.scope, f"{KIND.title} {_label(og)}", why))
    return out


_PROFILE_ID = re.compile(
    r"^/subscriptions/[^/]+/resourceGroups/(?P<group>[^/]+)/providers/Microsoft\.Cdn"
    r"/profiles/(?P<name>[^/]+)$",
    re.I,
)


def _profile_id(value: Any) -> tuple[str, str]:
    """A profile's resource group and name, from its id."""
    m = _PROFILE_ID.match(string(value, "id") or "")
    if not m:
        raise Unusable(f"the profile's id {shown(value)} is not a Microsoft.Cdn/profiles id")
    return m["group"], m["name"]


def _why(ctx: AzureContext, exc: BaseException) -> str:
    if isinstance(exc, ctx.errors):
        return ctx.describe(exc)
    return f"malformed answer: {exc}" if isinstance(exc, Unusable) else str(exc)


def _read_routes(
    ctx: AzureContext, client: Any, group: str, profile: str, endpoints: list[dict[str, Any]]
) -> Routes:
    """Every route of every endpoint, side by side; the first endpoint (in list
    order) whose routes cannot be read is named in `unread`."""
    routes = Routes()

    def read(endpoint: dict[str, Any]) -> list[dict[str, Any]] | str:
        name = text(endpoint.get("name") or "")
        try:
            found = [as_record(r) for r in client.routes.list_by_endpoint(group, profile, name)]
            return objects(found, f"afdEndpoints/{name}/routes.value[]")
        except ctx.errors as exc:
            return f"routes of endpoint {name}: {ctx.describe(exc)}"
        except Unusable as exc:
            return f"routes of endpoint {name}: malformed answer: {exc}"

    with closing(fan_out(endpoints, read)) as answers:
        for endpoint, answer in zip(endpoints, answers, strict=True):
            if isinstance(answer, str):
                routes.unread = routes.unread or answer
                continue
            try:
                _add_routes(routes, endpoint, answer)
            except Unusable as exc:  # a state that is not a string: unread, not guessed
                name = text(endpoint.get("name") or "?")
                routes.unread = (
                    routes.unread or f"routes of endpoint {name}: malformed answer: {exc}"
                )
    return routes


def _add_routes(routes: Routes, endpoint: dict[str, Any], answer: list[dict[str, Any]]) -> None:
    """An endpoint's routes, under the origin groups they name (all or none)."""
    endpoint_on = _enabled(endpoint, "afdEndpoints[].properties.enabledState")
    found = []
    for route in answer:
        target = dig(route, "properties.originGroup.id")
        if isinstance(target, str) and target:
            found.append(
                (route, target.lower(), _enabled(route, "routes[].properties.enabledState"))
            )
    for route, key, route_on in found:
        state = "Enabled" if route_on else "Disabled"
        if not endpoint_on:
            state += " (endpoint disabled)"
        label = f"{text(endpoint.get('name') or '?')}/{text(route.get('name') or '?')}"
        routes.by_group.setdefault(key, []).append(f"{label}: {state}")
        routes.enabled[key] = routes.enabled.get(key, 0) + (endpoint_on and route_on)


def _enabled(item: dict[str, Any], field_name: str) -> bool:
    """enabledState Enabled; absent counts as Enabled (the API's default)."""
    state = string(dig(item, "properties.enabledState"), field_name)
    return state is None or state.lower() == "enabled"


def _read_origins(
    ctx: AzureContext, client: Any, group: str, profile: str, og: dict[str, Any]
) -> Origins:
    name = text(og.get("name") or "")
    try:
        found = [
            as_record(o) for o in client.afd_origins.list_by_origin_group(group, profile, name)
        ]
        return Origins(objects(found, "origins.value[]"))
    except ctx.errors as exc:
        return Origins(None, ctx.describe(exc))
    except Unusable as exc:
        return Origins(None, f"malformed answer: {exc}")


def get(ctx: AzureContext, resource_id: str) -> Observation:
    """One origin group by its id (NotFoundError if it does not exist). An
    origin group of a CDN profile, or one no route uses, is not a unit."""
    rid = parse_resource_id(resource_id)
    client = ctx.client(KIND)
    profile_name = rid.parents[0]

    def read() -> Observation:
        profile = as_record(client.profiles.get(rid.group, profile_name))
        if not isinstance(profile, dict):
            raise Unusable(f"the profile is {shown(profile)}, not an object")
        if not is_front_door(profile):
            sku = text(dig(profile, "sku.name") or "none")
            raise UsageError(
                f"{resource_id} belongs to a profile with sku {sku}, not Azure Front Door "
                "Standard or Premium; relscan reads origin groups of Front Door profiles only"
            )
        og = as_record(client.afd_origin_groups.get(rid.group, profile_name, rid.name))
        if not isinstance(og, dict):
            raise Unusable(f"the origin group is {shown(og)}, not an object")
        endpoints = objects(
            [as_record(e) for e in client.afd_endpoints.list_by_profile(rid.group, profile_name)],
            "afdEndpoints.value[]",
        )
        routes = _read_routes(ctx, client, rid.group, profile_name, endpoints)
        key = text(og.get("id") or resource_id).lower()
        if key not in routes.by_group and not routes.unread:
            raise UsageError(
                f"{resource_id} is used by no route of its profile, so it serves no traffic; "
                "relscan assesses the origin groups that routes use"
            )
        origins = _read_origins(ctx, client, rid.group, profile_name, og)
        return observe(ctx, profile, og, origins, routes)

    return ctx.read_one(resource_id, read)


def observe(
    ctx: AzureContext,
    profile: dict[str, Any],
    og: dict[str, Any],
    origins: Origins,
    routes: Routes,
) -> Observation:
    og_id = string(og.get("id"), "id")
    if not og_id:
        raise Unusable("the origin group has no id")
    profile_name = text(profile.get("name") or "")
    obs = Observation(
        id=og_id,
        provider="azure",
        kind=KIND.name,
        name=f"{profile_name}/{text(og.get('name') or og_id.rsplit('/', 1)[-1])}",
        account=ctx.subscription,
        location=text(profile.get("location") or ""),
        tags=tags(profile.get("tags")),
    )
    obs.add("profile_sku", "profile.sku.name", plain(dig(profile, "sku.name")))
    key = og_id.lower()
    obs.add("routes", "afdEndpoints[].routes[originGroup.id = this]", routes.by_group.get(key, []))
    enabled_field = (
        "afdEndpoints[].routes[].properties.enabledState (Enabled, on an Enabled endpoint)"
    )
    enabled = routes.enabled.get(key, 0)
    if routes.unread and not enabled:  # an unread endpoint may hold an enabled route
        obs.unknown("enabled_routes", enabled_field, routes.unread)
    else:
        obs.add("enabled_routes", enabled_field, enabled)
    group_facts(obs, og)
    origin_facts(obs, origins)
    return obs
