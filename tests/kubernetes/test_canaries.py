"""Flagger Canaries through the real client and the emulator: the facts, each
rule reached and just missed, skipAnalysis taking the -primary Deployment's
strategy, the links to the target and -primary Deployments, and `check`.
Canaries are Flagger's podinfo examples: docs/gitbook/usage/how-it-works.md,
deployment-strategies.md (canary, A/B testing, blue/green, blue/green
mirroring) and webhooks.md (gates), https://docs.flagger.app/usage/ ."""

from __future__ import annotations

from typing import Any

import pytest

from providers.kubernetes.canaries import KIND
from providers.kubernetes.deployments import KIND as DEPLOYMENT
from scanner.classify import classify
from scanner.model import Assessment, Observation
from scanner.rules import build_rulebook
from tests.kubernetes.conftest import ROOT, UID, cluster, deployment
from tests.kubernetes.test_daemonsets import daemonset
from tests.kubernetes.test_daemonsets import service as ds_service

FLAGGER = "flagger.app/v1beta1"
LOADTESTER = "http://flagger-loadtester.test/"
METRICS = [
    {"name": "request-success-rate", "thresholdRange": {"min": 99}, "interval": "1m"},
    {"name": "request-duration", "thresholdRange": {"max": 500}, "interval": "30s"},
]
ACCEPTANCE = {
    "name": "acceptance-test",
    "type": "pre-rollout",
    "url": LOADTESTER,
    "timeout": "30s",
    "metadata": {"type": "bash", "cmd": "curl -sd 'test' http://podinfo-canary:9898/token"},
}
LOAD = {  # untyped: a rollout hook
    "name": "load-test",
    "url": LOADTESTER,
    "timeout": "5s",
    "metadata": {"cmd": "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/"},
}


def gate(kind: str) -> dict[str, Any]:
    return {"name": f"{kind}-gate", "type": kind, "url": f"{LOADTESTER}gate/check"}


def rulebook() -> Any:
    files = [
        (n, (ROOT / "mappings" / n).read_text())
        for n in ("kubernetes_flagger_canary.yaml", "kubernetes_deployment.yaml")
    ]
    return build_rulebook(files, {KIND.name: KIND, DEPLOYMENT.name: DEPLOYMENT})


def assess(obs: Observation) -> Assessment:
    return classify(obs, rulebook())


def podinfo(analysis: dict[str, Any], namespace: str = "test", **spec: Any) -> dict[str, Any]:
    """how-it-works.md's podinfo Canary with `analysis` in place of its own."""
    return {
        "apiVersion": FLAGGER,
        "kind": "Canary",
        "metadata": {"name": "podinfo", "namespace": namespace},
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
            "progressDeadlineSeconds": 60,
            "service": {"port": 9898, "targetPort": 9898},
            "analysis": analysis,
            **spec,
        },
    }


def progressive(**extra: Any) -> dict[str, Any]:
    """how-it-works.md: 10% steps up to 50%, rolled back after 5 failed checks."""
    return {
        "interval": "1m",
        "threshold": 5,
        "maxWeight": 50,
        "stepWeight": 10,
        "metrics": METRICS,
        "webhooks": [ACCEPTANCE, LOAD],
        **extra,
    }


def bluegreen(**extra: Any) -> dict[str, Any]:
    """deployment-strategies.md "Blue/Green Deployments": iterations, no stepWeight."""
    return {"interval": "1m", "threshold": 2, "iterations": 10, "metrics": METRICS, **extra}


def ab(**extra: Any) -> dict[str, Any]:
    """deployment-strategies.md "A/B Testing": a header or cookie match."""
    match = [
        {"headers": {"x-canary": {"regex": ".*insider.*"}}},
        {"headers": {"cookie": {"regex": "^(.*?;)?(canary=always)(;.*)?$"}}},
    ]
    return {
        "interval": "1m",
        "threshold": 2,
        "iterations": 10,
        "match": match,
        "metrics": METRICS,
        **extra,
    }


def scan_one(kube: Any, canary: dict[str, Any], deps: list[Any] = ()) -> Observation:  # type: ignore[assignment]
    objects = {"flagger.app/canaries": [canary]}
    found, errors = kube(
        {"clusters": [cluster(crds=[FLAGGER], objects=objects, deployments=list(deps))]}
    ).scan()
    assert errors == []
    canaries = [o for o in found if o.kind == KIND.name]
    assert len(canaries) == 1
    return canaries[0]


