"""StatefulSets through the real client and the emulator: the facts (the
controller's arithmetic and the MaxUnavailableStatefulSet gate's default in the
server's version), and each rule reached and just missed."""

from __future__ import annotations

import json
from contextlib import ExitStack
from typing import Any

import pytest

from providers.kubernetes import fenceposts
from providers.kubernetes.emulator.app import start
from providers.kubernetes.statefulsets import KIND
from scanner.classify import classify
from scanner.model import Assessment, Observation
from scanner.rules import load_rulebook
from tests.cli import clean_env, relscan
from tests.kubernetes.conftest import UID, cluster

WEB = "web"  # the Kubernetes documentation's StatefulSet example
UNAVAILABLE = "spec.updateStrategy.rollingUpdate.maxUnavailable"


def statefulset(name: str = WEB, namespace: str = "shop", **spec: Any) -> dict[str, Any]:
    """A StatefulSet as the API server returns it; `spec` keys override the
    `web` example of https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/
    (nginx behind the headless Service `nginx`, 3 replicas). `status` may be
    given to replace the settled status (every pod on one revision)."""
    status = spec.pop("status", None)
    base: dict[str, Any] = {
        "serviceName": "nginx",
        "replicas": 3,
        "minReadySeconds": 10,
        "selector": {"matchLabels": {"app": "nginx"}},
        "template": {
            "metadata": {"labels": {"app": "nginx"}},
            "spec": {
                "containers": [
                    {
                        "name": "nginx",
                        "image": "registry.k8s.io/nginx-slim:0.24",
                        "ports": [{"containerPort": 80, "name": "web"}],
                    }
                ]
            },
        },
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "podManagementPolicy": "OrderedReady",
    }
    base.update(spec)
    settled = {
        "replicas": base["replicas"],
        "updatedReplicas": base["replicas"],
        "currentRevision": f"{name}-5b8f9d7c4d",
        "updateRevision": f"{name}-5b8f9d7c4d",
    }
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": f"uid-{namespace}-{name}",
            "labels": {"app.kubernetes.io/part-of": "shop", "app": "nginx"},
        },
        "spec": base,
        "status": settled if status is None else status,
    }


def rolling(**fields: Any) -> dict[str, Any]:
    return {"type": "RollingUpdate", "rollingUpdate": fields}


def canary_status(updated: int = 2, replicas: int = 5) -> dict[str, Any]:
    return {
        "replicas": replicas,
        "updatedReplicas": updated,
        "currentReplicas": replicas - updated,
        "currentRevision": "web-5b8f9d7c4d",
        "updateRevision": "web-7c9d6f8b5e",
    }


def assess(obs: Observation) -> Assessment:
    return classify(obs, load_rulebook())


def scan(kube: Any, *sets: dict[str, Any], version: str = "v1.34.3") -> tuple[Any, Any, Any]:
    k = kube({"clusters": [cluster(version=version, objects={"apps/statefulsets": list(sets)})]})
    found, errors = k.scan()
    return k, [o for o in found if o.kind == KIND.name], errors


def one(kube: Any, sts: dict[str, Any], version: str = "v1.34.3") -> Observation:
    _, found, errors = scan(kube, sts, version=version)
    assert errors == []
    assert len(found) == 1
    return found[0]


def test_documentation_example_rolls_one_pod_at_a_time(kube: Any) -> None:
    obs = one(kube, statefulset())
    assert obs.id == f"k8s:{UID}/shop/statefulsets.apps/{WEB}"
    assert (obs.account, obs.location, obs.name) == (UID, "shop", f"shop/{WEB}")
    facts = {n: f.value for n, f in obs.facts.items()}
    assert facts["update_strategy"] == "RollingUpdate"
    assert (facts["replicas"], facts["partition"]) == (3, 0)
    assert (facts["max_unavailable"], facts["resolved_max_unavailable"]) == (None, 1)
    assert facts["server_version"] == "v1.34.3"
    assert facts["max_unavailable_gate_on"] is False  # alpha through 1.34
    assert facts["max_unavailable_resolution"] == (
        "unset: 1 (the default); ignored unless the MaxUnavailableStatefulSet gate is on, "
        "and it is off by default in this version: the controller replaces one pod at a time"
    )
    assert facts["pod_management_policy"] == "OrderedReady"
    assert facts["min_ready_seconds"] == 10
    assert facts["containers_without_readiness_probe"] == ["nginx"]
    assert facts["revisions_differ"] is False
    a = assess(obs)
    assert (a.level, a.rule, a.basis) == (2, "K8S-STS-2-ROLLING", "policy")
    shown = {e.field: e.value for e in a.evidence}
    assert shown["spec.updateStrategy.rollingUpdate.partition"] == 0
    assert shown["spec.minReadySeconds"] == 10


