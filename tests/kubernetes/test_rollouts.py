"""Argo Rollouts through the real client and the emulator: the facts, the
analysis templates, each rule reached and just missed, the link to a
workloadRef Deployment, `check`, and a cluster serving argoproj.io for Argo CD
only. Rollouts and templates are the Argo Rollouts documentation's examples:
features/bluegreen.md (rollout-bluegreen), features/canary.md and
features/analysis.md (guestbook, success-rate, smoke-tests, my-query),
https://argo-rollouts.readthedocs.io/en/stable/features/ ."""

from __future__ import annotations

from typing import Any

import pytest

from providers.kubernetes.deployments import KIND as DEPLOYMENT
from providers.kubernetes.plugin import plugin
from providers.kubernetes.rollouts import KIND
from scanner.classify import classify
from scanner.demo.serve import patched_environ
from scanner.evidence.recorder import Recorder
from scanner.evidence.replay import load_exchanges, replaying
from scanner.model import Assessment, Observation
from scanner.rules import build_rulebook
from tests.kubernetes.conftest import ROOT, UID, cluster, deployment
from tests.kubernetes.test_evidence import units

ARGO = "argoproj.io/v1alpha1"
PROM = {"prometheus": {"address": "http://prometheus.example.com:9090", "query": "sum(...)"}}


def rulebook() -> Any:
    files = [
        (n, (ROOT / "mappings" / n).read_text())
        for n in ("kubernetes_argo_rollout.yaml", "kubernetes_deployment.yaml")
    ]
    return build_rulebook(files, {KIND.name: KIND, DEPLOYMENT.name: DEPLOYMENT})


def assess(obs: Observation) -> Assessment:
    return classify(obs, rulebook())


def rollout(name: str, strategy: dict[str, Any], namespace: str = "shop", **spec: Any) -> Any:
    """A Rollout as the API server returns it (the docs' pod template)."""
    body: dict[str, Any] = {
        "replicas": 2,
        "revisionHistoryLimit": 2,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {
                "containers": [{"name": "rollouts-demo", "image": "argoproj/rollouts-demo:blue"}]
            },
        },
        "strategy": strategy,
        **spec,
    }
    return {
        "apiVersion": ARGO,
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": namespace},
        "spec": body,
    }


def template(
    name: str, metrics: list[dict[str, Any]], namespace: str | None = "shop", **spec: Any
) -> Any:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    kind = "AnalysisTemplate" if namespace else "ClusterAnalysisTemplate"
    body = {"args": [{"name": "service-name"}], "metrics": metrics, **spec}
    return {"apiVersion": ARGO, "kind": kind, "metadata": meta, "spec": body}


# analysis.md "Background Analysis": success-rate fails after three measurements below 95%
SUCCESS_RATE = template(
    "success-rate",
    [
        {
            "name": "success-rate",
            "interval": "5m",
            "successCondition": "result >= 0.95",
            "failureLimit": 3,
            "provider": PROM,
        }
    ],
)
# analysis.md "Inconclusive Runs": a metric with no success or failure condition
MY_QUERY = template("my-query", [{"name": "my-query", "provider": PROM}])
SMOKE = template(
    "smoke-tests",
    [{"name": "smoke", "failureCondition": "result >= 10", "provider": PROM}],
)
ARGS = [{"name": "service-name", "value": "guestbook-svc.default.svc.cluster.local"}]


def bluegreen(**extra: Any) -> dict[str, Any]:
    """bluegreen.md's rollout-bluegreen strategy, without autoPromotionEnabled."""
    return {
        "blueGreen": {
            "activeService": "rollout-bluegreen-active",
            "previewService": "rollout-bluegreen-preview",
            **extra,
        }
    }


def guestbook_steps() -> list[dict[str, Any]]:
    return [
        {"setWeight": 20},
        {"pause": {"duration": "10m"}},
        {"setWeight": 40},
        {"pause": {"duration": "10m"}},
        {"setWeight": 60},
        {"pause": {"duration": "10m"}},
        {"setWeight": 80},
        {"pause": {"duration": "10m"}},
    ]


def background(name: str = "success-rate", **extra: Any) -> dict[str, Any]:
    return {"templates": [{"templateName": name}], "startingStep": 2, "args": ARGS, **extra}


