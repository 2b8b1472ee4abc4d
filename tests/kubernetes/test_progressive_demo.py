"""The demo estate's Argo Rollouts (the EKS-looking cluster) and Flagger
Canaries (the AKS-looking cluster): each reachable level shown once, and the
Deployments they release left out of the units."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from providers.kubernetes.canaries import KIND as CANARY
from providers.kubernetes.rollouts import KIND as ROLLOUT
from scanner.classify import classify

EKS = "arn:aws:eks:eu-west-2:111122223333:cluster/citizen-services"
AKS = "aks-dds-uksouth"


def demo_part() -> dict[str, Any]:
    text = resources.files("scanner.demo").joinpath("estate.yaml").read_text()
    return dict(yaml.safe_load(text)["kubernetes"])


def levels(kube: Any, context: str, kind: str) -> tuple[dict[str, Any], list[str]]:
    """The kind's units by name with (level, rule), and the other units' names
    (Deployments and routes)."""
    k = kube(demo_part(), current=context)
    found, errors = k.scan()
    assert errors == []
    judged = {}
    for obs in found:
        if obs.kind == kind:
            a = classify(obs)
            judged[obs.name] = (a.level, a.rule)
    return judged, [o.name for o in found if o.kind != kind]


def test_demo_rollouts(kube: Any) -> None:
    judged, names = levels(kube, EKS, ROLLOUT.name)
    assert judged == {
        "benefits/benefits-api": (5, "K8S-ARGO-5-CANARY-ANALYSIS"),
        "benefits/eligibility-checker": (3, "K8S-ARGO-3-BLUEGREEN-MANUAL"),
        "benefits/payments-gateway": (5, "K8S-ARGO-5-BLUEGREEN-POST-ANALYSIS"),
        "citizen-portal/notify-service": (4, "K8S-ARGO-4-BLUEGREEN-TIMED"),
        "citizen-portal/address-lookup": (4, "K8S-ARGO-4-BLUEGREEN-AUTO"),
        "citizen-portal/portal-search": (2, "K8S-ARGO-2-CANARY-NO-STEPS"),
        "citizen-portal/appointments": (4, "K8S-ARGO-4-CANARY-MANUAL-PAUSE"),
        "citizen-portal/document-upload": (5, "K8S-ARGO-5-CANARY-DEADLINE-ABORT"),
    }
    # the workloadRef Deployment and the routes named in trafficRouting (a
    # VirtualService at 80/20, an HTTPRoute at 100/0) are the Rollouts', not units
    assert "citizen-portal/document-upload" not in names
    assert "citizen-portal/portal-frontend" in names
    assert not {"benefits/benefits-api-vsvc", "citizen-portal/appointments"} & set(names)


def test_demo_canaries(kube: Any) -> None:
    judged, names = levels(kube, AKS, CANARY.name)
    assert judged == {
        "case-management/case-portal": (5, "K8S-FLAGGER-5-CANARY"),
        "appeals/appeals-api": (4, "K8S-FLAGGER-4-BLUEGREEN"),
        "appeals/hearing-scheduler": (5, "K8S-FLAGGER-5-AB"),
        "appeals/evidence-store": (4, "K8S-FLAGGER-4-GATED"),
        "case-management/correspondence": (2, "K8S-FLAGGER-2-SKIP-ROLLING"),
        "appeals/tribunal-bundles": (3, "K8S-FLAGGER-3-BLUEGREEN-GATED"),
    }
    # the targets and their -primary copies, and the VirtualService Flagger made for
    # case-portal, are the Canaries', not units of their own
    assert names == ["case-management/case-api", "case-management/case-worker"]