def test_podinfo_example_is_progressive_with_checks(kube: Any) -> None:
    obs = scan_one(kube, podinfo(progressive()))
    assert obs.id == f"k8s:{UID}/test/canaries.flagger.app/podinfo"
    facts = {n: f.value for n, f in obs.facts.items()}
    assert (facts["mode"], facts["step_weight"], facts["max_weight"]) == ("canary", 10, 50)
    assert facts["threshold"] == 5
    assert facts["metric_checks"] == ["request-success-rate", "request-duration"]
    assert facts["counted_webhooks"] == ["acceptance-test", "load-test"]
    assert facts["webhook_types"] == ["pre-rollout", "rollout"]
    assert facts["checks_counted"] is True
    assert facts["target_deployments"] == [
        "deployments.apps/test/podinfo",
        "deployments.apps/test/podinfo-primary",
    ]
    assert facts["skip_analysis"] is False and facts["primary_strategy_type"] is None
    a = assess(obs)
    assert (a.level, a.rule, a.basis) == (5, "K8S-FLAGGER-5-CANARY", "policy")


@pytest.mark.parametrize(
    ("analysis", "level", "rule"),
    [
        # stepWeights instead of stepWeight (deployment-strategies.md, non-linear steps)
        (progressive(stepWeight=None, stepWeights=[1, 2, 10, 80]), 5, "K8S-FLAGGER-5-CANARY"),
        # only webhooks counted, no metrics
        (progressive(metrics=[]), 5, "K8S-FLAGGER-5-CANARY"),
        # just misses: nothing counted (no metrics, no pre-rollout/rollout hooks)
        (progressive(metrics=[], webhooks=[]), 4, "K8S-FLAGGER-4-UNCHECKED"),
        # just misses: a metric without a thresholdRange is no check
        (
            progressive(metrics=[{"name": "request-success-rate"}], webhooks=[]),
            4,
            "K8S-FLAGGER-4-UNCHECKED",
        ),
        # threshold 0 or unset: Flagger's GetAnalysisThreshold makes it 1
        (progressive(threshold=0), 5, "K8S-FLAGGER-5-CANARY"),
        (progressive(threshold=None), 5, "K8S-FLAGGER-5-CANARY"),
        # a post-rollout hook's failure is only logged
        (
            progressive(metrics=[], webhooks=[{**LOAD, "type": "post-rollout"}]),
            4,
            "K8S-FLAGGER-4-UNCHECKED",
        ),
        # webhooks.md: confirm-promotion makes a person promote
        (
            progressive(webhooks=[ACCEPTANCE, LOAD, gate("confirm-promotion")]),
            4,
            "K8S-FLAGGER-4-GATED",
        ),
        (progressive(webhooks=[LOAD, gate("confirm-traffic-increase")]), 4, "K8S-FLAGGER-4-GATED"),
        # webhooks.md: confirm-rollout approves the start only; promotion stays automatic
        (
            progressive(webhooks=[gate("confirm-rollout"), ACCEPTANCE, LOAD]),
            5,
            "K8S-FLAGGER-5-CANARY",
        ),
        # deployment-strategies.md: mirroring is a pre-stage of a progressive canary
        (progressive(mirror=True, mirrorWeight=100), 5, "K8S-FLAGGER-5-CANARY"),
        # A/B testing: a matched segment, checks counted
        (ab(), 5, "K8S-FLAGGER-5-AB"),
        (ab(metrics=[]), 4, "K8S-FLAGGER-4-UNCHECKED"),
        (ab(webhooks=[gate("confirm-promotion")]), 4, "K8S-FLAGGER-4-GATED"),
        # blue/green: tested before the switch, no live bake window
        (bluegreen(), 4, "K8S-FLAGGER-4-BLUEGREEN"),
        (bluegreen(mirror=True), 4, "K8S-FLAGGER-4-BLUEGREEN"),
        # ... with a person letting the switch happen
        (bluegreen(webhooks=[gate("confirm-promotion")]), 3, "K8S-FLAGGER-3-BLUEGREEN-GATED"),
        (bluegreen(webhooks=[gate("confirm-rollout")]), 4, "K8S-FLAGGER-4-BLUEGREEN"),
    ],
)
def test_levels(kube: Any, analysis: dict[str, Any], level: int, rule: str) -> None:
    analysis = {k: v for k, v in analysis.items() if v is not None}
    a = assess(scan_one(kube, podinfo(analysis)))
    assert (a.level, a.rule) == (level, rule)