def part(objects: dict[str, list[Any]], **extra: Any) -> dict[str, Any]:
    return {"clusters": [cluster(crds=[ARGO], objects=objects, **extra)]}


def scan_one(kube: Any, ro: Any, templates: list[Any] = (), **extra: Any) -> Observation:  # type: ignore[assignment]
    objects: dict[str, list[Any]] = {"argoproj.io/rollouts": [ro]}
    named = [t for t in templates if t["metadata"].get("namespace")]
    if named:
        objects["argoproj.io/analysistemplates"] = named
    cluster_wide = [t for t in templates if not t["metadata"].get("namespace")]
    if cluster_wide:
        objects["argoproj.io/clusteranalysistemplates"] = cluster_wide
    found, errors = kube(part(objects, **extra)).scan()
    assert errors == []
    assert len(found) == 1
    return found[0]


def test_bluegreen_documentation_example_waits_for_a_person(kube: Any) -> None:
    obs = scan_one(kube, rollout("rollout-bluegreen", bluegreen(autoPromotionEnabled=False)))
    assert obs.id == f"k8s:{UID}/shop/rollouts.argoproj.io/rollout-bluegreen"
    facts = {n: f.value for n, f in obs.facts.items()}
    assert (facts["strategy"], facts["auto_promotion_enabled"]) == ("blueGreen", False)
    assert facts["pre_promotion_analysis"] == facts["post_promotion_analysis"] == []
    a = assess(obs)
    assert (a.level, a.rule, a.basis) == (3, "K8S-ARGO-3-BLUEGREEN-MANUAL", "policy")
    assert {e.field: e.value for e in a.evidence}[
        "spec.strategy.blueGreen.autoPromotionEnabled"
    ] is False


@pytest.mark.parametrize(
    ("extra", "level", "rule"),
    [
        # bluegreen.md: autoPromotionSeconds "would be ignored" when autoPromotionEnabled is false
        (
            {"autoPromotionEnabled": False, "autoPromotionSeconds": 30},
            3,
            "K8S-ARGO-3-BLUEGREEN-MANUAL",
        ),
        # just misses 3: promoted after the timer
        ({"autoPromotionSeconds": 30}, 4, "K8S-ARGO-4-BLUEGREEN-TIMED"),
        ({"autoPromotionEnabled": True, "autoPromotionSeconds": 0}, 4, "K8S-ARGO-4-BLUEGREEN-AUTO"),
        ({}, 4, "K8S-ARGO-4-BLUEGREEN-AUTO"),
    ],
)
def test_bluegreen_promotion(kube: Any, extra: dict[str, Any], level: int, rule: str) -> None:
    a = assess(scan_one(kube, rollout("rollout-bluegreen", bluegreen(**extra))))
    assert (a.level, a.rule) == (level, rule)


def test_pre_promotion_analysis_checks_only_before_the_switch(kube: Any) -> None:
    # analysis.md "BlueGreen Pre Promotion Analysis"
    pre = {"templates": [{"templateName": "smoke-tests"}], "args": ARGS}
    obs = scan_one(kube, rollout("guestbook", bluegreen(prePromotionAnalysis=pre)), [SMOKE])
    assert obs.facts["pre_promotion_analysis"].value == ["AnalysisTemplate/smoke-tests"]
    assert obs.facts["pre_promotion_can_abort"].value is True
    assert obs.facts["post_promotion_can_abort"].value is False
    a = assess(obs)
    assert (a.level, a.rule) == (4, "K8S-ARGO-4-BLUEGREEN-AUTO")


def post(**extra: Any) -> dict[str, Any]:
    # analysis.md "BlueGreen Post Promotion Analysis"
    stanza = {"templates": [{"templateName": "smoke-tests"}], "args": ARGS, **extra}
    return bluegreen(scaleDownDelaySeconds=600, postPromotionAnalysis=stanza)


def test_post_promotion_analysis_switches_back(kube: Any) -> None:
    obs = scan_one(kube, rollout("guestbook", post()), [SMOKE])
    facts = {n: f.value for n, f in obs.facts.items()}
    assert facts["post_promotion_analysis"] == ["AnalysisTemplate/smoke-tests"]
    assert facts["post_promotion_can_abort"] is True
    assert facts["scale_down_delay_seconds"] == 600
    a = assess(obs)
    assert (a.level, a.rule) == (5, "K8S-ARGO-5-BLUEGREEN-POST-ANALYSIS")
    evidence = {e.field: e.value for e in a.evidence}
    assert evidence["spec.strategy.blueGreen.scaleDownDelaySeconds"] == 600
    # with a person promoting, the same analysis just misses 5
    ro = rollout("guestbook", post())
    ro["spec"]["strategy"]["blueGreen"]["autoPromotionEnabled"] = False
    assert assess(scan_one(kube, ro, [SMOKE])).level == 3