@pytest.mark.parametrize(
    ("spec", "version", "level", "rule"),
    [
        # OnDelete: reached; RollingUpdate just misses it
        ({"updateStrategy": {"type": "OnDelete"}}, "v1.34.3", None, "K8S-STS-ONDELETE"),
        ({"updateStrategy": rolling()}, "v1.34.3", 2, "K8S-STS-2-ROLLING"),
        # one replica: the only pod goes first; two just miss
        ({"replicas": 1}, "v1.34.3", 1, "K8S-STS-1-SINGLE-REPLICA"),
        ({"replicas": 2}, "v1.34.3", 2, "K8S-STS-2-ROLLING"),
        # maxUnavailable 100% where the gate is on by default (1.35.0-1.35.3, 1.37+)
        ({"updateStrategy": rolling(maxUnavailable="100%")}, "v1.37.0", 1, "K8S-STS-1-ALL-AT-ONCE"),
        (
            {"updateStrategy": rolling(maxUnavailable=3)},
            "v1.35.2-eks-3025e55",
            1,
            "K8S-STS-1-ALL-AT-ONCE",
        ),  # fmt: skip
        # 67% of 3 is 2.01: the API reference's "rounding up" would give 3 (all at
        # once); the controller rounds down to 2, which just misses level 1
        ({"updateStrategy": rolling(maxUnavailable="67%")}, "v1.37.0", 2, "K8S-STS-2-ROLLING"),
        ({"updateStrategy": rolling(maxUnavailable=2)}, "v1.37.0", 2, "K8S-STS-2-ROLLING"),
        # the same 100% where the gate is off by default: the gate alone decides
        (
            {"updateStrategy": rolling(maxUnavailable="100%")},
            "v1.35.4",
            None,
            "K8S-STS-GATE-DECIDES",
        ),  # fmt: skip
        (
            {"updateStrategy": rolling(maxUnavailable="100%")},
            "v1.36.1-gke.1200000",
            None,
            "K8S-STS-GATE-DECIDES",
        ),  # fmt: skip
        ({"updateStrategy": rolling(maxUnavailable=3)}, "v1.33.1", None, "K8S-STS-GATE-DECIDES"),
        # ... and a maxUnavailable below replicas is level 2 whichever way the gate is set
        ({"updateStrategy": rolling(maxUnavailable=2)}, "v1.33.1", 2, "K8S-STS-2-ROLLING"),
        # scaled to zero just misses every rule
        ({"replicas": 0}, "v1.34.3", None, None),
    ],
)
def test_levels(
    kube: Any, spec: dict[str, Any], version: str, level: int | None, rule: str | None
) -> None:
    a = assess(one(kube, statefulset(**spec), version))
    assert (a.level, a.rule) == (level, rule)
    if rule is None:
        assert "scaled to zero" in a.reason


def test_gate_decides_says_why(kube: Any) -> None:
    obs = one(kube, statefulset(updateStrategy=rolling(maxUnavailable="100%")), "v1.36.0")
    assert obs.facts["max_unavailable_resolution"].value == (
        "100% of 3 replicas, rounded down: 3; ignored unless the MaxUnavailableStatefulSet "
        "gate is on, and it is off by default in this version: the controller replaces one "
        "pod at a time"
    )
    a = assess(obs)
    assert a.status == "not_assessed"
    assert a.reason.startswith("not assessed, because maxUnavailable would let every pod go")
    shown = {e.field: e.value for e in a.evidence}
    assert shown["/version gitVersion"] == "v1.36.0"
    assert shown[UNAVAILABLE] == "100%"


def test_partition_canary_is_level_4_snapshot(kube: Any) -> None:
    """The documentation's partitioned rolling update: partition 3 of 5, two
    pods (ordinals 3 and 4) on the new revision."""
    sts = statefulset(replicas=5, updateStrategy=rolling(partition=3), status=canary_status())
    a = assess(one(kube, sts))
    assert (a.level, a.rule, a.basis) == (4, "K8S-STS-4-PARTITION-CANARY", "snapshot")
    shown = {e.field: e.value for e in a.evidence}
    assert shown["spec.updateStrategy.rollingUpdate.partition"] == 3
    assert shown["status.updatedReplicas"] == 2
    assert shown["status.currentRevision"] == "web-5b8f9d7c4d"
    assert shown["status.updateRevision"] == "web-7c9d6f8b5e"


@pytest.mark.parametrize(
    ("partition", "status", "why"),
    [
        (0, canary_status(), "partition 0: an ordinary rolling update in progress"),
        (5, canary_status(0), "partition at replicas: no pod is updated"),
        (3, canary_status(0), "no pod on the new revision yet"),
        (3, {**canary_status(), "updateRevision": "web-5b8f9d7c4d"}, "one revision"),
    ],
)
def test_partition_without_a_live_canary_is_judged_as_a_rolling_update(
    kube: Any, partition: int, status: dict[str, Any], why: str
) -> None:
    sts = statefulset(replicas=5, updateStrategy=rolling(partition=partition), status=status)
    a = assess(one(kube, sts))
    assert (a.level, a.rule) == (2, "K8S-STS-2-ROLLING"), why
    shown = {e.field: e.value for e in a.evidence}
    assert shown["spec.updateStrategy.rollingUpdate.partition"] == partition


