"""Traffic Manager profiles: routing method, endpoints and monitor, as facts.

One paged `profiles.list_by_subscription` call per subscription: each profile
arrives with its endpoints and monitor configuration inline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.azure.clients import AzureClients
from providers.azure.faults import AZURE_ERRORS, describe
from providers.azure.values import (
    Unusable,
    add_checked,
    as_record,
    number,
    objects,
    plain,
    shown,
    string,
    tags,
    text,
)
from scanner.facts import dig
from scanner.model import Observation, ScopeError

KIND = "azure.trafficmanager.profile"
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


def _enabled(endpoint: dict[str, Any]) -> bool:
    status = string(dig(endpoint, "properties.endpointStatus"), f"{ENDPOINTS}.endpointStatus")
    return (status or "").lower() == "enabled"


def _weight(endpoint: dict[str, Any]) -> float:
    value = number(dig(endpoint, "properties.weight"), f"{ENDPOINTS}.properties.weight")
    return float(value or 0)


def _s(value: Any) -> str:
    return text(value) if isinstance(value, dict | list) else str(value)


def _summary(endpoint: dict[str, Any]) -> str:
    p = endpoint.get("properties") if isinstance(endpoint.get("properties"), dict) else {}
    return (
        f"{_s(endpoint.get('name'))}: {_s(p.get('endpointStatus'))}, "
        f"weight {_s(p.get('weight'))}, priority {_s(p.get('priority'))}, "
        f"monitor {_s(p.get('endpointMonitorStatus'))}"
    )


class TrafficManagerReader:
    def __init__(self, clients: AzureClients, subscription: str, scope: str) -> None:
        self.client = clients.traffic(subscription)
        self.subscription = subscription
        self.scope = scope

    def collect(self) -> Iterator[Observation | ScopeError]:
        try:
            for item in self.client.profiles.list_by_subscription():
                profile = as_record(item)
                try:
                    yield self.observe(profile)
                except Unusable as exc:
                    label = shown(profile.get("id") if isinstance(profile, dict) else profile)
                    why = f"malformed answer: {exc}"
                    yield ScopeError("azure", self.scope, f"Traffic Manager profile {label}", why)
        except AZURE_ERRORS as exc:
            yield ScopeError("azure", self.scope, "Traffic Manager profiles", describe(exc))

    def read(self, group: str, name: str) -> Observation:
        return self.observe(as_record(self.client.profiles.get(group, name)))

    def observe(self, profile: Any) -> Observation:
        if not isinstance(profile, dict):
            raise Unusable(f"an item of value is {shown(profile)}, not an object")
        profile_id = string(profile.get("id"), "id")
        if not profile_id:
            raise Unusable("the profile has no id")
        obs = Observation(
            id=profile_id,
            provider="azure",
            kind=KIND,
            name=text(profile.get("name") or profile_id.rsplit("/", 1)[-1]),
            account=self.subscription,
            location=text(profile.get("location") or ""),
            tags=tags(profile.get("tags")),
        )
        for fact, path in PROFILE_PATHS:
            if fact in DECIDING:
                add_checked(obs, fact, path, lambda p=path: string(dig(profile, p), p))
            else:
                obs.add(fact, path, plain(dig(profile, path)))
        self._endpoint_facts(obs, profile)
        return obs

    def _endpoint_facts(self, obs: Observation, profile: dict[str, Any]) -> None:
        try:
            endpoints = objects(dig(profile, "properties.endpoints"), ENDPOINTS)
        except Unusable as exc:
            for fact in ("endpoints", "enabled_endpoints", "weighted_endpoints"):
                obs.unknown(fact, ENDPOINTS, f"malformed answer: {exc}")
            return
        obs.add("endpoints", ENDPOINTS, [_summary(e) for e in endpoints])
        enabled_field = f"{ENDPOINTS}.properties.endpointStatus (count of Enabled)"
        weighted_field = f"{ENDPOINTS}.properties.weight (count of Enabled with weight > 0)"
        try:
            enabled = [e for e in endpoints if _enabled(e)]
        except Unusable as exc:
            obs.unknown("enabled_endpoints", enabled_field, f"malformed answer: {exc}")
            obs.unknown("weighted_endpoints", weighted_field, f"malformed answer: {exc}")
            return
        obs.add("enabled_endpoints", enabled_field, len(enabled))
        add_checked(
            obs, "weighted_endpoints", weighted_field, lambda: sum(_weight(e) > 0 for e in enabled)
        )
