"""Reaching clusters: contexts, the stable cluster id, paging, partial access,
system namespaces, `check`, and the read-only guard, all through the official
client against the emulator."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from providers.kubernetes.plugin import plugin
from scanner.errors import CredentialsError, NotFoundError, UsageError
from scanner.readonly import ReadOnlyViolation
from tests.kubernetes.conftest import EKS, GKE, OTHER_UID, UID, cluster, deployment

SHOP = [deployment("web"), deployment("api"), deployment("worker")]


def test_scope_is_the_cluster_named_by_kube_system_uid(kube: Any) -> None:
    k = kube({"clusters": [cluster(deployments=SHOP)]})
    run = k.run()
    assert [s.label for s in run.scopes()] == [f"kubernetes:{UID}"]


def test_current_context_unless_told(kube: Any) -> None:
    part = {
        "clusters": [
            cluster(EKS, UID, deployments=[deployment("web")]),
            cluster(GKE, OTHER_UID, deployments=[deployment("pay", "payments")]),
        ]
    }
    k = kube(part, current=GKE)
    assert [o.name for o in k.scan()[0]] == ["payments/pay"]
    assert sorted(o.name for o in k.scan(kubernetes_all_contexts=True)[0]) == [
        "payments/pay",
        "shop/web",
    ]
    assert [o.name for o in k.scan(kubernetes_context=(EKS,))[0]] == ["shop/web"]


def test_two_contexts_reaching_one_cluster_scan_it_once(kube: Any) -> None:
    part = {"clusters": [cluster(EKS, UID, deployments=SHOP), cluster(GKE, UID, deployments=SHOP)]}
    k = kube(part)
    run = k.run(kubernetes_all_contexts=True)
    assert len(run.scopes()) == 1
    assert len(k.scan(kubernetes_all_contexts=True)[0]) == 3


def test_unknown_context_is_a_usage_error(kube: Any) -> None:
    k = kube({"clusters": [cluster()]})
    with pytest.raises(UsageError, match=r"--k8s-context 'nope': no such context .*known: arn:aws"):
        k.run(kubernetes_context=("nope",))
    with pytest.raises(UsageError, match="exclude each other"):
        k.run(kubernetes_context=(EKS,), kubernetes_all_contexts=True)


def test_missing_exec_plugin_is_named(kube: Any) -> None:
    k = kube({"clusters": [cluster()]})
    doc = yaml.safe_load(k.config.read_text())
    doc["users"][0]["user"] = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": "relscan-no-such-aws",
            "args": ["eks", "get-token", "--cluster-name", "demo"],
        }
    }
    k.config.write_text(yaml.safe_dump(doc))
    with pytest.raises(
        CredentialsError, match="credential plugin 'relscan-no-such-aws' is not on PATH"
    ):
        k.run().scopes()


def test_lists_page_with_limit_and_continue(kube: Any) -> None:
    k = kube({"clusters": [cluster(deployments=SHOP)]})
    run = k.run()
    ctx = next(iter(run.clusters.values()))
    object.__setattr__(ctx, "page_size", 2)
    found = [o.name for s in run.scopes() for o in run.collect(s)]
    assert found == ["shop/web", "shop/api", "shop/worker"]
    lists = [p for _, _, p in k.emulator.calls if p.startswith("/apis/apps/v1/deployments")]
    assert lists[0] == "/apis/apps/v1/deployments?limit=2"
    assert lists[1].startswith("/apis/apps/v1/deployments?continue=") and len(lists) == 2


def test_expired_continue_restarts_the_list_once(kube: Any) -> None:
    k = kube({"clusters": [cluster(deployments=SHOP)]})
    run = k.run()
    ctx = next(iter(run.clusters.values()))
    object.__setattr__(ctx, "page_size", 2)
    first = k.emulator.clusters[EKS]
    # the estate moves on after the first page: its continue token expires (410)
    original = k.emulator._list

    def list_then_change(c: Any, req: Any, *args: Any) -> Any:
        resp = original(c, req, *args)
        if not req.arg("continue") and first.generation == 0:
            k.emulator.changed(EKS)
        return resp

    k.emulator._list = list_then_change  # type: ignore[method-assign]
    found = [o.name for s in run.scopes() for o in run.collect(s)]
    assert found == ["shop/web", "shop/api", "shop/worker"]  # no page counted twice
    lists = [p for _, _, p in k.emulator.calls if "deployments" in p]
    assert [("continue=" in p) for p in lists] == [False, True, False, True]


def test_forbidden_list_is_a_scope_error_naming_verb_and_resource(kube: Any) -> None:
    faults = [{"resource": "deployments", "verb": "list", "status": 403}]
    k = kube({"clusters": [cluster(deployments=SHOP, faults=faults)]})
    found, errors = k.scan()
    assert found == []
    assert len(errors) == 1
    e = errors[0]
    assert (e.provider, e.scope, e.service) == (
        "kubernetes",
        f"kubernetes:{UID}",
        "deployments.apps",
    )
    assert e.message == (
        'HTTP 403 Forbidden: deployments.apps is forbidden: User "system:serviceaccount:relscan:'
        'relscan" cannot list resource "deployments" in API group "apps" at the cluster scope'
    )


def test_unreadable_kube_system_stops_with_a_clear_error(kube: Any) -> None:
    faults = [{"resource": "namespaces", "verb": "get", "status": 403}]
    k = kube({"clusters": [cluster(faults=faults)]})
    with pytest.raises(
        Exception,
        match=r"cannot read the kube-system namespace, whose UID is the cluster's id: HTTP 403",
    ):
        k.run().scopes()


def test_with_several_contexts_an_unreachable_cluster_is_its_own_scope_error(kube: Any) -> None:
    faults = [{"resource": "namespaces", "verb": "get", "status": 403}]
    part = {
        "clusters": [
            cluster(EKS, UID, deployments=[deployment("web")]),
            cluster(GKE, OTHER_UID, deployments=[deployment("pay", "payments")], faults=faults),
        ]
    }
    run = kube(part).run(kubernetes_all_contexts=True)
    assert [s.label for s in run.scopes()] == [f"kubernetes:{UID}", f"kubernetes:context:{GKE}"]
    found, errors = kube(part).scan(kubernetes_all_contexts=True)
    assert [o.name for o in found] == ["shop/web"]
    assert [(e.scope, e.service) for e in errors] == [(f"kubernetes:context:{GKE}", "cluster")]
    assert errors[0].message.startswith(
        f"context {GKE}: cannot read the kube-system namespace, whose UID is the cluster's id: "
        "HTTP 403"
    )


def test_system_namespaces_are_left_out_unless_asked(kube: Any) -> None:
    deps = [
        deployment("web"),
        deployment("coredns", "kube-system"),
        deployment("istiod", "istio-system"),
    ]
    k = kube({"clusters": [cluster(deployments=deps)]})
    assert [o.name for o in k.scan()[0]] == ["shop/web"]
    everything = sorted(o.name for o in k.scan(kubernetes_include_system=True)[0])
    assert everything == ["istio-system/istiod", "kube-system/coredns", "shop/web"]


def test_namespace_option_lists_only_that_namespace(kube: Any) -> None:
    deps = [deployment("web"), deployment("pay", "payments")]
    k = kube({"clusters": [cluster(deployments=deps)]})
    assert [o.name for o in k.scan(kubernetes_namespace=("payments",))[0]] == ["payments/pay"]
    lists = [p for _, _, p in k.emulator.calls if "deployments" in p]
    assert lists == ["/apis/apps/v1/namespaces/payments/deployments?limit=500"]


def test_check_reads_one_deployment_by_its_stable_id(kube: Any) -> None:
    k = kube({"clusters": [cluster(deployments=SHOP)]})
    uid = f"k8s:{UID}/shop/deployments.apps/api"
    plugin.check_id(uid)
    obs = k.run().check(uid)
    assert (obs.id, obs.facts["replicas"].value) == (uid, 3)
    assert ("GET", "/apis/apps/v1/namespaces/shop/deployments/api") in [
        (m, p) for _, m, p in k.emulator.calls
    ]
    with pytest.raises(NotFoundError, match=r'deployments.apps "gone" not found'):
        k.run().check(f"k8s:{UID}/shop/deployments.apps/gone")
    with pytest.raises(NotFoundError, match=f"no context reaches cluster {OTHER_UID}"):
        k.run().check(f"k8s:{OTHER_UID}/shop/deployments.apps/api")


@pytest.mark.parametrize(
    "bad",
    [
        "k8s:abc/shop/deployments.apps",
        "k8s:abc/shop/applications.argoproj.io/x",
        "k8s:abc/Shop!/deployments.apps/x",
    ],
)
def test_check_refuses_malformed_or_unsupported_ids(bad: str) -> None:
    with pytest.raises(UsageError):
        plugin.check_id(bad)


def test_client_refuses_anything_but_declared_reads(kube: Any) -> None:
    from kubernetes.client import AppsV1Api, CoreV1Api

    k = kube({"clusters": [cluster(deployments=SHOP)]})
    ctx = next(iter(k.run().clusters.values()))
    with pytest.raises(ReadOnlyViolation, match="refused DELETE"):
        AppsV1Api(ctx.api).delete_namespaced_deployment("web", "shop")
    with pytest.raises(ReadOnlyViolation, match="refused GET /api/v1/secrets"):
        CoreV1Api(ctx.api).list_secret_for_all_namespaces()
    sent = [(m, p) for _, m, p in k.emulator.calls]
    assert not any(m != "GET" for m, _ in sent)
    assert not any("secrets" in p for _, p in sent)


def test_discovery_lists_only_installed_groups(kube: Any) -> None:
    from kubernetes.client import ApisApi, CustomObjectsApi
    from kubernetes.client.exceptions import ApiException

    k = kube({"clusters": [cluster(crds=["argoproj.io/v1alpha1"])]})
    ctx = next(iter(k.run().clusters.values()))
    groups = {g.name for g in ApisApi(ctx.api).get_api_versions().groups}
    assert groups == {"apps", "argoproj.io"}
    served = CustomObjectsApi(ctx.api).get_api_resources("argoproj.io", "v1alpha1")
    assert "rollouts" in [r.name for r in served.resources]
    with pytest.raises(ApiException) as info:
        CustomObjectsApi(ctx.api).get_api_resources("flagger.app", "v1beta1")
    assert info.value.status == 404


def test_cluster_role_holds_exactly_the_declared_reads() -> None:
    role = yaml.safe_load(plugin.permissions().document)
    assert role["kind"] == "ClusterRole"
    assert role["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["namespaces"],
            "resourceNames": ["kube-system"],
            "verbs": ["get"],
        },
        {
            "apiGroups": ["apps"],
            "resources": ["daemonsets", "deployments", "statefulsets"],
            "verbs": ["get", "list"],
        },
        # --history: the versions Deployments, Rollouts, StatefulSets and DaemonSets keep
        {
            "apiGroups": ["apps"],
            "resources": ["controllerrevisions", "replicasets"],
            "verbs": ["list"],
        },
        # the Services that tell a DaemonSet serving users from a node agent
        {"apiGroups": [""], "resources": ["services"], "verbs": ["list"]},
        {
            "apiGroups": ["gateway.networking.k8s.io"],
            "resources": ["httproutes"],
            "verbs": ["get", "list"],
        },
        {
            "apiGroups": ["networking.istio.io"],
            "resources": ["virtualservices"],
            "verbs": ["get", "list"],
        },
        {"apiGroups": ["serving.knative.dev"], "resources": ["services"], "verbs": ["get", "list"]},
        # --history: a Knative Service's Revisions
        {"apiGroups": ["serving.knative.dev"], "resources": ["revisions"], "verbs": ["list"]},
        {"apiGroups": ["argoproj.io"], "resources": ["rollouts"], "verbs": ["get", "list"]},
        {
            "apiGroups": ["argoproj.io"],
            "resources": ["analysistemplates", "clusteranalysistemplates"],
            "verbs": ["list"],
        },
        {"apiGroups": ["flagger.app"], "resources": ["canaries"], "verbs": ["get", "list"]},
    ]
    assert all(set(r["verbs"]) <= {"get", "list"} for r in role["rules"])


def test_a_forbidden_namespace_does_not_hide_the_others(kube: Any) -> None:
    deps = [deployment("web"), deployment("pay", "payments")]
    faults = [{"resource": "deployments", "verb": "list", "namespace": "shop", "status": 403}]
    k = kube({"clusters": [cluster(deployments=deps, faults=faults)]})
    found, errors = k.scan(kubernetes_namespace=("shop", "payments"))
    assert [o.name for o in found] == ["payments/pay"]
    assert [(e.scope, e.service) for e in errors] == [
        (f"kubernetes:{UID}/shop", "deployments.apps")
    ]
    assert 'cannot list resource "deployments" in API group "apps" in the namespace "shop"' in (
        errors[0].message
    )


def test_in_a_pod_without_kubeconfig_the_service_account_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The success path needs the pod's token files under /var/run/secrets;
    here the selection and the one-line error when they are missing."""
    from providers.kubernetes.auth import IN_CLUSTER, contexts

    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    assert [c.name for c in contexts({})] == [IN_CLUSTER]
    with pytest.raises(CredentialsError, match="in-cluster service account: .*token"):
        plugin.configure({}).scopes()
    # a kubeconfig named on the command line wins
    with pytest.raises(CredentialsError, match="kubeconfig"):
        contexts({"kubernetes_kubeconfig": str(tmp_path / "none")})