def test_a_version_without_a_known_gate_default_is_not_guessed(kube: Any) -> None:
    obs = one(kube, statefulset(updateStrategy=rolling(maxUnavailable="100%")), "v1.x-custom")
    gate = obs.facts["max_unavailable_gate_on"]
    assert not gate.known
    assert gate.error == "cannot tell the feature gate's default from the version 'v1.x-custom'"
    a = assess(obs)
    assert a.level is None
    assert "needed by rule K8S-STS-1-ALL-AT-ONCE" in a.reason
    # the gate does not matter when maxUnavailable is below replicas
    obs = one(kube, statefulset(updateStrategy=rolling(maxUnavailable=1)), "v1.x-custom")
    assert assess(obs).rule == "K8S-STS-2-ROLLING"


def test_an_unreadable_version_stops_only_where_the_gate_decides(kube: Any) -> None:
    sets = [
        statefulset("all", updateStrategy=rolling(maxUnavailable="100%")),
        statefulset("one"),
    ]
    faults = [{"resource": "version", "status": 500}]
    k = kube({"clusters": [cluster(objects={"apps/statefulsets": sets}, faults=faults)]})
    found, errors = k.scan()
    assert errors == []
    by_name = {o.name: o for o in found}
    fact = by_name["shop/all"].facts["server_version"]
    assert not fact.known
    assert fact.error == "GET /version failed: HTTP 500 InternalError: injected 500"
    a = assess(by_name["shop/all"])
    assert a.level is None and "GET /version failed: HTTP 500" in a.reason
    assert assess(by_name["shop/one"]).rule == "K8S-STS-2-ROLLING"


def test_version_is_read_once_per_cluster_and_only_for_statefulsets(kube: Any) -> None:
    k, found, _ = scan(kube, statefulset("a"), statefulset("b"), statefulset("c"))
    assert len(found) == 3
    assert [p for _, _, p in k.emulator.calls].count("/version") == 1
    k, found, _ = scan(kube)
    assert found == [] and "/version" not in [p for _, _, p in k.emulator.calls]


def test_malformed_max_unavailable_is_unknown_not_a_guess(kube: Any) -> None:
    obs = one(kube, statefulset(updateStrategy=rolling(maxUnavailable="lots")))
    fact = obs.facts["resolved_max_unavailable"]
    assert not fact.known and "not an int or percentage: 'lots'" in (fact.error or "")
    assert assess(obs).level is None


@pytest.mark.parametrize(
    ("max_unavailable", "replicas", "expected"),
    [
        # TestGetStatefulSetMaxUnavailable, kubernetes/kubernetes
        # pkg/controller/statefulset/stateful_set_utils_test.go (PR 110286)
        (None, 10, 1),
        (3, 10, 3),
        (3, 0, 3),
        (0, 0, 1),
        ("10%", 25, 2),
        ("100%", 5, 5),
        ("50%", 5, 2),
        ("10%", 5, 1),
        ("1%", 0, 1),
        ("0%", 0, 1),
    ],
)
def test_fenceposts_follow_the_controllers_table(
    max_unavailable: Any, replicas: int, expected: int
) -> None:
    assert fenceposts.statefulset(max_unavailable, replicas) == expected


@pytest.mark.parametrize(
    ("version", "on"),
    [
        ("v1.24.0", False),  # alpha (KEP-961)
        ("v1.34.3", False),
        ("v1.35.0", True),  # beta, on by default (PR 133153)
        ("v1.35.3-gke.1000", True),
        ("v1.35.4", False),  # off again (PRs 137904, 137926)
        ("v1.36.2+k3s1", False),
        ("v1.37.0", True),  # on again (PR 139466)
        ("v1.35", None),  # which 1.35 patch release: unknown
        ("v2.0.0", None),
        ("custom", None),
    ],
)
def test_gate_default_by_server_version(version: str, on: bool | None) -> None:
    assert fenceposts.statefulset_gate_default(version) is on


def test_check_reads_one_statefulset_by_its_stable_id(kube: Any) -> None:
    k = kube({"clusters": [cluster(objects={"apps/statefulsets": [statefulset()]})]})
    uid = f"k8s:{UID}/shop/statefulsets.apps/{WEB}"
    obs = k.run().check(uid)
    assert (obs.id, obs.facts["replicas"].value, obs.facts["server_version"].value) == (
        uid,
        3,
        "v1.34.3",
    )
    assert ("GET", "/apis/apps/v1/namespaces/shop/statefulsets/web") in [
        (m, p) for _, m, p in k.emulator.calls
    ]


def test_cli_check_by_id(tmp_path: Any) -> None:
    sts = statefulset(replicas=1)
    part = {"clusters": [cluster(objects={"apps/statefulsets": [sts]})]}
    with ExitStack() as stack:
        env = clean_env("KUBECONFIG", "RELSCAN_")
        env.update({k: v for k, v in start(part, stack).items() if v is not None})
        uid = f"k8s:{UID}/shop/statefulsets.apps/{WEB}"
        r = relscan("check", uid, "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    unit = json.loads(r.stdout)
    assert (unit["level"], unit["rule"]) == (1, "K8S-STS-1-SINGLE-REPLICA")