@pytest.mark.parametrize(
    ("templates", "stanza"),
    [
        # analysis.md "Dry-Run Mode": a template's dryRun names its metrics (regexes)
        ([template("smoke-tests", SMOKE["spec"]["metrics"], dryRun=[{"metricName": ".*"}])], {}),
        ([template("smoke-tests", SMOKE["spec"]["metrics"], dryRun=[{"metricName": "smo"}])], {}),
        # ... or the Rollout's analysis stanza does, for every merged template
        ([SMOKE], {"dryRun": [{"metricName": "smoke"}]}),
        # analysis.md "Inconclusive Runs": no condition pauses, it cannot abort
        ([template("smoke-tests", MY_QUERY["spec"]["metrics"])], {}),
    ],
)
def test_post_promotion_analysis_that_cannot_abort_just_misses_5(
    kube: Any, templates: list[Any], stanza: dict[str, Any]
) -> None:
    obs = scan_one(kube, rollout("guestbook", post(**stanza)), templates)
    assert obs.facts["post_promotion_can_abort"].value is False
    a = assess(obs)
    assert (a.level, a.rule) == (4, "K8S-ARGO-4-BLUEGREEN-AUTO")


def test_missing_template_leaves_the_rollout_not_assessed(kube: Any) -> None:
    obs = scan_one(kube, rollout("guestbook", post()), [SUCCESS_RATE])
    fact = obs.facts["post_promotion_can_abort"]
    assert not fact.known and fact.error == "AnalysisTemplate shop/smoke-tests does not exist"
    a = assess(obs)
    assert (a.level, a.rule) == (None, None)
    assert "AnalysisTemplate shop/smoke-tests does not exist" in a.reason
    assert "K8S-ARGO-5-BLUEGREEN-POST-ANALYSIS" in a.reason


def test_unreadable_templates_leave_the_rollout_not_assessed(kube: Any) -> None:
    faults = [{"resource": "analysistemplates", "verb": "list", "status": 403}]
    obs = scan_one(kube, rollout("guestbook", post()), [SMOKE], faults=faults)
    error = obs.facts["post_promotion_can_abort"].error or ""
    assert error.startswith("AnalysisTemplate shop/smoke-tests could not be read (HTTP 403")
    assert 'cannot list resource "analysistemplates"' in error
    assert assess(obs).level is None


def canary(**extra: Any) -> dict[str, Any]:
    return {"canary": extra}


@pytest.mark.parametrize(
    ("strategy", "templates", "level", "rule"),
    [
        # canary.md "Mimicking Rolling Update": no steps, even with background analysis
        (canary(maxSurge="25%", maxUnavailable=0), [], 2, "K8S-ARGO-2-CANARY-NO-STEPS"),
        (canary(analysis=background()), [SUCCESS_RATE], 2, "K8S-ARGO-2-CANARY-NO-STEPS"),
        # analysis.md "Background Analysis" (guestbook): steps and background analysis
        (
            canary(analysis=background(), steps=guestbook_steps()),
            [SUCCESS_RATE],
            5,
            "K8S-ARGO-5-CANARY-ANALYSIS",
        ),
        # analysis.md "Analysis at a Predefined Step"
        (
            canary(
                steps=[
                    {"setWeight": 20},
                    {"pause": {"duration": "5m"}},
                    {"analysis": {"templates": [{"templateName": "success-rate"}], "args": ARGS}},
                ]
            ),
            [SUCCESS_RATE],
            5,
            "K8S-ARGO-5-CANARY-ANALYSIS",
        ),
        # just misses: the only metric has no condition (Inconclusive pauses)
        (
            canary(analysis=background("my-query"), steps=guestbook_steps()),
            [MY_QUERY],
            4,
            "K8S-ARGO-4-CANARY-STEPS",
        ),
        # just misses: the Rollout puts the metric in dry-run
        (
            canary(
                analysis=background(dryRun=[{"metricName": "success-rate"}]),
                steps=guestbook_steps(),
            ),
            [SUCCESS_RATE],
            4,
            "K8S-ARGO-4-CANARY-STEPS",
        ),
        # canary.md's example: steps with an indefinite pause and no analysis
        (
            canary(
                steps=[
                    {"setWeight": 10},
                    {"pause": {}},
                    {"setWeight": 50},
                    {"pause": {"duration": "1h"}},
                ]
            ),
            [],
            4,
            "K8S-ARGO-4-CANARY-MANUAL-PAUSE",
        ),
        # an indefinite pause holds the shift for a person even with analysis that can abort
        (
            canary(analysis=background(), steps=[*guestbook_steps(), {"pause": {}}]),
            [SUCCESS_RATE],
            4,
            "K8S-ARGO-4-CANARY-MANUAL-PAUSE",
        ),
    ],
)
def test_canary_levels(
    kube: Any, strategy: dict[str, Any], templates: list[Any], level: int, rule: str
) -> None:
    a = assess(scan_one(kube, rollout("guestbook", strategy), templates))
    assert (a.level, a.rule) == (level, rule)