def test_modes(kube: Any) -> None:
    assert scan_one(kube, podinfo(ab())).facts["mode"].value == "ab"
    assert scan_one(kube, podinfo(bluegreen())).facts["mode"].value == "bluegreen"
    obs = scan_one(kube, podinfo(bluegreen(mirror=True)))
    assert (obs.facts["mode"].value, obs.facts["mirror"].value) == ("bluegreen-mirror", True)
    obs = scan_one(kube, podinfo(progressive(webhooks=[gate("confirm-promotion")])))
    assert obs.facts["manual_gates"].value == ["confirm-promotion"]


def test_no_traffic_plan_is_not_assessed(kube: Any) -> None:
    a = assess(scan_one(kube, podinfo({"interval": "1m", "threshold": 5, "metrics": METRICS})))
    assert (a.level, a.rule) == (None, None)
    assert "sets neither stepWeight nor stepWeights nor iterations" in a.reason


def rolling_primary(**spec: Any) -> dict[str, Any]:
    return deployment("podinfo-primary", "test", **spec)


@pytest.mark.parametrize(
    ("primary", "level", "rule"),
    [
        (rolling_primary(), 2, "K8S-FLAGGER-2-SKIP-ROLLING"),
        (rolling_primary(strategy={"type": "Recreate"}), 1, "K8S-FLAGGER-1-SKIP-RECREATE"),
        (
            rolling_primary(
                replicas=2,
                strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}},
            ),
            1,
            "K8S-FLAGGER-1-SKIP-ALL-AT-ONCE",
        ),
    ],
)
def test_skip_analysis_takes_the_primary_deployments_level(
    kube: Any, primary: dict[str, Any], level: int, rule: str
) -> None:
    target = deployment("podinfo", "test", replicas=0)
    obs = scan_one(kube, podinfo(progressive(), skipAnalysis=True), [target, primary])
    assert obs.facts["primary_deployment"].value == "test/podinfo-primary"
    a = assess(obs)
    assert (a.level, a.rule) == (level, rule)
    evidence = {e.field: e.value for e in a.evidence}
    assert evidence["spec.skipAnalysis (or no spec.analysis)"] is True
    assert a.reason.startswith("Analysis skipped")


def test_no_analysis_at_all_is_skipped_analysis(kube: Any) -> None:
    # pkg/apis/flagger/v1beta1 Canary.SkipAnalysis: no analysis means skip it
    canary = podinfo({})
    del canary["spec"]["analysis"]
    obs = scan_one(kube, canary, [rolling_primary()])
    assert obs.facts["skip_analysis"].value is True
    assert assess(obs).rule == "K8S-FLAGGER-2-SKIP-ROLLING"


def test_threshold_defaults_to_one(kube: Any) -> None:
    analysis = progressive()
    del analysis["threshold"]
    assert scan_one(kube, podinfo(analysis)).facts["threshold"].value == 1


def test_skip_analysis_before_flagger_made_the_primary_reads_the_target(kube: Any) -> None:
    target = deployment("podinfo", "test", strategy={"type": "Recreate"})
    obs = scan_one(kube, podinfo(progressive(), skipAnalysis=True), [target])
    assert obs.facts["primary_deployment"].value == "test/podinfo"
    assert assess(obs).rule == "K8S-FLAGGER-1-SKIP-RECREATE"


def test_skip_analysis_without_either_deployment_is_not_assessed(kube: Any) -> None:
    obs = scan_one(kube, podinfo(progressive(), skipAnalysis=True))
    error = obs.facts["primary_strategy_type"].error
    assert error == "neither Deployment test/podinfo-primary and test/podinfo exists"
    a = assess(obs)
    assert a.level is None and error in a.reason


