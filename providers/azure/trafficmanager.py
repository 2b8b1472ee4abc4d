"""Traffic Manager profiles: routing method, endpoints and monitor, as facts.

One paged `profiles.list_by_subscription` call per subscription: each profile
arrives with its endpoints and monitor configuration inline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from providers.azure.appservice import dig, plain
from providers.azure.clients import AzureClients
from providers.azure.faults import AZURE_ERRORS, describe
from scanner.model import Observation, ScopeError

KIND = "azure.trafficmanager.profile"
ENDPOINTS = "properties.endpoints[]"
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
    return str(dig(endpoint, "properties.endpointStatus") or "").lower() == "enabled"


def _weight(endpoint: dict[str, Any]) -> float:
    value = dig(endpoint, "properties.weight")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _summary(endpoint: dict[str, Any]) -> str:
    p = endpoint.get("properties") or {}
    return (
        f"{endpoint.get('name')}: {p.get('endpointStatus')}, weight {p.get('weight')}, "
        f"priority {p.get('priority')}, monitor {p.get('endpointMonitorStatus')}"
    )


class TrafficManagerReader:
    def __init__(self, clients: AzureClients, subscription: str, scope: str) -> None:
        self.client = clients.traffic(subscription)
        self.subscription = subscription
        self.scope = scope

    def collect(self) -> Iterator[Observation | ScopeError]:
        try:
            for profile in self.client.profiles.list_by_subscription():
                yield self.observe(profile.as_dict())
        except AZURE_ERRORS as exc:
            yield ScopeError("azure", self.scope, "Traffic Manager profiles", describe(exc))

    def read(self, group: str, name: str) -> Observation:
        return self.observe(self.client.profiles.get(group, name).as_dict())

    def observe(self, profile: dict[str, Any]) -> Observation:
        obs = Observation(
            id=str(profile["id"]),
            provider="azure",
            kind=KIND,
            name=str(profile.get("name") or ""),
            account=self.subscription,
            location=str(profile.get("location") or ""),
            tags={str(k): str(v) for k, v in (profile.get("tags") or {}).items()},
        )
        for fact, path in PROFILE_PATHS:
            obs.add(fact, path, plain(dig(profile, path)))
        endpoints = [e for e in (dig(profile, "properties.endpoints") or []) if isinstance(e, dict)]
        enabled = [e for e in endpoints if _enabled(e)]
        obs.add("endpoints", ENDPOINTS, [_summary(e) for e in endpoints])
        obs.add(
            "enabled_endpoints",
            f"{ENDPOINTS}.properties.endpointStatus (count of Enabled)",
            len(enabled),
        )
        obs.add(
            "weighted_endpoints",
            f"{ENDPOINTS}.properties.weight (count of Enabled with weight > 0)",
            sum(1 for e in enabled if _weight(e) > 0),
        )
        return obs
