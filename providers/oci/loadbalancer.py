"""Load balancers: every backend set, its policy and backends, and which
listener (or route) uses it, read from one paged ListLoadBalancers call."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.oci.kind import oci_kind
from providers.oci.operation import Operation
from providers.oci.units import identity_problem, unit
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.oci.context import OciContext

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


FACTS = (
    ("listener_backend_sets", f"{P}.listeners[].defaultBackendSetName"),
    ("served_backend_sets", f"{P}.listeners|pathRouteSets|routingPolicies -> backendSetName"),
    ("backend_set_policies", f"{P}.backendSets[].policy"),
    ("health_checkers", f"{P}.backendSets[].healthChecker"),
    ("min_backends", f"{P}.backendSets[].backends (count)"),
    ("min_serving_backends", f"{P}.backendSets[].backends (not drain, offline or backup)"),
    ("parked_backends", f"{P}.backendSets[].backends[].drain|offline"),
    ("backup_backends", f"{P}.backendSets[].backends[].backup"),
    ("standby_backend_sets", f"{P}.backendSets (used by no listener)"),
    ("uneven_weight_sets", f"{P}.backendSets[].backends[].weight"),
)
KIND = oci_kind(
    name="oci.loadbalancer.load_balancer",
    title="OCI load balancer",
    ocid_type="loadbalancer",
    service="loadbalancer",
    client="oci.load_balancer.LoadBalancerClient",
    facts=facts(*FACTS),
    operations=(
        Operation(
            "loadbalancer",
            "ListLoadBalancers",
            "GET",
            "/20170115/loadBalancers",
            "inspect",
            "load-balancers",
            "LOAD_BALANCER_INSPECT",
        ),
        Operation(
            "loadbalancer",
            "GetLoadBalancer",
            "GET",
            "/20170115/loadBalancers/{loadBalancerId}",
            "read",
            "load-balancers",
            "LOAD_BALANCER_READ",
        ),
    ),
)


def collect(ctx: OciContext) -> Iterator[Observation | ScopeError]:
    from providers.oci.pages import all_items

    client = ctx.client(KIND.service)
    found = all_items(client.list_load_balancers, compartment_id=ctx.compartment, detail="full")
    for lb in found:
        if lb.lifecycle_state in GONE:
            continue
        problem = identity_problem(lb, "load balancer")
        if problem:
            yield ScopeError("oci", ctx.label, KIND.part, problem)
        else:
            yield observe(lb, ctx.region)


def get(ctx: OciContext, resource_id: str) -> Observation:
    lb = ctx.client(KIND.service).get_load_balancer(resource_id).data
    if not isinstance(lb.id, str):
        lb.id = resource_id
    return observe(lb, ctx.region)


def observe(lb: Any, region: str) -> Observation:
    obs = unit(KIND.name, lb, region)
    why = getattr(lb, "malformed", None)
    if why is None:
        try:
            values = _values(lb)
        except (AttributeError, TypeError, ValueError, KeyError) as exc:
            why = f"malformed load balancer: {type(exc).__name__}: {exc}"
    for spec in KIND.facts:
        if why is None:
            obs.add(spec.name, spec.field, values[spec.name])
        else:
            obs.unknown(spec.name, spec.field, why)
    return obs


def _values(lb: Any) -> dict[str, Any]:
    sets: dict[str, Any] = dict(lb.backend_sets or {})
    served = [n for n in _served(lb) if n in sets]
    listeners = lb.listeners or {}
    counts = [len(sets[n].backends or []) for n in served]
    serving = [sum(1 for b in sets[n].backends or [] if _serving(b)) for n in served]
    return {
        "listener_backend_sets": [
            f"{name} -> {ls.default_backend_set_name}" for name, ls in sorted(listeners.items())
        ],
        "served_backend_sets": served,
        "backend_set_policies": [f"{name}: {sets[name].policy}" for name in served],
        "health_checkers": [_health(name, sets[name].health_checker) for name in served],
        "min_backends": min(counts, default=None),
        "min_serving_backends": min(serving, default=None),
        "parked_backends": [
            f"{n}/{b.name} ({'drain' if b.drain else 'offline'})"
            for n in served
            for b in sets[n].backends or []
            if b.drain or b.offline
        ],
        "backup_backends": [
            f"{n}/{b.name}"
            for n in served
            for b in sets[n].backends or []
            if b.backup and not b.offline
        ],
        "standby_backend_sets": [
            name
            for name, bs in sorted(sets.items())
            if served and name not in served and any(not b.offline for b in bs.backends or [])
        ],
        "uneven_weight_sets": [
            f"{n}: {'/'.join(str(w) for w in _weights(sets[n]))}"
            for n in served
            if sets[n].policy in WEIGHTED_POLICIES and len(set(_weights(sets[n]))) > 1
        ],
    }


def _health(name: str, checker: Any) -> str:
    if checker is None:
        return f"{name}: none"
    where = f" {checker.url_path}" if checker.url_path else ""
    return f"{name}: {checker.protocol} port {checker.port}{where}"


NO_HISTORY = (
    "a load balancer keeps no record of its backend and weight changes (only the "
    "current configuration); its changes are in the Audit service, which relscan "
    "does not read yet"
)
