"""DaemonSets through the real client and the emulator: only those a Service
selects are release units; the controller's arithmetic; each rule reached and
just missed; Services listed once per scope, and a 403 on them."""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

import pytest

from providers.kubernetes import fenceposts
from providers.kubernetes.daemonsets import KIND
from providers.kubernetes.emulator.app import start
from scanner.classify import classify
from scanner.model import Assessment, Observation
from scanner.rules import load_rulebook
from tests.cli import clean_env, relscan
from tests.kubernetes.conftest import UID, cluster

FLUENTD = "fluentd-elasticsearch"  # the Kubernetes documentation's DaemonSet example
EDGE = "edge-proxy"


def daemonset(
    name: str = EDGE,
    namespace: str = "shop",
    labels: dict[str, str] | None = None,
    desired: int | None = 3,
    **spec: Any,
) -> dict[str, Any]:
    """A DaemonSet as the API server returns it: the fluentd-elasticsearch
    example of https://kubernetes.io/docs/tasks/manage-daemon/update-daemon-set/
    (RollingUpdate, maxUnavailable 1, as the API server defaults it), with
    its name, namespace, pod labels and `spec` keys replaced."""
    pod_labels = {"app": name} if labels is None else labels
    base: dict[str, Any] = {
        "selector": {"matchLabels": pod_labels},
        "updateStrategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
        },
        "template": {
            "metadata": {"labels": pod_labels},
            "spec": {
                "tolerations": [
                    {
                        "key": "node-role.kubernetes.io/control-plane",
                        "operator": "Exists",
                        "effect": "NoSchedule",
                    }
                ],
                "containers": [
                    {"name": name, "image": "quay.io/fluentd_elasticsearch/fluentd:v5.0.1"}
                ],
            },
        },
    }
    base.update(spec)
    status: dict[str, Any] = {}
    if desired is not None:
        status = {
            "currentNumberScheduled": desired,
            "desiredNumberScheduled": desired,
            "numberReady": desired,
            "updatedNumberScheduled": desired,
        }
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": f"uid-{namespace}-{name}",
            "labels": {"app.kubernetes.io/part-of": "shop"},
        },
        "spec": base,
        "status": status,
    }


