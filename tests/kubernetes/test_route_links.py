"""Routes that a progressive-delivery controller drives are that controller's
evidence, not units of their own (issue 18): the routes an Argo Rollout names
in `trafficRouting` (its docs' Istio and Gateway API plugin examples), and the
routes Flagger makes for a Canary, which carry an ownerReference to it
(Flagger's docs: "Flagger creates ... a VirtualService" for the podinfo Canary).
A route nobody names, or owned by another Canary, is still a unit."""

from __future__ import annotations

from typing import Any

from tests.kubernetes.conftest import cluster
from tests.kubernetes.test_canaries import FLAGGER, podinfo, progressive
from tests.kubernetes.test_rollouts import ARGO, rollout
from tests.kubernetes.test_routes import GATEWAY, ISTIO, backend, dest, httproute, virtualservice

STEPS = [{"setWeight": 20}, {"pause": {"duration": "1h"}}]


def scan(kube: Any, crds: list[str], objects: dict[str, list[Any]]) -> list[str]:
    found, errors = kube({"clusters": [cluster(crds=crds, objects=objects)]}).scan()
    assert errors == []
    return sorted(f"{o.kind} {o.name}" for o in found)


def test_routes_a_rollout_names_are_its_own_not_counted_again(kube: Any) -> None:
    # Argo Rollouts' traffic-management docs: istio.virtualService and the Gateway
    # API plugin's httpRoute; a third route nobody names stays a unit
    routing = {
        "istio": {"virtualService": {"name": "rollout-vsvc", "routes": ["primary"]}},
        "plugins": {"argoproj-labs/gatewayAPI": {"httpRoute": "argo-rollouts-http-route"}},
    }
    strategy = {
        "canary": {
            "canaryService": "canary-service",
            "stableService": "stable-service",
            "trafficRouting": routing,
            "steps": STEPS,
        }
    }
    split = [dest("stable-service", 80, "stable-service"), dest("canary", 20, "canary-service")]
    objects = {
        "argoproj.io/rollouts": [rollout("rollouts-demo", strategy)],
        "networking.istio.io/virtualservices": [
            virtualservice("rollout-vsvc", "shop", http=[{"name": "primary", "route": split}]),
            virtualservice("other-vsvc", "shop", http=[{"route": split}]),
        ],
        "gateway.networking.k8s.io/httproutes": [
            httproute("argo-rollouts-http-route", [backend("stable", 80), backend("canary", 20)]),
        ],
    }
    units = scan(kube, [ARGO, f"{ISTIO}/v1", f"{GATEWAY}/v1"], objects)
    assert units == [
        "kubernetes.argo.rollout shop/rollouts-demo",
        "kubernetes.istio.virtualservice shop/other-vsvc",
    ]


def test_routes_flagger_made_for_a_canary_are_its_own(kube: Any) -> None:
    owner = {"apiVersion": FLAGGER, "kind": "Canary", "name": "podinfo", "controller": True}
    stranger = {**owner, "name": "other"}  # owned by a Canary that is not here
    split = [dest("primary", 90, "podinfo-primary"), dest("canary", 10, "podinfo-canary")]
    objects = {
        "flagger.app/canaries": [podinfo(progressive())],
        "networking.istio.io/virtualservices": [
            virtualservice("podinfo", "test", owners=[owner], http=[{"route": split}]),
            virtualservice("leftover", "test", owners=[stranger], http=[{"route": split}]),
        ],
    }
    units = scan(kube, [f"{FLAGGER}", f"{ISTIO}/v1"], objects)
    assert units == [
        "kubernetes.flagger.canary test/podinfo",
        "kubernetes.istio.virtualservice test/leftover",
    ]
