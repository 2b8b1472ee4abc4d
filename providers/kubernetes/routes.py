"""What the two weighted-route kinds (Gateway API HTTPRoutes, Istio
VirtualServices) share: their owners, and how one route's weighted lists
become facts.

A route holds several weighted lists (an HTTPRoute's `rules[].backendRefs`, a
VirtualService's `http[]`/`tls[]`/`tcp[]` `route` lists). Weights compare
only within one list, so each list is judged on its own, and the route's
level is that of its highest-level list (a split beats a standby, which beats
an even spread); every list is in the evidence. A backend named twice in one
list counts once, with its weights added, as the proxies do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from providers.kubernetes.kind import K8sKind
from providers.kubernetes.objects import collect_kind
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext

# Knative's networking layer makes routes from a Knative Service's traffic
# (net-istio VirtualServices, net-gateway-api HTTPRoutes), owned by its
# internal Ingress or by the serving Route: the Knative Service is the unit.
KNATIVE_OWNERS = frozenset({"Ingress.networking.internal.knative.dev", "Route.serving.knative.dev"})


@dataclass(frozen=True)
class WeightedList:
    where: str  # e.g. rules[0].backendRefs, http[name=reviews].route
    weights: dict[str, int]  # backend -> weight in force
    unset: frozenset[str]  # backends whose weight is the default, not written

    @property
    def live(self) -> list[int]:
        return [w for w in self.weights.values() if w > 0]

    @property
    def split(self) -> bool:
        """Two or more backends above 0 at unequal weights."""
        return len(self.live) >= 2 and len(set(self.live)) > 1

    @property
    def standby(self) -> bool:
        """Two or more backends, exactly one above 0."""
        return len(self.weights) >= 2 and len(self.live) == 1

    @property
    def equal(self) -> bool:
        """Two or more backends above 0, all at one weight."""
        return len(self.live) >= 2 and len(set(self.live)) == 1

    def shown(self) -> str:
        parts = [
            f"{name}={weight}{' (unset)' if name in self.unset else ''}"
            for name, weight in self.weights.items()
        ]
        return f"{self.where}: {', '.join(parts) or 'no backends'}"


def weighted_list(where: str, entries: list[tuple[str, int, bool]]) -> WeightedList:
    """`entries`: (backend, weight in force, weight unset) in the list's order."""
    weights: dict[str, int] = {}
    unset: set[str] = set()
    for name, weight, defaulted in entries:
        if weight < 0:
            raise ValueError(f"{where}: negative weight {weight} for {name}")
        weights[name] = weights.get(name, 0) + weight
        if defaulted:
            unset.add(name)
    return WeightedList(where, weights, frozenset(unset))


def owner_references(meta: dict[str, Any]) -> list[str]:
    """metadata.ownerReferences as `KIND.GROUP/NAME` (the core group `core`)."""
    found: list[str] = []
    for ref in meta.get("ownerReferences") or []:
        api_version = str(ref.get("apiVersion") or "")
        group = api_version.rpartition("/")[0] if "/" in api_version else "core"
        found.append(f"{ref.get('kind')}.{group}/{ref.get('name')}")
    return found


def made_by_knative(owners: list[str]) -> bool:
    return any(owner.partition("/")[0] in KNATIVE_OWNERS for owner in owners)


# The facts both route kinds declare; `lists` names the kind's weighted lists.
def route_facts(lists: str, weight: str) -> tuple[tuple[str, str], ...]:
    return (
        ("split_lists", f"{lists} (lists with 2+ backends above 0 at unequal {weight}s)"),
        ("standby_lists", f"{lists} (lists with 2+ backends, exactly one above 0)"),
        ("equal_lists", f"{lists} (lists with 2+ backends above 0, all at one {weight})"),
        ("most_backends", f"{lists} (most backends in one list)"),
        ("backend_weights", f"{lists} (list: backend={weight})"),
        ("owner_references", "metadata.ownerReferences (KIND.GROUP/NAME)"),
        ("made_by_knative", "metadata.ownerReferences (a Knative Ingress or Route)"),
    )


def route_values(lists: list[WeightedList], meta: dict[str, Any]) -> dict[str, Any]:
    owners = owner_references(meta)
    return {
        "split_lists": sum(1 for wl in lists if wl.split),
        "standby_lists": sum(1 for wl in lists if wl.standby),
        "equal_lists": sum(1 for wl in lists if wl.equal),
        "most_backends": max((len(wl.weights) for wl in lists), default=0),
        "backend_weights": [wl.shown() for wl in lists],
        "owner_references": owners,
        "made_by_knative": made_by_knative(owners),
    }


def is_release_route(obs: Observation) -> bool:
    """Whether a scan reports the route: some list of it weighs two or more
    backends, and Knative did not make it (its Knative Service is the unit).
    A route whose every list holds one backend routes and does not release,
    as a listener rule or URL map with one backend is no unit; `check` still
    reads either and says why it is not assessed."""
    facts = obs.facts
    if facts["made_by_knative"].value is True:
        return False
    most = facts["most_backends"].value
    return not isinstance(most, int) or most >= 2


def collect_routes(
    ctx: KubeContext,
    kind: K8sKind,
    observe: Callable[[dict[str, Any], KubeContext], Observation],
    versions: tuple[str, ...],
) -> Iterator[Observation | ScopeError]:
    """A route kind's units: its objects that are release routes (above)."""
    for item in collect_kind(ctx, kind, observe, versions):
        if isinstance(item, Observation) and not is_release_route(item):
            continue
        yield item
