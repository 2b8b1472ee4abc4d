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

from providers.kubernetes.kind import parse_id
from scanner.links import Link
from scanner.model import Observation


def object_key(resource_id: str) -> str:
    """`deployments.apps/shop/web` for `k8s:UID/shop/deployments.apps/web`."""
    _, namespace, qualified, name = parse_id(resource_id)
    return f"{qualified}/{namespace}/{name}"


def own_key(unit: Observation) -> list[str]:
    return [object_key(unit.id)]


LINKS: tuple[Link, ...] = ()
