"""Front Door origin groups' facts (providers/azure/frontdoor.py reads them):
the group's load-balancing and health-probe settings, and its origins' enabled
states, priorities and weights, with the defaults Microsoft documents
(https://learn.microsoft.com/en-us/azure/frontdoor/routing-methods)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from providers.azure.values import Unusable, number, string, text
from scanner.facts import dig, plain
from scanner.model import Observation

DEFAULT_WEIGHT = 50  # "This parameter uses a default weight of 50"
DEFAULT_PRIORITY = 1  # an origin group is an equal-priority list unless set (1 to 5)
DEFAULT_LATENCY_MS = 0  # "By default, the latency sensitivity property is set to 0 ms"

ORIGINS = "origins[]"
LB = "properties.loadBalancingSettings"
PROBE = "properties.healthProbeSettings"
GROUP_PATHS = [
    ("sample_size", f"{LB}.sampleSize"),
    ("successful_samples_required", f"{LB}.successfulSamplesRequired"),
    ("probe_path", f"{PROBE}.probePath"),
    ("probe_protocol", f"{PROBE}.probeProtocol"),
    ("probe_request_type", f"{PROBE}.probeRequestType"),
    ("probe_interval_seconds", f"{PROBE}.probeIntervalInSeconds"),
    ("session_affinity", "properties.sessionAffinityState"),
    (
        "traffic_restoration_minutes",
        "properties.trafficRestorationTimeToHealedOrNewEndpointsInMinutes",
    ),
]
ORIGIN_FACTS = (
    "enabled_origins",
    "priority_tiers",
    "top_priority",
    "top_tier_origins",
    "top_tier_weights",
    "distinct_top_tier_weights",
    "standby_origins",
)


@dataclass(frozen=True)
class Origins:
    items: list[dict[str, Any]] | None
    reason: str = ""


def group_facts(obs: Observation, og: dict[str, Any]) -> None:
    latency_field = f"{LB}.additionalLatencyInMilliseconds (absent = {DEFAULT_LATENCY_MS})"
    try:
        value = number(dig(og, f"{LB}.additionalLatencyInMilliseconds"), latency_field)
    except Unusable as exc:
        obs.unknown("latency_sensitivity_ms", latency_field, f"malformed answer: {exc}")
    else:
        obs.add(
            "latency_sensitivity_ms", latency_field, DEFAULT_LATENCY_MS if value is None else value
        )
    probe = dig(og, PROBE)
    obs.add("health_probes", f"{PROBE} (present: probes on)", isinstance(probe, dict))
    for fact, path in GROUP_PATHS:
        obs.add(fact, path, plain(dig(og, path)))


def _origin_summary(origin: dict[str, Any]) -> str:
    p = origin.get("properties") if isinstance(origin.get("properties"), dict) else {}

    def s(value: Any) -> str:
        return text(value) if value is not None else "unset"

    return (
        f"{s(origin.get('name'))}: {s(p.get('enabledState'))}, weight {s(p.get('weight'))}, "
        f"priority {s(p.get('priority'))}, host {s(p.get('hostName'))}"
    )


def origin_facts(obs: Observation, origins: Origins) -> None:
    fields = {
        "enabled_origins": f"{ORIGINS}.properties.enabledState (count of Enabled)",
        "priority_tiers": f"{ORIGINS}.properties.priority (distinct among Enabled; absent = 1)",
        "top_priority": f"{ORIGINS}.properties.priority (lowest among Enabled: the first tier)",
        "top_tier_origins": f"{ORIGINS}.properties.priority (Enabled origins in the first tier)",
        "top_tier_weights": f"{ORIGINS}.properties.weight (first tier; absent = {DEFAULT_WEIGHT})",
        "distinct_top_tier_weights": f"{ORIGINS}.properties.weight (distinct in the first tier)",
        "standby_origins": f"{ORIGINS}.properties.priority (Enabled, below the first tier)",
    }

    def unknown(reason: str) -> None:
        for fact in ORIGIN_FACTS:
            obs.unknown(fact, fields[fact], reason)

    if origins.items is None:
        obs.unknown("origins", ORIGINS, origins.reason)
        unknown(origins.reason)
        return
    obs.add("origins", ORIGINS, [_origin_summary(o) for o in origins.items])
    try:
        enabled = []
        for origin in origins.items:
            state = string(dig(origin, "properties.enabledState"), f"{ORIGINS}.enabledState")
            if state is not None and state.lower() != "enabled":
                continue
            priority = number(dig(origin, "properties.priority"), f"{ORIGINS}.priority")
            weight = number(dig(origin, "properties.weight"), f"{ORIGINS}.weight")
            enabled.append(
                (
                    text(origin.get("name") or "?"),
                    DEFAULT_PRIORITY if priority is None else priority,
                    DEFAULT_WEIGHT if weight is None else weight,
                )
            )
    except Unusable as exc:
        unknown(f"malformed answer: {exc}")
        return
    obs.add("enabled_origins", fields["enabled_origins"], len(enabled))
    tiers = sorted({p for _, p, _ in enabled})
    obs.add("priority_tiers", fields["priority_tiers"], len(tiers))
    top = tiers[0] if tiers else None
    first = [(n, w) for n, p, w in enabled if p == top]
    obs.add("top_priority", fields["top_priority"], top)
    obs.add("top_tier_origins", fields["top_tier_origins"], len(first))
    obs.add("top_tier_weights", fields["top_tier_weights"], [f"{n}: {w:g}" for n, w in first])
    obs.add(
        "distinct_top_tier_weights", fields["distinct_top_tier_weights"], len({w for _, w in first})
    )
    standby = [f"{n}: priority {p:g}" for n, p, _ in enabled if p != top]
    obs.add("standby_origins", fields["standby_origins"], standby)