def test_discovery_finds_a_kinds_own_resource_not_just_its_group(kube: Any) -> None:
    argo_cd_only = {
        "groupVersion": "argoproj.io/v1alpha1",
        "resources": [["applications", "Application"], ["appprojects", "AppProject"]],
    }
    part = {
        "clusters": [
            cluster(EKS, UID, crds=["argoproj.io/v1alpha1", "gateway.networking.k8s.io/v1"]),
            cluster(GKE, OTHER_UID, crds=[argo_cd_only], version="v1.36.1"),
        ]
    }
    k = kube(part)
    clusters = k.run(kubernetes_all_contexts=True).clusters
    rollouts = clusters[UID].discovery
    assert rollouts is not None and rollouts.serves("argoproj.io", "v1alpha1", "rollouts")
    assert rollouts.serves("gateway.networking.k8s.io", "v1", "httproutes")
    assert not rollouts.serves("flagger.app", "v1beta1", "canaries")  # CRD not installed
    assert not rollouts.serves("argoproj.io", "v1alpha1", "rollouts/status")
    cd = clusters[OTHER_UID].discovery
    assert cd is not None and not cd.serves("argoproj.io", "v1alpha1", "rollouts")
    assert cd.serves("argoproj.io", "v1alpha1", "applications")
    assert cd.version() == "v1.36.1"
    # /apis once per cluster; a group that is not served is never asked for
    asked = [p for c, _, p in k.emulator.calls if c == EKS and p.startswith("/apis")]
    assert asked.count("/apis") == 1
    assert not any("flagger.app" in p for p in asked)
