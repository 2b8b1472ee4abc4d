"""Deployments through the real client and the emulator: the facts, and each
rule reached and just missed."""

from __future__ import annotations

from typing import Any

import pytest

from providers.kubernetes import fenceposts
from tests.kubernetes.conftest import UID, assess, cluster, deployment, rolling

NGINX = "nginx-deployment"  # the Kubernetes documentation's Deployment example


def one(kube: Any, dep: dict[str, Any]) -> Any:
    found, errors = kube({"clusters": [cluster(deployments=[dep])]}).scan()
    assert errors == []
    assert len(found) == 1
    return found[0]


def test_documentation_example_is_a_rolling_update(kube: Any) -> None:
    obs = one(kube, deployment(NGINX))
    assert obs.id == f"k8s:{UID}/shop/deployments.apps/{NGINX}"
    assert (obs.account, obs.location, obs.name) == (UID, "shop", f"shop/{NGINX}")
    assert obs.tags["app.kubernetes.io/part-of"] == "shop"
    facts = {n: f.value for n, f in obs.facts.items()}
    assert facts["strategy_type"] == "RollingUpdate"
    assert (facts["max_surge"], facts["max_unavailable"]) == ("25%", "25%")
    # 25% of 3: surge rounds up to 1, unavailable rounds down to 0
    assert (facts["resolved_max_surge"], facts["resolved_max_unavailable"]) == (1, 0)
    assert facts["all_pods_at_once"] is False
    assert facts["readiness_probes"] is False
    assert facts["containers_without_readiness_probe"] == ["nginx"]
    assert facts["progress_deadline_seconds"] == 600
    a = assess(obs)
    assert (a.level, a.rule, a.basis) == (2, "K8S-DEPLOY-2-ROLLING", "policy")


@pytest.mark.parametrize(
    ("spec", "level", "rule"),
    [
        # Recreate: reached; scaled to zero just misses (not assessed)
        ({"strategy": {"type": "Recreate"}}, 1, "K8S-DEPLOY-1-RECREATE"),
        ({"strategy": {"type": "Recreate"}, "replicas": 0}, None, None),
        # replicas 1 with maxSurge 0: the only pod goes first (issue 18)
        ({"replicas": 1, "strategy": rolling(0, 1)}, 1, "K8S-DEPLOY-1-ALL-AT-ONCE"),
        # both resolve to 0 (25% of 1 rounds down): the controller sets unavailable 1
        ({"replicas": 1, "strategy": rolling(0, "25%")}, 1, "K8S-DEPLOY-1-ALL-AT-ONCE"),
        # replicas 1 with the defaults: surge rounds up to 1, the new pod starts first
        ({"replicas": 1, "strategy": rolling(None, None)}, 2, "K8S-DEPLOY-2-ROLLING"),
        ({"replicas": 1, "strategy": rolling(1, 0)}, 2, "K8S-DEPLOY-2-ROLLING"),
        # 100% of 4 lets every pod go; 99% of 4 rounds down to 3 and just misses
        ({"replicas": 4, "strategy": rolling(0, "100%")}, 1, "K8S-DEPLOY-1-ALL-AT-ONCE"),
        ({"replicas": 4, "strategy": rolling(0, "99%")}, 2, "K8S-DEPLOY-2-ROLLING"),
        # an absolute maxUnavailable above replicas is capped at replicas
        ({"replicas": 2, "strategy": rolling(1, 5)}, 1, "K8S-DEPLOY-1-ALL-AT-ONCE"),
        ({"replicas": 2, "strategy": rolling(1, 1)}, 2, "K8S-DEPLOY-2-ROLLING"),
        # a rolling Deployment scaled to zero just misses level 2
        ({"replicas": 0}, None, None),
    ],
)
def test_levels(kube: Any, spec: dict[str, Any], level: int | None, rule: str | None) -> None:
    a = assess(one(kube, deployment(NGINX, **spec)))
    assert (a.level, a.rule) == (level, rule)
    if level is None:
        assert "scaled to zero" in a.reason


def test_readiness_and_timing_evidence(kube: Any) -> None:
    probe = {"httpGet": {"path": "/healthz", "port": 8080}}
    dep = deployment(NGINX, minReadySeconds=30, progressDeadlineSeconds=300)
    dep["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = probe
    obs = one(kube, dep)
    assert obs.facts["readiness_probes"].value is True
    assert obs.facts["containers_without_readiness_probe"].value == []
    assert obs.facts["min_ready_seconds"].value == 30
    assert obs.facts["progress_deadline_seconds"].value == 300
    a = assess(obs)
    shown = {e.field: e.value for e in a.evidence}
    assert shown["spec.minReadySeconds"] == 30
    assert shown["spec.progressDeadlineSeconds"] == 300


def test_malformed_strategy_is_unknown_not_a_guess(kube: Any) -> None:
    obs = one(kube, deployment(NGINX, strategy=rolling("lots", 1)))
    fact = obs.facts["resolved_max_surge"]
    assert not fact.known and "not an int or percentage: 'lots'" in (fact.error or "")
    assert assess(obs).level is None


@pytest.mark.parametrize(
    ("surge", "unavailable", "replicas", "expected"),
    [
        ("25%", "25%", 10, (3, 2)),  # ceil 2.5, floor 2.5
        (0, 0, 5, (0, 1)),  # both zero: unavailable 1
        ("0%", "10%", 3, (0, 1)),  # floor 0.3 = 0 and surge 0: unavailable 1
        (2, 7, 3, (2, 3)),  # capped at replicas
    ],
)
def test_fenceposts(surge: Any, unavailable: Any, replicas: int, expected: tuple[int, int]) -> None:
    posts = fenceposts.deployment(surge, unavailable, replicas)
    assert (posts.surge, posts.unavailable) == expected


def test_service_comes_from_the_recommended_labels(kube: Any) -> None:
    from scanner.services import ServiceConfig

    dep = deployment(NGINX)
    dep["metadata"]["labels"] = {
        "app.kubernetes.io/name": "web",
        "app.kubernetes.io/part-of": "shop",
    }
    a = assess(one(kube, dep))
    assert ServiceConfig().service_of(a) == "shop"
    dep["metadata"]["labels"] = {"app.kubernetes.io/name": "web"}
    assert ServiceConfig().service_of(assess(one(kube, dep))) == "web"
