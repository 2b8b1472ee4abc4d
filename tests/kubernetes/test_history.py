"""--history for Kubernetes units through the official client and the
emulator: the versions each controller keeps (ReplicaSets, ControllerRevisions,
Knative Revisions) as releases, rollbacks found in revision-history, restarts
left out, the revisionHistoryLimit coverage, the status of the current
rollout, a 403 on the versions, and one list per namespace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from providers.kubernetes.emulator.versions import stamp
from scanner.model import Observation, ScopeError
from scanner.practice.records import AUTOMATIC, FAILED, IN_PROGRESS, MANUAL, SUCCEEDED, UNKNOWN
from tests.kubernetes.conftest import UID, cluster, deployment
from tests.kubernetes.test_canaries import FLAGGER, podinfo, progressive
from tests.kubernetes.test_daemonsets import EDGE, daemonset, service
from tests.kubernetes.test_knative import CRDS as KNATIVE_CRDS
from tests.kubernetes.test_knative import SERVICES, ksvc
from tests.kubernetes.test_rollouts import ARGO, rollout
from tests.kubernetes.test_statefulsets import statefulset

NOW = datetime.now(UTC).replace(microsecond=0)
DAYS = 30
ROLLBACKS = "rollbacks to an earlier ReplicaSet (the time is not recorded)"
RESTARTS = "restarts (kubectl rollout restart: only the template's restartedAt annotation changed)"
REV = "deployment.kubernetes.io/revision"
HISTORY = "deployment.kubernetes.io/revision-history"


def options(end: datetime | None = None) -> dict[str, Any]:
    """The period ends at `end`, or when the scan starts (after the emulator
    has written its records relative to its own now)."""
    return {"history_days": DAYS, "history_end": end or datetime.now(UTC)}


def scan(
    kube: Any, part: dict[str, Any], end: datetime | None = None
) -> tuple[Any, list[Observation], list[ScopeError]]:
    k = kube(part)
    found, errors = k.scan(**options(end))
    return k, found, errors


def unit(found: list[Observation], name: str) -> Observation:
    return next(o for o in found if o.name.endswith(f"/{name}"))


def replicaset(
    owner: str,
    pod_hash: str,
    revision: int,
    image: str,
    created: datetime,
    history: str | None = None,
    restarted: str | None = None,
    namespace: str = "shop",
) -> dict[str, Any]:
    """A ReplicaSet the Deployment controller made, as `kubectl get rs -o json` shows it."""
    annotations = {REV: str(revision)}
    if history:
        annotations[HISTORY] = history
    template: dict[str, Any] = {
        "metadata": {"labels": {"app": owner, "pod-template-hash": pod_hash}},
        "spec": {"containers": [{"name": "nginx", "image": image}]},
    }
    if restarted:
        template["metadata"]["annotations"] = {"kubectl.kubernetes.io/restartedAt": restarted}
    return {
        "metadata": {
            "name": f"{owner}-{pod_hash}",
            "namespace": namespace,
            "uid": f"rs-{pod_hash}",
            "creationTimestamp": stamp(created),
            "annotations": annotations,
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": owner,
                    "uid": f"uid-{namespace}-{owner}",
                    "controller": True,
                }
            ],
        },
        "spec": {"replicas": 0, "template": template},
    }


def test_documentation_rollback_is_seen_in_revision_history(kube: Any) -> None:
    """The Kubernetes documentation's "Rolling Back a Deployment": nginx:1.14.2
    (revision 1), nginx:1.16.1 (2), the mistyped nginx:1.161 (3), then
    `kubectl rollout undo` back to revision 2, which the ReplicaSet of
    revision 2 then holds as revision 4, with "2" in its revision-history
    (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#rolling-back-a-deployment)."""
    name = "nginx-deployment"
    t1, t2, t3 = (NOW - timedelta(days=d) for d in (6, 4, 2))
    sets = [
        replicaset(name, "75675f5897", 1, "nginx:1.14.2", t1),
        replicaset(name, "c4747d96c", 4, "nginx:1.16.1", t2, history="2"),
        replicaset(name, "1564180365", 3, "nginx:1.161", t3),
    ]
    dep = deployment(
        name,
        template={
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.16.1"}]},
        },
    )
    dep["status"]["conditions"] = [
        {
            "type": "Progressing",
            "reason": "NewReplicaSetAvailable",
            "message": f'ReplicaSet "{name}-c4747d96c" has successfully progressed.',
            "lastUpdateTime": stamp(NOW - timedelta(hours=1)),
        }
    ]
    part = {"clusters": [cluster(deployments=[dep], objects={"apps/replicasets": sets})]}
    _, found, errors = scan(kube, part)
    assert errors == []
    h = unit(found, name).history
    assert h is not None and h.error is None
    assert [(r.started, r.id) for r in h.releases] == [
        (t1, "rs-75675f5897"),
        (t2, "rs-c4747d96c"),
        (t3, "rs-1564180365"),
    ]
    # the bad release was rolled back by hand; the rollback has no time of its own
    assert [r.rolled_back for r in h.releases] == [None, None, MANUAL]
    assert "replaced by a return to an earlier ReplicaSet at revision 4" in h.releases[2].detail
    assert h.left_out == {ROLLBACKS: 1}
    # the status describes the rollback (the reused ReplicaSet), not a release
    assert {r.outcome for r in h.releases} == {UNKNOWN}
    assert all(r.ended is None and r.kind == "release" for r in h.releases)
    assert h.covers_from is None  # 2 old ReplicaSets of 10 kept: none deleted
    assert h.kept == (
        "the current ReplicaSet and the last 10 old ones (spec.revisionHistoryLimit 10)"
    )
    assert "records no time" in h.note and "configuration-only" in h.note
    assert h.releases[0].source == "kubernetes:replicaset"
    assert (
        h.releases[0].detail == "ReplicaSet nginx-deployment-75675f5897 revision 1 (nginx:1.14.2)"
    )


def test_newest_release_outcome_from_the_progressing_condition(kube: Any) -> None:
    name = "web"
    t1, t2 = NOW - timedelta(days=3), NOW - timedelta(hours=2)
    sets = [replicaset(name, "aaa", 1, "nginx:1", t1), replicaset(name, "bbb", 2, "nginx:2", t2)]
    dep = deployment(name)
    dep["status"]["conditions"] = [
        {
            "type": "Progressing",
            "reason": "ProgressDeadlineExceeded",
            "message": f'ReplicaSet "{name}-bbb" has timed out progressing.',
        }
    ]
    part = {"clusters": [cluster(deployments=[dep], objects={"apps/replicasets": sets})]}
    h = unit(scan(kube, part)[1], name).history
    assert h is not None
    assert [r.outcome for r in h.releases] == [UNKNOWN, FAILED]
    assert h.releases[1].rolled_back is None  # the controller rolls nothing back
    # a condition about another ReplicaSet says nothing about the newest
    dep["status"]["conditions"][0]["message"] = f'ReplicaSet "{name}-aaa" has timed out.'
    h = unit(scan(kube, part)[1], name).history
    assert h is not None and [r.outcome for r in h.releases] == [UNKNOWN, UNKNOWN]


def test_completed_rollout_has_an_end(kube: Any) -> None:
    dep = deployment("web")
    dep["releases"] = [{"times": "daily 10:00", "count": 3, "minutes": 12}]
    h = unit(scan(kube, {"clusters": [cluster(deployments=[dep])]})[1], "web").history
    assert h is not None
    newest = h.releases[-1]
    assert newest.outcome == SUCCEEDED
    assert newest.ended == newest.started + timedelta(minutes=12)
    assert [r.outcome for r in h.releases[:-1]] == [UNKNOWN, UNKNOWN]


def test_restart_is_left_out_and_a_record_before_the_period_just_misses(kube: Any) -> None:
    name = "web"
    before = NOW - timedelta(days=DAYS, seconds=1)  # one second before the period
    inside = NOW - timedelta(days=DAYS) + timedelta(seconds=1)
    sets = [
        replicaset(name, "aaa", 1, "nginx:1", before),
        replicaset(name, "bbb", 2, "nginx:2", inside),
        # `kubectl rollout restart`: the same template, a new restartedAt
        replicaset(name, "ccc", 3, "nginx:2", NOW - timedelta(days=1), restarted=stamp(NOW)),
        # an environment-only change (same image) cannot be told from a release
        replicaset(name, "ddd", 4, "nginx:2", NOW - timedelta(hours=1), restarted=stamp(NOW)),
    ]
    sets[3]["spec"]["template"]["spec"]["containers"][0]["env"] = [{"name": "A", "value": "1"}]
    part = {
        "clusters": [cluster(deployments=[deployment(name)], objects={"apps/replicasets": sets})]
    }
    h = unit(scan(kube, part, end=NOW)[1], name).history
    assert h is not None
    assert [r.id for r in h.releases] == ["rs-bbb", "rs-ddd"]
    assert h.left_out == {RESTARTS: 1}


def test_revision_history_limit_sets_the_coverage(kube: Any) -> None:
    """Four releases a day; revisionHistoryLimit 5 keeps the current and 5 old
    ReplicaSets: the records cover only from the oldest kept one."""
    dep = deployment("busy", revisionHistoryLimit=5)
    dep["releases"] = [{"times": "daily 09:10,11:40,14:20,16:50", "count": 20}]
    h = unit(scan(kube, {"clusters": [cluster(deployments=[dep])]})[1], "busy").history
    assert h is not None
    assert len(h.releases) == 6
    assert h.covers_from == h.releases[0].started
    assert h.kept == "the current ReplicaSet and the last 5 old ones (spec.revisionHistoryLimit 5)"
    # just misses: with 6 releases and the default limit 10, nothing was deleted
    dep = deployment("busy")
    del dep["spec"]["revisionHistoryLimit"]
    dep["releases"] = [{"times": "daily 09:10,11:40,14:20,16:50", "count": 6}]
    h = unit(scan(kube, {"clusters": [cluster(deployments=[dep])]})[1], "busy").history
    assert h is not None and len(h.releases) == 6 and h.covers_from is None
    assert h.kept.endswith("(spec.revisionHistoryLimit 10, the default)")


def test_another_deployments_replicasets_are_not_its_records(kube: Any) -> None:
    """Owners match by uid: a ReplicaSet left by an earlier Deployment of the
    same name (another uid) is not this one's."""
    old = replicaset("web", "old", 1, "nginx:0", NOW - timedelta(days=2))
    old["metadata"]["ownerReferences"][0]["uid"] = "uid-of-a-deleted-deployment"
    mine = replicaset("web", "new", 1, "nginx:1", NOW - timedelta(days=1))
    other = replicaset("api", "api1", 1, "api:1", NOW - timedelta(days=1))
    part = {
        "clusters": [
            cluster(
                deployments=[deployment("web"), deployment("api")],
                objects={"apps/replicasets": [old, mine, other]},
            )
        ]
    }
    _, found, _ = scan(kube, part)
    assert [r.id for r in unit(found, "web").history.releases] == ["rs-new"]  # type: ignore[union-attr]
    assert [r.id for r in unit(found, "api").history.releases] == ["rs-api1"]  # type: ignore[union-attr]


def test_one_replicaset_list_per_namespace_shared_by_deployments_and_rollouts(kube: Any) -> None:
    deps = [deployment(n) for n in ("a", "b", "c")] + [deployment("d", namespace="pay")]
    for d in deps:
        d["releases"] = [{"times": "daily 10:00", "count": 2}]
    ro = rollout("e", {"canary": {"steps": [{"setWeight": 20}]}})
    ro["releases"] = [{"times": "daily 11:00", "count": 2}]
    part = {
        "clusters": [cluster(deployments=deps, crds=[ARGO], objects={"argoproj.io/rollouts": [ro]})]
    }
    k, found, errors = scan(kube, part)
    assert errors == []
    lists = sorted(p for _, _, p in k.emulator.calls if "replicasets" in p)
    assert lists == [
        "/apis/apps/v1/namespaces/pay/replicasets?limit=500",
        "/apis/apps/v1/namespaces/shop/replicasets?limit=500",
    ]
    assert all(len(o.history.releases) == 2 for o in found)  # type: ignore[union-attr]


def test_without_history_no_versions_are_read(kube: Any) -> None:
    dep = deployment("web")
    dep["releases"] = [{"times": "daily 10:00", "count": 2}]
    k = kube({"clusters": [cluster(deployments=[dep])]})
    found, _ = k.scan()
    assert found[0].history is None
    assert not [p for _, _, p in k.emulator.calls if "replicasets" in p]


def test_forbidden_replicasets_is_each_units_error_and_one_scope_error(kube: Any) -> None:
    deps = [deployment("a"), deployment("b"), deployment("c", namespace="pay")]
    for d in deps:
        d["releases"] = [{"times": "daily 10:00", "count": 2}]
    faults = [{"resource": "replicasets", "verb": "list", "namespace": "shop", "status": 403}]
    _, found, errors = scan(kube, {"clusters": [cluster(deployments=deps, faults=faults)]})
    assert sorted(o.name for o in found) == ["pay/c", "shop/a", "shop/b"]  # no unit lost
    message = (
        'HTTP 403 Forbidden: replicasets.apps is forbidden: User "system:serviceaccount:relscan:'
        'relscan" cannot list resource "replicasets" in API group "apps" in the namespace "shop"'
    )
    assert [(e.scope, e.service, e.message) for e in errors] == [
        (f"kubernetes:{UID}/shop", "replicasets.apps", message)
    ]
    for name in ("a", "b"):
        h = unit(found, name).history
        assert h is not None and h.releases == []
        assert h.error == f"cannot list replicasets.apps in namespace shop: {message}"
    assert len(unit(found, "c").history.releases) == 2  # type: ignore[union-attr]


def test_check_reads_the_units_history(kube: Any) -> None:
    dep = deployment("web")
    dep["releases"] = [{"times": "weekly Sun 02:30", "count": 3}]
    k = kube({"clusters": [cluster(deployments=[dep])]})
    obs = k.run(**options()).check(f"k8s:{UID}/shop/deployments.apps/web")
    assert obs.history is not None and len(obs.history.releases) == 3
    assert all(r.started.utcoffset() == timedelta(0) for r in obs.history.releases)
    calls = [p for _, _, p in k.emulator.calls]
    assert calls[-1] == "/apis/apps/v1/namespaces/shop/replicasets?limit=500"


def test_a_replicaset_without_a_revision_is_counted_not_guessed(kube: Any) -> None:
    good = replicaset("web", "aaa", 1, "nginx:1", NOW - timedelta(days=1))
    bad = replicaset("web", "bbb", 2, "nginx:2", NOW - timedelta(hours=1))
    del bad["metadata"]["annotations"][REV]
    part = {
        "clusters": [
            cluster(deployments=[deployment("web")], objects={"apps/replicasets": [good, bad]})
        ]
    }
    h = unit(scan(kube, part)[1], "web").history
    assert h is not None and [r.id for r in h.releases] == ["rs-aaa"]
    assert h.left_out == {"versions without a revision number or creation time": 1}


@pytest.mark.parametrize(
    ("rolled_back", "expected", "message"),
    [
        # an analysis abort: the controller appends the AnalysisRun's message
        (
            "automatic",
            AUTOMATIC,
            'RolloutAborted: Rollout aborted update to revision 3: Metric "success-rate" '
            "assessed Failed due to failed (3) > failureLimit (2)",
        ),
        # `kubectl argo rollouts abort`: the message is bare
        ("manual", MANUAL, "RolloutAborted: Rollout aborted update to revision 3"),
    ],
)
def test_rollout_abort_of_the_current_rollout(
    kube: Any, rolled_back: str, expected: str, message: str
) -> None:
    ro = rollout("guestbook", {"canary": {"steps": [{"setWeight": 20}]}}, revisionHistoryLimit=10)
    ro["releases"] = [{"times": "daily 10:00", "count": 3, "failed": {0: rolled_back}}]
    part = {"clusters": [cluster(crds=[ARGO], objects={"argoproj.io/rollouts": [ro]})]}
    h = unit(scan(kube, part)[1], "guestbook").history
    assert h is not None and h.source == "ReplicaSets of the Rollout (rollout.argoproj.io/revision)"
    newest = h.releases[-1]
    assert (newest.outcome, newest.rolled_back) == (FAILED, expected)
    assert newest.restored is not None and newest.restored > newest.started
    assert newest.detail.endswith(f"aborted: {message}")
    assert [r.outcome for r in h.releases[:-1]] == [UNKNOWN, UNKNOWN]  # current rollout only


def test_healthy_rollout_succeeded(kube: Any) -> None:
    ro = rollout("guestbook", {"canary": {"steps": [{"setWeight": 20}]}})
    ro["releases"] = [{"times": "daily 10:00", "count": 2}]
    part = {"clusters": [cluster(crds=[ARGO], objects={"argoproj.io/rollouts": [ro]})]}
    h = unit(scan(kube, part)[1], "guestbook").history
    assert h is not None
    assert [r.outcome for r in h.releases] == [UNKNOWN, SUCCEEDED]
    assert [r.rolled_back for r in h.releases] == [None, None]


def test_statefulset_controller_revisions_and_an_inferred_rollback(kube: Any) -> None:
    sts = statefulset()
    sts["releases"] = [{"times": "daily 10:00", "count": 4, "failed": {1: "manual"}}]
    k, found, errors = scan(kube, {"clusters": [cluster(objects={"apps/statefulsets": [sts]})]})
    assert errors == []
    h = found[0].history
    assert h is not None and h.source == "ControllerRevisions (apps/v1)"
    assert len(h.releases) == 4
    # the second latest was rolled back: the revision before it came back numbered 4
    assert [r.rolled_back for r in h.releases] == [None, None, MANUAL, None]
    assert h.left_out == {
        "rollbacks to an earlier ControllerRevision (the time is not recorded)": 1
    }
    assert h.releases[0].source == "kubernetes:controllerrevision"
    # the newest, released after the rollback, finished: every pod on it
    assert [r.outcome for r in h.releases] == [UNKNOWN, UNKNOWN, UNKNOWN, SUCCEEDED]
    assert [p for _, _, p in k.emulator.calls if "controllerrevisions" in p] == [
        "/apis/apps/v1/namespaces/shop/controllerrevisions?limit=500"
    ]


def test_statefulset_update_outcome_from_current_and_update_revision(kube: Any) -> None:
    sts = statefulset()
    sts["releases"] = [{"times": "daily 10:00", "count": 2}]
    k = kube({"clusters": [cluster(objects={"apps/statefulsets": [sts]})]})
    found, _ = k.scan(**options())
    h = found[0].history
    assert h is not None and [r.outcome for r in h.releases] == [UNKNOWN, SUCCEEDED]
    # a partition holds pods on the older revision: the update is still in progress
    (served,) = k.emulator.clusters.values()
    older = min(served.objects[("apps", "controllerrevisions")], key=lambda r: r["revision"])
    served.objects[("apps", "statefulsets")][0]["status"]["currentRevision"] = older["metadata"][
        "name"
    ]
    found, _ = k.scan(**options())
    h = found[0].history
    assert h is not None and [r.outcome for r in h.releases] == [UNKNOWN, IN_PROGRESS]
    assert h.releases[-1].detail.endswith("(status.currentRevision)")


def test_daemonset_controller_revisions(kube: Any) -> None:
    ds = daemonset()
    ds["releases"] = [{"times": "weekly Tue 21:00", "count": 3}]
    part = {
        "clusters": [
            cluster(
                objects={"apps/daemonsets": [ds], "core/services": [service(EDGE, {"app": EDGE})]}
            )
        ]
    }
    _, found, errors = scan(kube, part)
    assert errors == []
    h = found[0].history
    assert h is not None and len(h.releases) == 3 and h.left_out == {}


def test_knative_revisions_of_the_service_only(kube: Any) -> None:
    svc, other = ksvc(), ksvc("other-service")
    svc["releases"] = [{"times": "daily 12:00", "count": 3}]
    other["releases"] = [{"times": "daily 13:00", "count": 2}]
    part = {"clusters": [cluster(crds=KNATIVE_CRDS, objects={SERVICES: [svc, other]})]}
    k, found, errors = scan(kube, part)
    assert errors == []
    h = unit(found, "example-service").history
    assert h is not None and h.source == "Knative Revisions (serving.knative.dev)"
    assert [r.detail.split(" (")[0] for r in h.releases] == [
        "Revision example-service-00001",
        "Revision example-service-00002",
        "Revision example-service-00003",
    ]
    assert h.covers_from is None  # 3 revisions: below config-gc's 20
    assert "traffic moves" in h.note
    lists = [p for _, _, p in k.emulator.calls if "revisions" in p]
    assert lists == ["/apis/serving.knative.dev/v1/namespaces/default/revisions?limit=500"]


@pytest.mark.parametrize(("count", "limited"), [(21, True), (20, False)])
def test_knative_coverage_past_config_gcs_minimum(kube: Any, count: int, limited: bool) -> None:
    svc = ksvc()
    svc["releases"] = [{"times": "daily 12:00", "count": count}]
    part = {"clusters": [cluster(crds=KNATIVE_CRDS, objects={SERVICES: [svc]})]}
    h = scan(kube, part)[1][0].history
    assert h is not None and len(h.releases) == count
    assert h.covers_from == (h.releases[0].started if limited else None)


def test_flagger_canary_reads_its_targets_replicasets(kube: Any) -> None:
    canary = podinfo(progressive())
    canary["status"] = {"phase": "Failed"}
    target = deployment("podinfo", namespace="test")
    target["releases"] = [{"times": "daily 15:00", "count": 2}]
    part = {
        "clusters": [
            cluster(
                crds=[FLAGGER], objects={"flagger.app/canaries": [canary]}, deployments=[target]
            )
        ]
    }
    _, found, errors = scan(kube, part)
    assert errors == []
    assert [o.name for o in found] == ["test/podinfo"]  # the target is the Canary's
    h = found[0].history
    assert h is not None and h.source == "ReplicaSets of the Canary's target Deployment podinfo"
    assert [r.outcome for r in h.releases] == [UNKNOWN, FAILED]
    assert h.releases[-1].rolled_back is None  # by its checks or a webhook: not said
    assert "traffic went back to the primary" in h.releases[-1].detail


def test_routes_keep_no_history(kube: Any) -> None:
    from tests.kubernetes.test_routes import (
        GATEWAY,
        HTTPROUTES,
        ISTIO,
        VIRTUALSERVICES,
        backend,
        dest,
        httproute,
        virtualservice,
    )

    route = httproute("split", [backend("v1", 90), backend("v2", 10)])
    vs = virtualservice("reviews", http=[{"route": [dest("v1", 90), dest("v2", 10)]}])
    objects = {HTTPROUTES: [route], VIRTUALSERVICES: [vs]}
    part = {"clusters": [cluster(crds=[f"{GATEWAY}/v1", f"{ISTIO}/v1"], objects=objects)]}
    k, found, errors = scan(kube, part)
    assert errors == [] and len(found) == 2
    for unit_ in found:
        h = unit_.history
        assert h is not None and h.releases == [] and h.error is None
        assert h.unavailable is not None and "audit log" in h.unavailable
    assert not [p for _, _, p in k.emulator.calls if "replicasets" in p or "revisions" in p]