def service(name: str, selector: dict[str, str] | None, namespace: str = "shop") -> dict[str, Any]:
    spec: dict[str, Any] = {"ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]}
    if selector is not None:
        spec["selector"] = selector
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


def rolling(max_surge: Any, max_unavailable: Any) -> dict[str, Any]:
    ru = {"maxSurge": max_surge, "maxUnavailable": max_unavailable}
    ru = {k: v for k, v in ru.items() if v is not None}
    return {"type": "RollingUpdate", "rollingUpdate": ru}


def part(sets: list[dict[str, Any]], services: list[dict[str, Any]], **extra: Any) -> Any:
    objects = {"apps/daemonsets": sets, "core/services": services}
    return {"clusters": [cluster(objects=objects, **extra)]}


def assess(obs: Observation) -> Assessment:
    return classify(obs, load_rulebook())


def scan(kube: Any, sets: list[Any], services: list[Any], **options: Any) -> tuple[Any, Any, Any]:
    k = kube(part(sets, services))
    found, errors = k.scan(**options)
    return k, [o for o in found if o.kind == KIND.name], errors


def one(kube: Any, ds: dict[str, Any]) -> Observation:
    _, found, errors = scan(kube, [ds], [service(EDGE, {"app": EDGE})])
    assert errors == []
    assert len(found) == 1
    return found[0]


def test_a_node_agent_no_service_selects_is_left_out_silently(kube: Any) -> None:
    agent = daemonset(FLUENTD, "logging", labels={"name": FLUENTD})
    _, found, errors = scan(kube, [agent], [])
    assert (found, errors) == ([], [])


def test_a_daemonset_a_service_selects_is_a_rolling_update(kube: Any) -> None:
    obs = one(kube, daemonset())
    assert obs.id == f"k8s:{UID}/shop/daemonsets.apps/{EDGE}"
    assert (obs.account, obs.location, obs.name) == (UID, "shop", f"shop/{EDGE}")
    facts = {n: f.value for n, f in obs.facts.items()}
    assert facts["selected_by_services"] == [EDGE]
    assert facts["update_strategy"] == "RollingUpdate"
    assert facts["desired_number_scheduled"] == 3
    assert (facts["max_surge"], facts["max_unavailable"]) == (0, 1)
    assert (facts["resolved_max_surge"], facts["resolved_max_unavailable"]) == (0, 1)
    assert facts["all_pods_at_once"] is False
    assert facts["readiness_probes"] is False
    a = assess(obs)
    assert (a.level, a.rule, a.basis) == (2, "K8S-DS-2-ROLLING", "policy")
    shown = {e.field: e.value for e in a.evidence}
    assert shown["status.desiredNumberScheduled"] == 3
    assert shown[KIND.facts[1].field] == [EDGE]


@pytest.mark.parametrize(
    ("services", "selected"),
    [
        ([service("edge", {"app": EDGE})], ["edge"]),
        # a selector is a subset of the pod labels: extra pod labels are fine
        ([service("edge", {"app": EDGE, "tier": "web"})], []),
        ([service("edge", {"app": "other"})], []),
        # a Service without a selector (ExternalName, or hand-made endpoints)
        ([service("edge", None), service("empty", {})], []),
        # a Service of another namespace does not select these pods
        ([service("edge", {"app": EDGE}, namespace="payments")], []),
        ([service("b-edge", {"app": EDGE}), service("a-edge", {})], ["b-edge"]),
        ([service("b", {"app": EDGE}), service("a", {"app": EDGE})], ["a", "b"]),
    ],
)
def test_a_service_selects_the_pods_when_its_selector_is_a_subset_of_their_labels(
    kube: Any, services: list[dict[str, Any]], selected: list[str]
) -> None:
    ds = daemonset(labels={"app": EDGE, "release": "stable"})
    _, found, errors = scan(kube, [ds], services)
    assert errors == []
    chosen = [o.facts["selected_by_services"].value for o in found]
    assert chosen == ([selected] if selected else [])


@pytest.mark.parametrize(
    ("spec", "desired", "level", "rule"),
    [
        # OnDelete: reached; RollingUpdate just misses it
        ({"updateStrategy": {"type": "OnDelete"}}, 3, None, "K8S-DS-ONDELETE"),
        ({"updateStrategy": {"type": "RollingUpdate"}}, 3, 2, "K8S-DS-2-ROLLING"),
        # one node: the default maxUnavailable of 1 takes the only pod first
        ({}, 1, 1, "K8S-DS-1-ALL-AT-ONCE"),
        ({}, 2, 2, "K8S-DS-2-ROLLING"),
        # ... unless maxSurge starts the new pod beside the old one
        ({"updateStrategy": rolling(1, 0)}, 1, 2, "K8S-DS-2-ROLLING"),
        ({"updateStrategy": rolling("10%", 0)}, 1, 2, "K8S-DS-2-ROLLING"),
        # 100% of 4 lets every pod go; 75% of 4 is 3 and just misses
        ({"updateStrategy": rolling(0, "100%")}, 4, 1, "K8S-DS-1-ALL-AT-ONCE"),
        ({"updateStrategy": rolling(0, "75%")}, 4, 2, "K8S-DS-2-ROLLING"),
        # rounding UP: 67% of 3 is 2.01 -> 3 (every pod), 66% of 3 is 1.98 -> 2
        ({"updateStrategy": rolling(0, "67%")}, 3, 1, "K8S-DS-1-ALL-AT-ONCE"),
        ({"updateStrategy": rolling(0, "66%")}, 3, 2, "K8S-DS-2-ROLLING"),
        # no node should run the pod: just misses every rule
        ({}, 0, None, None),
    ],
)
def test_levels(
    kube: Any, spec: dict[str, Any], desired: int, level: int | None, rule: str | None
) -> None:
    a = assess(one(kube, daemonset(desired=desired, **spec)))
    assert (a.level, a.rule) == (level, rule)
    if rule is None:
        assert "status.desiredNumberScheduled 0" in a.reason


def test_unknown_node_count_is_not_guessed(kube: Any) -> None:
    obs = one(kube, daemonset(desired=None))
    fact = obs.facts["desired_number_scheduled"]
    assert not fact.known and "not reported yet" in (fact.error or "")
    a = assess(obs)
    assert a.level is None and "status.desiredNumberScheduled" in a.reason


def test_services_are_listed_once_per_scope(kube: Any) -> None:
    sets = [daemonset(EDGE), daemonset("dns-cache"), daemonset("metrics-agent")]
    services = [service(EDGE, {"app": EDGE}), service("dns", {"app": "dns-cache"})]
    k, found, errors = scan(kube, sets, services)
    assert errors == []
    assert sorted(o.name for o in found) == ["shop/dns-cache", f"shop/{EDGE}"]
    lists = [p for _, _, p in k.emulator.calls if "services" in p]
    assert lists == ["/api/v1/services?limit=500"]
    k, found, errors = scan(kube, sets, services, kubernetes_namespace=("shop", "payments"))
    lists = [p for _, _, p in k.emulator.calls if "services" in p]
    assert lists == [
        "/api/v1/namespaces/shop/services?limit=500",
        "/api/v1/namespaces/payments/services?limit=500",
    ]


def test_forbidden_services_is_one_scope_error_and_no_daemonset(kube: Any) -> None:
    faults = [{"resource": "services", "verb": "list", "status": 403}]
    k = kube(part([daemonset()], [service(EDGE, {"app": EDGE})], faults=faults))
    found, errors = k.scan()
    assert [o for o in found if o.kind == KIND.name] == []
    assert len(errors) == 1
    e = errors[0]
    assert (e.scope, e.service) == (f"kubernetes:{UID}", "daemonsets.apps")
    assert e.message == (
        "cannot tell the DaemonSets that serve users from node agents without `list services`, "
        'so no DaemonSet is reported: HTTP 403 Forbidden: services is forbidden: User "system:'
        'serviceaccount:relscan:relscan" cannot list resource "services" in API group "" at '
        "the cluster scope"
    )
    assert not any("daemonsets" in p for _, _, p in k.emulator.calls)  # not even listed


def test_forbidden_services_in_one_namespace_hides_only_its_daemonsets(kube: Any) -> None:
    faults = [{"resource": "services", "verb": "list", "namespace": "shop", "status": 403}]
    sets = [daemonset(), daemonset("pay-edge", "payments")]
    services = [service(EDGE, {"app": EDGE}), service("pay", {"app": "pay-edge"}, "payments")]
    k = kube(part(sets, services, faults=faults))
    found, errors = k.scan(kubernetes_namespace=("shop", "payments"))
    assert [o.name for o in found if o.kind == KIND.name] == ["payments/pay-edge"]
    assert [(e.scope, e.service) for e in errors] == [(f"kubernetes:{UID}/shop", "daemonsets.apps")]
    assert "without `list services`" in errors[0].message
    ds_lists = [p for _, _, p in k.emulator.calls if "daemonsets" in p]
    assert ds_lists == ["/apis/apps/v1/namespaces/payments/daemonsets?limit=500"]


def test_check_reads_one_daemonset_and_its_namespaces_services(kube: Any) -> None:
    agent = daemonset(FLUENTD, labels={"name": FLUENTD})
    k = kube(part([daemonset(), agent], [service(EDGE, {"app": EDGE})]))
    uid = f"k8s:{UID}/shop/daemonsets.apps/{EDGE}"
    a = assess(k.run().check(uid))
    assert (a.id, a.level, a.rule) == (uid, 2, "K8S-DS-2-ROLLING")
    sent = [p for _, _, p in k.emulator.calls]
    assert "/apis/apps/v1/namespaces/shop/daemonsets/edge-proxy" in sent
    assert "/api/v1/namespaces/shop/services?limit=500" in sent
    # a node agent asked for by id says why it is no release unit
    a = assess(k.run().check(f"k8s:{UID}/shop/daemonsets.apps/{FLUENTD}"))
    assert (a.level, a.rule) == (None, "K8S-DS-NODE-AGENT")
    assert a.reason.startswith("not assessed, because no Service selects")


def test_check_with_forbidden_services_is_not_assessed_with_the_reason(kube: Any) -> None:
    faults = [{"resource": "services", "verb": "list", "status": 403}]
    k = kube(part([daemonset()], [service(EDGE, {"app": EDGE})], faults=faults))
    obs = k.run().check(f"k8s:{UID}/shop/daemonsets.apps/{EDGE}")
    assert not obs.facts["selected_by_services"].known
    a = assess(obs)
    assert a.level is None
    assert "the Services of namespace shop could not be listed: HTTP 403" in a.reason
    assert "needed by rule K8S-DS-NODE-AGENT" in a.reason


@pytest.mark.parametrize(
    ("surge", "unavailable", "desired", "expected"),
    [
        (None, None, 5, (0, 1)),  # defaults: surge 0, unavailable 1
        (0, "10%", 5, (0, 1)),  # 0.5 rounds up to 1
        (0, "25%", 10, (0, 3)),  # 2.5 rounds up to 3
        ("10%", 0, 25, (3, 0)),  # surge rounds up too
        (0, "0%", 4, (0, 1)),  # both 0 with nodes to run on: unavailable 1
        (0, "0%", 0, (0, 0)),  # ... but not on none
    ],
)
def test_fenceposts(surge: Any, unavailable: Any, desired: int, expected: tuple[int, int]) -> None:
    posts = fenceposts.daemonset(surge, unavailable, desired)
    assert (posts.surge, posts.unavailable) == expected


def test_cli_check_by_id() -> None:
    agent = daemonset(FLUENTD, labels={"name": FLUENTD}, desired=1)
    served = daemonset(desired=1)
    with ExitStack() as stack:
        env = clean_env("KUBECONFIG", "RELSCAN_")
        objects = part([served, agent], [service(EDGE, {"app": EDGE})])
        env.update({k: v for k, v in start(objects, stack).items() if v is not None})
        r = relscan("check", f"k8s:{UID}/shop/daemonsets.apps/{EDGE}", "--format", "json", env=env)
        agent_r = relscan(
            "check", f"k8s:{UID}/shop/daemonsets.apps/{FLUENTD}", "--format", "json", env=env
        )
    assert r.returncode == 0, r.stderr
    unit = json.loads(r.stdout)
    assert (unit["level"], unit["rule"]) == (1, "K8S-DS-1-ALL-AT-ONCE")
    unit = json.loads(agent_r.stdout)
    assert (unit["level"], unit["rule"]) == (None, "K8S-DS-NODE-AGENT")
