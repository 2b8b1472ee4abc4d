"""Knative Services through the real client and the emulator: spec.traffic
judged as Cloud Run's is, each rule reached and just missed, the
rollout-duration annotation, the revision Deployments that are not units,
and `check` by id.

Examples: the traffic specs of Knative's "Traffic management" page
(https://knative.dev/docs/serving/traffic-management/: example-service with
staging 0 / 40 / 60) and OpenShift Serverless "Traffic spec examples"
(https://docs.openshift.com/serverless/latest/knative-serving/traffic-splitting/traffic-spec-examples.html:
latest 100; current 100 with latest 0; current 50 / candidate 50 / latest 0).
"""

from __future__ import annotations

from typing import Any

import pytest

from scanner.classify import classify
from scanner.errors import NotFoundError
from scanner.model import Assessment, Observation
from scanner.rules import load_rulebook
from tests.kubernetes.conftest import UID, cluster, deployment

KNATIVE = "serving.knative.dev"
SERVICES = f"{KNATIVE}/services"
CRDS = [f"{KNATIVE}/v1"]
RID = f"k8s:{UID}/default/services.{KNATIVE}/example-service"


def assess(obs: Observation) -> Assessment:
    return classify(obs, load_rulebook())


def ksvc(
    name: str = "example-service",
    traffic: list[dict[str, Any]] | None = None,
    namespace: str = "default",
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": f"uid-{name}"}
    if annotations:
        meta["annotations"] = annotations
    spec: dict[str, Any] = {
        "template": {"spec": {"containers": [{"image": "ghcr.io/knative/helloworld-go:latest"}]}}
    }
    if traffic is not None:
        spec["traffic"] = traffic
    return {
        "apiVersion": f"{KNATIVE}/v1",
        "kind": "Service",
        "metadata": meta,
        "spec": spec,
        "status": {"latestReadyRevisionName": f"{name}-00002"},
    }


def revision_deployment(service: str, revision: str, namespace: str = "default") -> dict[str, Any]:
    """A Deployment as Knative makes one for a revision: named REVISION-deployment,
    carrying the Revision's labels (knative/serving
    pkg/reconciler/revision/resources/meta.go) and owned by the Revision."""
    dep = deployment(f"{revision}-deployment", namespace, replicas=1)
    dep["metadata"]["labels"] = {
        "app": revision,
        f"{KNATIVE}/configuration": service,
        f"{KNATIVE}/configurationGeneration": "2",
        f"{KNATIVE}/revision": revision,
        f"{KNATIVE}/revisionUID": f"uid-{revision}",
        f"{KNATIVE}/service": service,
    }
    dep["metadata"]["ownerReferences"] = [
        {
            "apiVersion": f"{KNATIVE}/v1",
            "kind": "Revision",
            "name": revision,
            "uid": f"uid-{revision}",
            "controller": True,
        }
    ]
    return dep


def one(kube: Any, svc: dict[str, Any]) -> Observation:
    found, errors = kube({"clusters": [cluster(crds=CRDS, objects={SERVICES: [svc]})]}).scan()
    assert errors == []
    assert len(found) == 1
    return found[0]


def test_latest_revision_takes_all_traffic(kube: Any) -> None:
    obs = one(kube, ksvc(traffic=[{"latestRevision": True, "percent": 100}]))
    assert obs.id == RID
    assert obs.kind == "kubernetes.knative.service"
    facts = {n: f.value for n, f in obs.facts.items()}
    assert facts["traffic"] == ["LATEST=100"]
    assert (facts["latest_percent"], facts["pinned_percent"]) == (100, 0)
    assert facts["latest_ready_revision"] == "example-service-00002"
    assert facts["rollout_duration"] is None
    a = assess(obs)
    assert (a.level, a.rule, a.basis) == (4, "K8S-KNATIVE-4-LATEST-AUTO", "snapshot")


@pytest.mark.parametrize(
    ("traffic", "level", "rule"),
    [
        # OpenShift: current pinned at 100, latest tagged at 0
        (
            [
                {"tag": "current", "revisionName": "example-service", "percent": 100},
                {"tag": "latest", "latestRevision": True, "percent": 0},
            ],
            3,
            "K8S-KNATIVE-3-PINNED-REVISION",
        ),
        # OpenShift: current 50 / candidate 50 / latest 0 (an even split is a release split)
        (
            [
                {"tag": "current", "revisionName": "example-service-1", "percent": 50},
                {"tag": "candidate", "revisionName": "example-service-2", "percent": 50},
                {"tag": "latest", "latestRevision": True, "percent": 0},
            ],
            4,
            "K8S-KNATIVE-4-TRAFFIC-SPLIT",
        ),
        # knative.dev: staging 0 / 40 / 60
        (
            [
                {"percent": 0, "revisionName": "example-service-1", "tag": "staging"},
                {"percent": 40, "revisionName": "example-service-2"},
                {"percent": 60, "revisionName": "example-service-3"},
            ],
            4,
            "K8S-KNATIVE-4-TRAFFIC-SPLIT",
        ),
        # a pinned revision beside the latest one, both live: a split
        (
            [
                {"revisionName": "example-service-1", "percent": 90},
                {"latestRevision": True, "percent": 10},
            ],
            4,
            "K8S-KNATIVE-4-TRAFFIC-SPLIT",
        ),
        # a target without revisionName follows the latest (latestRevision's default)
        ([{"percent": 100}], 4, "K8S-KNATIVE-4-LATEST-AUTO"),
        # latestRevision false with a revision name is pinned
        (
            [{"revisionName": "example-service-1", "latestRevision": False, "percent": 100}],
            3,
            "K8S-KNATIVE-3-PINNED-REVISION",
        ),
        # one revision named twice at 50 + 50 is one target, pinned (just misses the split)
        (
            [
                {"revisionName": "example-service-1", "percent": 50, "tag": "a"},
                {"revisionName": "example-service-1", "percent": 50, "tag": "b"},
            ],
            3,
            "K8S-KNATIVE-3-PINNED-REVISION",
        ),
        # nothing carries traffic: no rule (just misses 3 and 4)
        ([{"revisionName": "example-service-1", "percent": 0}], None, None),
    ],
)
def test_levels(kube: Any, traffic: list[Any], level: int | None, rule: str | None) -> None:
    a = assess(one(kube, ksvc(traffic=traffic)))
    assert (a.level, a.rule) == (level, rule)
    if rule is None:
        assert a.reason.startswith("not assessed, because spec.traffic gives no revision")


def test_empty_traffic_is_knatives_default_latest_100(kube: Any) -> None:
    obs = one(kube, ksvc(traffic=None))
    assert obs.facts["traffic"].value == ["LATEST=100 (default: spec.traffic is empty)"]
    assert assess(obs).rule == "K8S-KNATIVE-4-LATEST-AUTO"


def test_rollout_duration_is_in_the_evidence_and_does_not_change_the_level(kube: Any) -> None:
    svc = ksvc(
        traffic=[{"latestRevision": True, "percent": 100}],
        annotations={"serving.knative.dev/rollout-duration": "380s"},
    )
    a = assess(one(kube, svc))
    assert (a.level, a.rule) == (4, "K8S-KNATIVE-4-LATEST-AUTO")
    shown = {e.field: e.value for e in a.evidence}
    assert shown["metadata.annotations[serving.knative.dev/rollout-duration]"] == "380s"


def test_split_evidence_names_tags(kube: Any) -> None:
    obs = one(
        kube,
        ksvc(
            traffic=[
                {"tag": "current", "revisionName": "example-service-1", "percent": 50},
                {"tag": "candidate", "revisionName": "example-service-2", "percent": 50},
                {"tag": "latest", "latestRevision": True, "percent": 0},
            ]
        ),
    )
    assert obs.facts["traffic"].value == [
        "example-service-1=50 (tag current)",
        "example-service-2=50 (tag candidate)",
        "LATEST=0 (tag latest)",
    ]
    assert obs.facts["targets_with_traffic"].value == 2


def test_revision_deployments_are_not_units(kube: Any) -> None:
    svc = ksvc(traffic=[{"latestRevision": True, "percent": 100}])
    deps = [
        revision_deployment("example-service", "example-service-00001"),
        revision_deployment("example-service", "example-service-00002"),
        # another namespace's Service of the same name does not own this one
        revision_deployment("example-service", "example-service-00001", "other"),
        deployment("web", "default"),
    ]
    k = kube({"clusters": [cluster(crds=CRDS, deployments=deps, objects={SERVICES: [svc]})]})
    found, errors = k.scan()
    assert errors == []
    assert sorted(o.name for o in found) == [
        "default/example-service",
        "default/web",
        "other/example-service-00001-deployment",
    ]
    owner = next(o for o in found if o.kind == "kubernetes.knative.service")
    assert owner.facts["revision_deployments"].value == [
        "default/example-service-00001-deployment",
        "default/example-service-00002-deployment",
    ]
    shown = {e.field: e.value for e in assess(owner).evidence}
    assert shown["Deployments labelled serving.knative.dev/service (not counted)"] == [
        "default/example-service-00001-deployment",
        "default/example-service-00002-deployment",
    ]


def test_a_scan_counts_a_knative_service_with_its_revision_once(kube: Any) -> None:
    svc = ksvc(traffic=[{"latestRevision": True, "percent": 100}])
    dep = revision_deployment("example-service", "example-service-00001")
    k = kube({"clusters": [cluster(crds=CRDS, deployments=[dep], objects={SERVICES: [svc]})]})
    found, errors = k.scan()
    assert errors == []
    assert [o.id for o in found] == [RID]


def test_without_knative_its_deployments_are_units(kube: Any) -> None:
    dep = revision_deployment("example-service", "example-service-00001")
    found, errors = kube({"clusters": [cluster(deployments=[dep])]}).scan()
    assert errors == []
    assert [o.kind for o in found] == ["kubernetes.apps.deployment"]


def test_check_reads_one_service_by_id(kube: Any) -> None:
    svc = ksvc(traffic=[{"revisionName": "example-service-1", "percent": 100}])
    k = kube({"clusters": [cluster(crds=CRDS, objects={SERVICES: [svc]})]})
    a = assess(k.run().check(RID))
    assert (a.level, a.rule) == (3, "K8S-KNATIVE-3-PINNED-REVISION")
    with pytest.raises(NotFoundError, match="no such resource"):
        k.run().check(f"k8s:{UID}/default/services.{KNATIVE}/absent")


def test_a_cluster_without_knative_reads_nothing_and_errs_nothing(kube: Any) -> None:
    svc = ksvc(traffic=[{"latestRevision": True, "percent": 100}])
    k = kube({"clusters": [cluster(deployments=[deployment("web")], objects={SERVICES: [svc]})]})
    found, errors = k.scan()
    assert errors == []
    assert [o.kind for o in found] == ["kubernetes.apps.deployment"]
    assert not any(KNATIVE in path for _, _, path in k.emulator.calls)
    with pytest.raises(NotFoundError, match="is not served by this cluster"):
        k.run().check(RID)


def test_a_forbidden_knative_list_is_a_scope_error_and_the_rest_is_read(kube: Any) -> None:
    svc = ksvc(traffic=[{"latestRevision": True, "percent": 100}])
    faults = [{"resource": f"services.{KNATIVE}", "verb": "list", "status": 403}]
    k = kube(
        {
            "clusters": [
                cluster(
                    crds=CRDS,
                    deployments=[deployment("web")],
                    objects={SERVICES: [svc]},
                    faults=faults,
                )
            ]
        }
    )
    found, errors = k.scan()
    assert [o.name for o in found] == ["shop/web"]
    assert [(e.service, e.message.split(":")[0]) for e in errors] == [
        (f"services.{KNATIVE}", "HTTP 403 Forbidden")
    ]
    assert f'cannot list resource "services" in API group "{KNATIVE}"' in errors[0].message