def test_canary_step_facts(kube: Any) -> None:
    steps = [{"setWeight": 10}, {"pause": {}}, {"setWeight": 50}, {"pause": {"duration": "1h"}}]
    obs = scan_one(kube, rollout("example-rollout", canary(steps=steps)))
    facts = {n: f.value for n, f in obs.facts.items()}
    assert (facts["steps"], facts["step_weights"]) == (4, ["10%", "50%"])
    assert (facts["pauses"], facts["indefinite_pauses"]) == (2, 1)
    assert facts["step_analysis_can_abort"] is facts["background_analysis_can_abort"] is False
    assert facts["progress_deadline_abort"] is False


def test_a_job_metric_fails_on_its_own(kube: Any) -> None:
    # analysis.md "Job Metrics": a non-zero exit fails the metric, no condition needed
    job = {
        "job": {
            "spec": {"template": {"spec": {"containers": [{"name": "test", "image": "busybox"}]}}}
        }
    }
    tests = template("e2e", [{"name": "test", "provider": job}])
    strategy = canary(
        steps=[{"setWeight": 20}, {"analysis": {"templates": [{"templateName": "e2e"}]}}]
    )
    obs = scan_one(kube, rollout("guestbook", strategy), [tests])
    assert obs.facts["step_analysis"].value == ["AnalysisTemplate/e2e"]
    assert assess(obs).rule == "K8S-ARGO-5-CANARY-ANALYSIS"


def test_progress_deadline_abort_counts(kube: Any) -> None:
    steps = [{"setWeight": 20}, {"pause": {"duration": "10m"}}]
    a = assess(
        scan_one(kube, rollout("guestbook", canary(steps=steps), progressDeadlineAbort=True))
    )
    assert (a.level, a.rule) == (5, "K8S-ARGO-5-CANARY-DEADLINE-ABORT")
    assert {e.field: e.value for e in a.evidence}["spec.progressDeadlineAbort"] is True
    # just misses without it
    a = assess(scan_one(kube, rollout("guestbook", canary(steps=steps))))
    assert (a.level, a.rule) == (4, "K8S-ARGO-4-CANARY-STEPS")
    # without steps it is still a rolling update
    a = assess(scan_one(kube, rollout("guestbook", canary(), progressDeadlineAbort=True)))
    assert a.rule == "K8S-ARGO-2-CANARY-NO-STEPS"


def test_cluster_analysis_template_is_read_once_whatever_the_namespaces(kube: Any) -> None:
    cat = template("success-rate", SUCCESS_RATE["spec"]["metrics"], namespace=None)
    ref = {"templates": [{"templateName": "success-rate", "clusterScope": True}], "args": ARGS}
    ros = [
        rollout("a", canary(analysis=ref, steps=guestbook_steps())),
        rollout("b", canary(analysis=ref, steps=guestbook_steps()), namespace="pay"),
    ]
    objects = {"argoproj.io/rollouts": ros, "argoproj.io/clusteranalysistemplates": [cat]}
    k = kube(part(objects))
    found, errors = k.scan(kubernetes_namespace=("shop", "pay"))
    assert errors == []
    assert [assess(o).rule for o in found] == ["K8S-ARGO-5-CANARY-ANALYSIS"] * 2
    assert found[0].facts["background_analysis"].value == ["ClusterAnalysisTemplate/success-rate"]
    paths = [p for _, _, p in k.emulator.calls]
    cluster_lists = [p for p in paths if "/clusteranalysistemplates" in p]
    assert len(cluster_lists) == 1 and "/namespaces/" not in cluster_lists[0]
    assert sum("/analysistemplates" in p for p in paths) == 2  # one per namespace asked for


