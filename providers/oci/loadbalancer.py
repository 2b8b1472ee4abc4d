"""Load balancers: every backend set, its policy and backends, and which
listener (or route) uses it, read from one paged ListLoadBalancers call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import oci

from providers.oci.clients import OciClients
from providers.oci.tags import tags_of
from scanner.model import Observation

KIND = "oci.loadbalancer.load_balancer"
GONE = ("DELETING", "DELETED")
# OCI documents weights for round robin and least connections; IP hash pins each
# client to a backend by its address, so weights give no controlled share there.
WEIGHTED_POLICIES = ("ROUND_ROBIN", "LEAST_CONNECTIONS")
P = "loadBalancer"


def _served(lb: Any) -> list[str]:
    """Backend sets that receive traffic: listeners' defaults, path routes and
    routing-policy actions, in that order."""
    names: list[str] = []
    for listener in (lb.listeners or {}).values():
        names.append(listener.default_backend_set_name)
    for route_set in (lb.path_route_sets or {}).values():
        names.extend(route.backend_set_name for route in route_set.path_routes or [])
    for policy in (lb.routing_policies or {}).values():
        for rule in policy.rules or []:
            names.extend(
                a.backend_set_name
                for a in rule.actions or []
                if getattr(a, "backend_set_name", None)
            )
    return [n for n in dict.fromkeys(names) if n]


def _serving(backend: Any) -> bool:
    return not (backend.drain or backend.offline or backend.backup)


def _weights(backend_set: Any) -> list[int]:
    return [b.weight for b in backend_set.backends or [] if _serving(b) and (b.weight or 0) > 0]


class LoadBalancerReader:
    def __init__(self, clients: OciClients, region: str) -> None:
        self.client = clients.get("loadbalancer", region)
        self.region = region

    def collect(self, compartment: str) -> Iterator[Observation]:
        resp = oci.pagination.list_call_get_all_results(
            self.client.list_load_balancers, compartment_id=compartment, detail="full"
        )
        for lb in resp.data:
            if lb.lifecycle_state not in GONE:
                yield self.observe(lb)

    def get(self, lb_id: str) -> Observation:
        return self.observe(self.client.get_load_balancer(lb_id).data)

    def observe(self, lb: Any) -> Observation:
        obs = Observation(
            id=lb.id,
            provider="oci",
            kind=KIND,
            name=lb.display_name or lb.id,
            account=lb.compartment_id,
            location=self.region,
            tags=tags_of(lb),
        )
        sets: dict[str, Any] = dict(lb.backend_sets or {})
        served = [n for n in _served(lb) if n in sets]
        listeners = lb.listeners or {}
        obs.add(
            "listener_backend_sets",
            f"{P}.listeners[].defaultBackendSetName",
            [f"{name} -> {ls.default_backend_set_name}" for name, ls in sorted(listeners.items())],
        )
        obs.add(
            "served_backend_sets",
            f"{P}.listeners|pathRouteSets|routingPolicies -> backendSetName",
            served,
        )
        obs.add(
            "backend_set_policies",
            f"{P}.backendSets[].policy",
            [f"{name}: {sets[name].policy}" for name in served],
        )
        obs.add(
            "health_checkers",
            f"{P}.backendSets[].healthChecker",
            [_health(name, sets[name].health_checker) for name in served],
        )
        counts = [len(sets[n].backends or []) for n in served]
        serving = [sum(1 for b in sets[n].backends or [] if _serving(b)) for n in served]
        obs.add("min_backends", f"{P}.backendSets[].backends (count)", min(counts, default=None))
        obs.add(
            "min_serving_backends",
            f"{P}.backendSets[].backends (not drain, offline or backup)",
            min(serving, default=None),
        )
        obs.add(
            "parked_backends",
            f"{P}.backendSets[].backends[].drain|offline",
            [
                f"{n}/{b.name} ({'drain' if b.drain else 'offline'})"
                for n in served
                for b in sets[n].backends or []
                if b.drain or b.offline
            ],
        )
        obs.add(
            "backup_backends",
            f"{P}.backendSets[].backends[].backup",
            [
                f"{n}/{b.name}"
                for n in served
                for b in sets[n].backends or []
                if b.backup and not b.offline
            ],
        )
        obs.add(
            "standby_backend_sets",
            f"{P}.backendSets (used by no listener)",
            [
                name
                for name, bs in sorted(sets.items())
                if served and name not in served and any(not b.offline for b in bs.backends or [])
            ],
        )
        obs.add(
            "uneven_weight_sets",
            f"{P}.backendSets[].backends[].weight",
            [
                f"{n}: {'/'.join(str(w) for w in _weights(sets[n]))}"
                for n in served
                if sets[n].policy in WEIGHTED_POLICIES and len(set(_weights(sets[n]))) > 1
            ],
        )
        return obs


def _health(name: str, checker: Any) -> str:
    if checker is None:
        return f"{name}: none"
    where = f" {checker.url_path}" if checker.url_path else ""
    return f"{name}: {checker.protocol} port {checker.port}{where}"
