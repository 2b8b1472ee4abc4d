"""Traffic Manager profiles: routing method, endpoints and monitor, as facts.

One paged `profiles.list_by_subscription` call per subscription: each profile
arrives with its endpoints and monitor configuration inline. Endpoint weights
run from 1 to 1000; an endpoint without one has the documented default, 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.azure.kind import GROUP_PATH, SUBSCRIPTION_PATH, Read, arm_kind
from providers.azure.listed import collect_listed, get_one, resource_observation
from providers.azure.values import (
    Unusable,
    add_checked,
    number,
    objects,
    string,
    text,
)
from scanner.facts import dig, plain
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.azure.context import AzureContext

ENDPOINTS = "properties.endpoints[]"
DECIDING = ("routing_method", "profile_status")  # checked for type; the rest are context
PROFILE_PATHS = [
    ("routing_method", "properties.trafficRoutingMethod"),
    ("profile_status", "properties.profileStatus"),
    ("monitor_status", "properties.monitorConfig.profileMonitorStatus"),
    ("monitor_protocol", "properties.monitorConfig.protocol"),
    ("monitor_path", "properties.monitorConfig.path"),
    ("monitor_interval_seconds", "properties.monitorConfig.intervalInSeconds"),
    ("monitor_tolerated_failures", "properties.monitorConfig.toleratedNumberOfFailures"),
]

_PROFILES = "/providers/Microsoft.Network/trafficmanagerprofiles"
KIND = arm_kind(
    name="azure.trafficmanager.profile",
    title="Traffic Manager profile",
    resource_type="Microsoft.Network/trafficManagerProfiles",
    placeholder="PROFILE",
    noun="Traffic Manager profile",
    # 1 to 63 characters: letters, digits, hyphens and periods, starting and
    # ending with a letter or digit
    name_pattern=re.compile(r"^[a-z0-9][a-z0-9.-]{0,61}[a-z0-9]$|^[a-z0-9]$", re.I),
    name_rule="1 to 63 letters, digits, hyphens and periods",
    facts=facts(
        *PROFILE_PATHS,
        ("endpoints", ENDPOINTS),
        ("enabled_endpoints", f"{ENDPOINTS}.properties.endpointStatus"),
        ("enabled_weights", f"{ENDPOINTS}.properties.weight"),
        ("distinct_enabled_weights", f"{ENDPOINTS}.properties.weight"),
        ("always_serve_endpoints", f"{ENDPOINTS}.properties.alwaysServe"),
    ),
    sdk_client="azure.mgmt.trafficmanager:TrafficManagerManagementClient",
    service="trafficmanager",
    calls=(
        Read(
            "profiles.list_by_subscription",
            "trafficmanager",
            "GET",
            SUBSCRIPTION_PATH + _PROFILES,
            "Microsoft.Network/trafficManagerProfiles/read",
            "list",
        ),
        Read(
            "profiles.get",
            "trafficmanager",
            "GET",
            GROUP_PATH + _PROFILES + "/{profileName}",
            "Microsoft.Network/trafficManagerProfiles/read",
            "object",
        ),
    ),
)
NO_HISTORY = (
    "Traffic Manager keeps no record of changes to a profile's endpoints and "
    "weights (they are in the Activity Log, which relscan does not read for them yet)"
)


def _enabled(endpoint: dict[str, Any]) -> bool:
    status = string(dig(endpoint, "properties.endpointStatus"), f"{ENDPOINTS}.endpointStatus")
    return (status or "").lower() == "enabled"


DEFAULT_WEIGHT = 1  # "If no weight is given, Traffic Manager uses a default weight of 1"


def _weight(endpoint: dict[str, Any]) -> int | float:
    value = number(dig(endpoint, "properties.weight"), f"{ENDPOINTS}.properties.weight")
    return DEFAULT_WEIGHT if value is None else value


def _always_serve(endpoint: dict[str, Any]) -> bool:
    value = string(dig(endpoint, "properties.alwaysServe"), f"{ENDPOINTS}.properties.alwaysServe")
    return (value or "").lower() == "enabled"


def _s(value: Any) -> str:
    return text(value) if isinstance(value, dict | list) else str(value)


def _summary(endpoint: dict[str, Any]) -> str:
    p = endpoint.get("properties") if isinstance(endpoint.get("properties"), dict) else {}
    always = ", always serve (probing off)" if p.get("alwaysServe") == "Enabled" else ""
    return (
        f"{_s(endpoint.get('name'))}: {_s(p.get('endpointStatus'))}, "
        f"weight {_s(p.get('weight'))}, priority {_s(p.get('priority'))}, "
        f"monitor {_s(p.get('endpointMonitorStatus'))}{always}"
    )


def collect(ctx: AzureContext) -> Iterator[Observation | ScopeError]:
    """Every profile of the subscription, endpoints and monitor inline (one paged list)."""
    return collect_listed(ctx, KIND, lambda client: client.profiles.list_by_subscription(), observe)


def get(ctx: AzureContext, resource_id: str) -> Observation:
    """One profile by its id (NotFoundError if it does not exist)."""
    return get_one(ctx, KIND, lambda client, g, n: client.profiles.get(g, n), resource_id, observe)


def observe(ctx: AzureContext, profile: Any) -> Observation:
    obs = resource_observation(ctx, KIND, profile, "the profile")
    for fact, path in PROFILE_PATHS:
        if fact in DECIDING:
            add_checked(obs, fact, path, lambda p=path: string(dig(profile, p), p))
        else:
            obs.add(fact, path, plain(dig(profile, path)))
    _endpoint_facts(obs, profile)
    return obs


def _endpoint_facts(obs: Observation, profile: dict[str, Any]) -> None:
    enabled_field = f"{ENDPOINTS}.properties.endpointStatus (count of Enabled)"
    weights_field = f"{ENDPOINTS}.properties.weight (Enabled endpoints; absent = 1)"
    distinct_field = f"{ENDPOINTS}.properties.weight (distinct among Enabled)"
    always_field = f"{ENDPOINTS}.properties.alwaysServe (Enabled: probing off)"
    derived = (
        ("enabled_endpoints", enabled_field),
        ("enabled_weights", weights_field),
        ("distinct_enabled_weights", distinct_field),
        ("always_serve_endpoints", always_field),
    )
    try:
        endpoints = objects(dig(profile, "properties.endpoints"), ENDPOINTS)
    except Unusable as exc:
        obs.unknown("endpoints", ENDPOINTS, f"malformed answer: {exc}")
        for fact, field in derived:
            obs.unknown(fact, field, f"malformed answer: {exc}")
        return
    obs.add("endpoints", ENDPOINTS, [_summary(e) for e in endpoints])
    try:
        enabled = [e for e in endpoints if _enabled(e)]
    except Unusable as exc:
        for fact, field in derived:
            obs.unknown(fact, field, f"malformed answer: {exc}")
        return
    obs.add("enabled_endpoints", enabled_field, len(enabled))
    try:
        weights = [(text(e.get("name") or "?"), _weight(e)) for e in enabled]
    except Unusable as exc:
        obs.unknown("enabled_weights", weights_field, f"malformed answer: {exc}")
        obs.unknown("distinct_enabled_weights", distinct_field, f"malformed answer: {exc}")
    else:
        obs.add("enabled_weights", weights_field, [f"{n}: {w:g}" for n, w in weights])
        obs.add("distinct_enabled_weights", distinct_field, len({w for _, w in weights}))
    add_checked(
        obs,
        "always_serve_endpoints",
        always_field,
        lambda: [text(e.get("name") or "?") for e in endpoints if _always_serve(e)],
    )
