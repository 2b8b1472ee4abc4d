"""Kubernetes units that another unit releases, linked so each release is
counted once (scanner/links.py): the owner is the unit, and the owned object
is left out of the scan's units.

Every Kubernetes unit is known by its object key, `RESOURCE.GROUP/NAMESPACE/NAME`
(`object_key`, from its id), so an owned kind needs no fact of its own: the
owner's list fact (`scanner.links.list_facts`) holds the keys of what it
releases (a Rollout's `workloadRef` Deployment and the routes in its
`trafficRouting`, a Flagger Canary's target and `-primary` Deployments and the
routes it owns, a Knative Service's revision Deployments).
"""

from __future__ import annotations

from collections.abc import Iterable

from providers.kubernetes.kind import parse_id
from scanner.links import Link, list_facts
from scanner.model import Observation

KNATIVE_SERVICE_LABEL = "serving.knative.dev/service"


def object_key(resource_id: str) -> str:
    """`deployments.apps/shop/web` for `k8s:UID/shop/deployments.apps/web`."""
    _, namespace, qualified, name = parse_id(resource_id)
    return f"{qualified}/{namespace}/{name}"


def own_key(unit: Observation) -> list[str]:
    return [object_key(unit.id)]


def knative_service_of(unit: Observation) -> Iterable[str]:
    """The Knative Service a revision's Deployment belongs to: Knative copies
    the Revision's labels, `serving.knative.dev/service` among them, onto the
    Deployment it makes (knative/serving pkg/reconciler/revision/resources/meta.go)."""
    service = unit.tags.get(KNATIVE_SERVICE_LABEL)
    return [f"services.serving.knative.dev/{unit.location}/{service}"] if service else []


def flagger_canary_of(unit: Observation) -> Iterable[str]:
    """The Flagger Canary that made a route: Flagger sets an ownerReference to
    the Canary on the routes it creates (`owner_references`: KIND.GROUP/NAME),
    in the route's namespace."""
    fact = unit.facts.get("owner_references")
    owners = fact.value if fact is not None and isinstance(fact.value, list) else []
    prefix = "Canary.flagger.app/"
    return [
        f"canaries.flagger.app/{unit.location}/{owner[len(prefix) :]}"
        for owner in owners
        if isinstance(owner, str) and owner.startswith(prefix)
    ]


DEPLOYMENT = "kubernetes.apps.deployment"
DAEMONSET = "kubernetes.apps.daemonset"
ROLLOUT = "kubernetes.argo.rollout"
CANARY = "kubernetes.flagger.canary"
ROUTES = ("kubernetes.gateway.httproute", "kubernetes.istio.virtualservice")

LINKS: tuple[Link, ...] = (
    Link(
        owner="kubernetes.knative.service",
        owned="kubernetes.apps.deployment",
        owner_keys=own_key,
        owned_keys=knative_service_of,
        names_fact="revision_deployments",
        how=f"the Deployment's {KNATIVE_SERVICE_LABEL} label names the Knative Service",
    ),
    Link(
        ROLLOUT,
        DEPLOYMENT,
        owner_keys=list_facts("workload_ref"),
        owned_keys=own_key,
        how="a Rollout's spec.workloadRef names the Deployment whose pod template it releases",
    ),
    Link(
        CANARY,
        DEPLOYMENT,
        owner_keys=list_facts("target_deployments"),
        owned_keys=own_key,
        how="a Flagger Canary's spec.targetRef names the Deployment; Flagger makes NAME-primary",
    ),
    Link(
        CANARY,
        DAEMONSET,
        owner_keys=list_facts("target_daemonsets"),
        owned_keys=own_key,
        how="a Flagger Canary's spec.targetRef names the DaemonSet; Flagger makes NAME-primary",
    ),
    *(
        Link(
            ROLLOUT,
            route,
            owner_keys=list_facts("traffic_routes"),
            owned_keys=own_key,
            how="a Rollout's spec.strategy.canary.trafficRouting names the route whose "
            "weights it sets",
        )
        for route in ROUTES
    ),
    *(
        Link(
            CANARY,
            route,
            owner_keys=own_key,
            owned_keys=flagger_canary_of,
            how="the route's metadata.ownerReferences names the Flagger Canary that made it",
        )
        for route in ROUTES
    ),
)
