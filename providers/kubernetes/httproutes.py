"""Gateway API HTTPRoutes (gateway.networking.k8s.io, v1 then v1beta1): the
weights of each rule's backendRefs.

A backendRef's weight "defaults to 1" and ranges 0 to 1,000,000; traffic is
shared as weight / (sum of the list's weights) (BackendRef.Weight,
kubernetes-sigs/gateway-api apis/v1/shared_types.go). The API server usually
fills the default in; where it did not, the evidence marks it `(unset)`.
Routes that Knative's networking layer made are left out of a scan (the
Knative Service is the unit); `check` reads them and says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.kubernetes.kind import k8s_kind
from providers.kubernetes.objects import add_facts, base_observation, get_object
from providers.kubernetes.routes import collect_routes, route_facts, route_values, weighted_list
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext

VERSIONS = ("v1", "v1beta1")  # read in the first the cluster serves
DEFAULT_WEIGHT = 1  # "If unspecified, weight defaults to 1."
KIND = k8s_kind(
    name="kubernetes.gateway.httproute",
    title="Gateway API HTTPRoute",
    group="gateway.networking.k8s.io",
    version=VERSIONS[0],
    resource="httproutes",
    facts=facts(*route_facts("spec.rules[].backendRefs[].weight", "weight")),
)


def collect(ctx: KubeContext) -> Iterator[Observation | ScopeError]:
    return collect_routes(ctx, KIND, observe, VERSIONS)  # release routes only (routes.py)


def get(ctx: KubeContext, resource_id: str) -> Observation:
    return observe(get_object(ctx, KIND, resource_id, VERSIONS), ctx)


def observe(item: dict[str, Any], ctx: KubeContext) -> Observation:
    return add_facts(base_observation(item, ctx, KIND), KIND, item, _values)


def _backend(ref: dict[str, Any]) -> str:
    name = str(ref["name"])
    kind = ref.get("kind") or "Service"
    if kind != "Service":
        name = f"{kind}/{name}"
    if ref.get("namespace"):
        name = f"{ref['namespace']}/{name}"
    return f"{name}:{ref['port']}" if ref.get("port") is not None else name


def _values(item: dict[str, Any]) -> dict[str, Any]:
    lists = []
    for i, rule in enumerate((item.get("spec") or {}).get("rules") or []):
        refs = rule.get("backendRefs") or []
        if not refs:
            continue  # a redirect or other filter-only rule: nothing weighed
        entries = [
            (
                _backend(ref),
                DEFAULT_WEIGHT if ref.get("weight") is None else int(ref["weight"]),
                ref.get("weight") is None,
            )
            for ref in refs
        ]
        where = f"rules[{rule['name']}]" if rule.get("name") else f"rules[{i}]"
        lists.append(weighted_list(f"{where}.backendRefs", entries))
    return route_values(lists, item.get("metadata") or {})


# --history: a route keeps no record of its weights' changes (they are in the
# audit log, which relscan does not read).
NO_HISTORY = (
    "a route keeps no record of its weight changes: they are in the cluster's audit log, "
    "which relscan does not read"
)
