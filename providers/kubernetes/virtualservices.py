"""Istio VirtualServices (networking.istio.io, v1, v1beta1 or v1alpha3): the
weights of each route's destinations, in `http[]`, `tls[]` and `tcp[]`.

Istio's weights differ from the Gateway API's: "If there is only one
destination in a rule, it will receive all traffic. Otherwise, if weight is
0, the destination will not receive any traffic"
(https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRouteDestination).
An unset weight is the protobuf default, 0; there is no 1,000,000 cap. A
lone destination is shown with the 100 % it takes. Routes Knative's
networking layer made (net-istio) are left out of a scan.
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

VERSIONS = ("v1", "v1beta1", "v1alpha3")  # read in the first the cluster serves
PROTOCOLS = ("http", "tls", "tcp")
KIND = k8s_kind(
    name="kubernetes.istio.virtualservice",
    title="Istio VirtualService",
    group="networking.istio.io",
    version=VERSIONS[0],
    resource="virtualservices",
    facts=facts(*route_facts("spec.{http,tls,tcp}[].route[].weight", "weight")),
)


def collect(ctx: KubeContext) -> Iterator[Observation | ScopeError]:
    return collect_routes(ctx, KIND, observe, VERSIONS)  # release routes only (routes.py)


def get(ctx: KubeContext, resource_id: str) -> Observation:
    return observe(get_object(ctx, KIND, resource_id, VERSIONS), ctx)


def observe(item: dict[str, Any], ctx: KubeContext) -> Observation:
    return add_facts(base_observation(item, ctx, KIND), KIND, item, _values)


def _destination(dest: dict[str, Any]) -> str:
    name = str(dest["host"])
    if dest.get("subset"):
        name = f"{name} (subset {dest['subset']})"
    port = (dest.get("port") or {}).get("number")
    return f"{name}:{port}" if port is not None else name


def _values(item: dict[str, Any]) -> dict[str, Any]:
    spec = item.get("spec") or {}
    lists = []
    for protocol in PROTOCOLS:
        for i, route in enumerate(spec.get(protocol) or []):
            dests = route.get("route") or []
            if not dests:
                continue  # a redirect or direct response: nothing weighed
            if len(dests) == 1:  # a lone destination takes all traffic
                entries = [(_destination(dests[0]["destination"]), 100, False)]
            else:
                entries = [
                    (
                        _destination(d["destination"]),
                        int(d.get("weight") or 0),
                        d.get("weight") is None,
                    )
                    for d in dests
                ]
            where = f"{protocol}[name={route['name']}]" if route.get("name") else f"{protocol}[{i}]"
            lists.append(weighted_list(f"{where}.route", entries))
    return route_values(lists, item.get("metadata") or {})


# --history: a route keeps no record of its weights' changes (they are in the
# audit log, which relscan does not read).
NO_HISTORY = (
    "a route keeps no record of its weight changes: they are in the cluster's audit log, "
    "which relscan does not read"
)