def test_templates_are_not_read_when_no_rollout_names_one(kube: Any) -> None:
    k = kube(part({"argoproj.io/rollouts": [rollout("r", bluegreen())]}))
    assert len(k.scan()[0]) == 1
    assert not any("analysistemplates" in p for _, _, p in k.emulator.calls)


def test_traffic_routing_names_the_routes(kube: Any) -> None:
    routing = {
        "istio": {
            "virtualServices": [
                {"name": "rollouts-demo-vsvc1", "routes": ["http-primary"]},
                {"name": "rollouts-demo-vsvc2.mesh", "routes": ["http-primary"]},
            ],
            "destinationRule": {
                "name": "rollout-destrule",
                "canarySubsetName": "canary",
                "stableSubsetName": "stable",
            },
        },
        "plugins": {
            "argoproj-labs/gatewayAPI": {
                "httpRoute": "argo-rollouts-http-route",
                "namespace": "gateways",
            }
        },
        "nginx": {"stableIngress": "canary-demo"},
    }
    strategy = canary(
        canaryService="c", stableService="s", trafficRouting=routing, steps=guestbook_steps()
    )
    obs = scan_one(kube, rollout("rollouts-demo", strategy))
    assert obs.facts["traffic_routes"].value == [
        "virtualservices.networking.istio.io/shop/rollouts-demo-vsvc1",
        "virtualservices.networking.istio.io/mesh/rollouts-demo-vsvc2",
        "httproutes.gateway.networking.k8s.io/gateways/argo-rollouts-http-route",
    ]
    assert obs.facts["traffic_routing"].value == [
        "istio VirtualService shop/rollouts-demo-vsvc1",
        "istio VirtualService mesh/rollouts-demo-vsvc2",
        "Gateway API HTTPRoute gateways/argo-rollouts-http-route",
        "nginx Ingress shop/canary-demo",
    ]


def test_workload_ref_deployment_is_released_by_the_rollout_and_counted_once(kube: Any) -> None:
    # migrating.md: a Rollout referencing an existing Deployment (workloadRef)
    ro = rollout(
        "rollout-ref-deployment", canary(steps=[{"setWeight": 20}, {"pause": {"duration": "10s"}}])
    )
    del ro["spec"]["template"]
    ro["spec"]["workloadRef"] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "rollout-ref-deployment",
        "scaleDown": "progressively",
    }
    deps = [deployment("rollout-ref-deployment"), deployment("unrelated")]
    k = kube(part({"argoproj.io/rollouts": [ro]}, deployments=deps))
    found, errors = k.scan()
    assert errors == []
    assert sorted(o.id.split("/", 2)[2] for o in found) == [
        "deployments.apps/unrelated",
        "rollouts.argoproj.io/rollout-ref-deployment",
    ]
    owner = next(o for o in found if o.kind == KIND.name)
    evidence = {e.field: e.value for e in assess(owner).evidence}
    field = "spec.workloadRef (the Deployment it takes its pod template from)"
    assert evidence[field] == ["deployments.apps/shop/rollout-ref-deployment"]
    assert evidence["spec.workloadRef.scaleDown"] == "progressively"


def test_check_reads_the_rollout_and_its_templates(kube: Any) -> None:
    ro = rollout("guestbook", canary(analysis=background(), steps=guestbook_steps()))
    k = kube(part({"argoproj.io/rollouts": [ro], "argoproj.io/analysistemplates": [SUCCESS_RATE]}))
    obs = k.run().check(f"k8s:{UID}/shop/rollouts.argoproj.io/guestbook")
    assert obs.facts["background_analysis_can_abort"].value is True
    assert assess(obs).rule == "K8S-ARGO-5-CANARY-ANALYSIS"
    paths = [p for _, _, p in k.emulator.calls]
    assert "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/guestbook" in paths
    assert any(
        p.startswith("/apis/argoproj.io/v1alpha1/namespaces/shop/analysistemplates") for p in paths
    )