def test_skip_analysis_with_a_forbidden_deployment_is_not_assessed(kube: Any) -> None:
    faults = [{"resource": "deployments", "verb": "get", "status": 403}]
    objects = {"flagger.app/canaries": [podinfo(progressive(), skipAnalysis=True)]}
    k = kube({"clusters": [cluster(crds=[FLAGGER], objects=objects, faults=faults)]})
    obs = next(o for o in k.scan()[0] if o.kind == KIND.name)
    assert "HTTP 403" in (obs.facts["primary_strategy_type"].error or "")
    assert assess(obs).level is None


def test_deployments_are_not_read_unless_analysis_is_skipped(kube: Any) -> None:
    objects = {"flagger.app/canaries": [podinfo(progressive())]}
    k = kube({"clusters": [cluster(crds=[FLAGGER], objects=objects)]})
    k.scan()
    assert not any("/deployments/" in p for _, _, p in k.emulator.calls)


def test_target_and_primary_are_released_by_the_canary_and_counted_once(kube: Any) -> None:
    deps = [
        deployment("podinfo", "test", replicas=0),
        deployment("podinfo-primary", "test"),
        deployment("frontend", "test"),
    ]
    objects = {"flagger.app/canaries": [podinfo(progressive())]}
    k = kube({"clusters": [cluster(crds=[FLAGGER], objects=objects, deployments=deps)]})
    found, errors = k.scan()
    assert errors == []
    assert sorted(o.name for o in found) == ["test/frontend", "test/podinfo"]
    owner = next(o for o in found if o.kind == KIND.name)
    evidence = {e.field: e.value for e in assess(owner).evidence}
    assert evidence["spec.targetRef (the target and its -primary Deployment)"] == [
        "deployments.apps/test/podinfo",
        "deployments.apps/test/podinfo-primary",
    ]


def test_daemonset_target_and_primary_are_released_by_the_canary(kube: Any) -> None:
    # how-it-works.md: "A canary resource can target a Kubernetes Deployment or DaemonSet"
    canary = podinfo(progressive())
    canary["spec"]["targetRef"] = {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "podinfo"}
    sets = [
        daemonset("podinfo", "test", labels={"app": "podinfo"}),
        daemonset("podinfo-primary", "test", labels={"app": "podinfo-primary"}),
        daemonset("edge", "test", labels={"app": "edge"}),
    ]
    services = [
        ds_service("podinfo-primary", {"app": "podinfo-primary"}, "test"),
        ds_service("podinfo-canary", {"app": "podinfo"}, "test"),
        ds_service("edge", {"app": "edge"}, "test"),
    ]
    objects = {
        "flagger.app/canaries": [canary],
        "apps/daemonsets": sets,
        "core/services": services,
    }
    k = kube({"clusters": [cluster(crds=[FLAGGER], objects=objects)]})
    found, errors = k.scan()
    assert errors == []
    assert sorted((o.kind, o.name) for o in found) == [
        ("kubernetes.apps.daemonset", "test/edge"),
        (KIND.name, "test/podinfo"),
    ]
    owner = next(o for o in found if o.kind == KIND.name)
    assert owner.facts["target_deployments"].value == []
    assert owner.facts["target_daemonsets"].value == [
        "daemonsets.apps/test/podinfo",
        "daemonsets.apps/test/podinfo-primary",
    ]


def test_check_by_id(kube: Any) -> None:
    objects = {"flagger.app/canaries": [podinfo(bluegreen())]}
    k = kube({"clusters": [cluster(crds=[FLAGGER], objects=objects)]})
    obs = k.run().check(f"k8s:{UID}/test/canaries.flagger.app/podinfo")
    assert assess(obs).rule == "K8S-FLAGGER-4-BLUEGREEN"


def test_a_cluster_without_flagger_reads_no_canaries(kube: Any) -> None:
    k = kube({"clusters": [cluster(deployments=[deployment("web")])]})
    found, errors = k.scan()
    assert errors == [] and [o.kind for o in found] == [DEPLOYMENT.name]
    assert not any("flagger" in p for _, _, p in k.emulator.calls)


def test_malformed_canary_keeps_the_unit(kube: Any) -> None:
    obs = scan_one(kube, podinfo(progressive(stepWeights="ten")))
    assert "malformed Flagger Canary" in (obs.facts["mode"].error or "")
    assert assess(obs).level is None