def test_argo_cd_only_cluster_reads_no_rollouts(kube: Any) -> None:
    argocd = {
        "groupVersion": ARGO,
        "resources": [["applications", "Application"], ["appprojects", "AppProject"]],
    }
    k = kube({"clusters": [cluster(crds=[argocd], deployments=[deployment("web")])]})
    found, errors = k.scan()
    assert errors == [] and [o.kind for o in found] == [DEPLOYMENT.name]
    paths = [p for _, _, p in k.emulator.calls]
    assert "/apis/argoproj.io/v1alpha1" in paths  # asked which resources the group holds
    assert not any("rollouts" in p or "analysistemplates" in p for p in paths)
    from scanner.errors import NotFoundError

    with pytest.raises(NotFoundError, match="rollouts.argoproj.io is not served"):
        k.run().check(f"k8s:{UID}/shop/rollouts.argoproj.io/guestbook")


@pytest.mark.parametrize(
    "strategy", [canary(steps="not-a-list"), {"canary": {"steps": [{"analysis": "x"}]}}, ["x"]]
)
def test_malformed_rollout_is_reported_with_every_fact_unknown(kube: Any, strategy: Any) -> None:
    fine = rollout("fine", canary())
    objects = {"argoproj.io/rollouts": [rollout("bad", strategy), fine]}
    found, errors = kube(part(objects)).scan()
    assert errors == []
    bad = next(o for o in found if o.name == "shop/bad")
    assert not bad.facts["steps"].known
    assert "malformed Argo Rollout" in (bad.facts["steps"].error or "")
    assert assess(bad).level is None
    assert assess(next(o for o in found if o.name == "shop/fine")).level == 2


def test_reader_module_declares_its_reads() -> None:
    assert KIND.reads == (
        "argoproj.io/rollouts:list",
        "argoproj.io/rollouts:get",
        "argoproj.io/analysistemplates:list",
        "argoproj.io/clusteranalysistemplates:list",
        "apps/replicasets:list",  # --history: the Rollout's ReplicaSets
    )


def test_a_rollout_without_a_strategy_is_not_assessed(kube: Any) -> None:
    obs = scan_one(kube, rollout("guestbook", {}))
    assert obs.facts["strategy"].value is None
    a = assess(obs)
    assert (a.level, a.rule) == (None, None)
    assert a.reason.startswith("not assessed, because the Rollout names neither a blueGreen")


def test_templates_and_primary_deployments_are_recorded_and_replay(
    kube: Any, tmp_path: Any
) -> None:

    ro = rollout("guestbook", canary(analysis=background(), steps=guestbook_steps()))
    canary_obj = {
        "metadata": {"name": "podinfo", "namespace": "shop"},
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
            "skipAnalysis": True,
            "analysis": {"stepWeight": 10, "maxWeight": 50, "threshold": 5},
        },
    }
    objects = {
        "argoproj.io/rollouts": [ro],
        "argoproj.io/analysistemplates": [SUCCESS_RATE],
        "flagger.app/canaries": [canary_obj],
    }
    k = kube(
        {
            "clusters": [
                cluster(
                    crds=[ARGO, "flagger.app/v1beta1"],
                    objects=objects,
                    deployments=[deployment("podinfo-primary")],
                )
            ]
        }
    )
    bundle = tmp_path / "bundle"
    found = units(plugin.configure(k.options(), Recorder(bundle)))
    ops = {ex["operation"] for ex in load_exchanges(bundle, "kubernetes")}
    assert {
        "argoproj.io/rollouts:list",
        "argoproj.io/analysistemplates:list",
        "argoproj.io/clusteranalysistemplates:list",
        "flagger.app/canaries:list",
        "apps/deployments:get",
    } <= ops
    with replaying(bundle, ["kubernetes"]) as env, patched_environ(env):
        again = units(plugin.configure({}))
    verdicts = [(o.id, classify(o).rule) for o in found]
    assert [(o.id, classify(o).rule) for o in again] == verdicts
    assert sorted(rule for _, rule in verdicts) == [
        "K8S-ARGO-5-CANARY-ANALYSIS",
        "K8S-FLAGGER-2-SKIP-ROLLING",
    ]
