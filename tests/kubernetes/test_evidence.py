"""The evidence bundle: every answer a kubernetes scan read is recorded (no
credentials), and replaying the bundle gives the same units."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from providers.kubernetes.plugin import plugin
from scanner.demo.serve import patched_environ
from scanner.evidence.recorder import Recorder
from scanner.evidence.replay import load_exchanges, replaying
from scanner.model import Observation
from tests.kubernetes.conftest import cluster, deployment


def units(run: Any) -> list[Observation]:
    return [o for s in run.scopes() for o in run.collect(s) if isinstance(o, Observation)]


def test_scan_is_recorded_without_credentials_and_replays(kube: Any, tmp_path: Path) -> None:
    deps = [deployment("web"), deployment("api", strategy={"type": "Recreate"})]
    k = kube({"clusters": [cluster(deployments=deps)]})
    bundle = tmp_path / "bundle"
    found = units(plugin.configure(k.options(), Recorder(bundle)))
    exchanges = load_exchanges(bundle, "kubernetes")
    ops = [(ex["operation"], ex["key"]["path"], ex["status"]) for ex in exchanges]
    assert ops == [
        ("core/namespaces:get", "/api/v1/namespaces/kube-system", 200),
        ("apps/deployments:list", "/apis/apps/v1/deployments", 200),
        ("apps/statefulsets:list", "/apis/apps/v1/statefulsets", 200),
        ("core/services:list", "/api/v1/services", 200),  # before DaemonSets: who they serve
        ("apps/daemonsets:list", "/apis/apps/v1/daemonsets", 200),
        # the route, Knative, Argo Rollouts and Flagger kinds look for their groups
        # once; none is served
        ("discovery", "/apis/", 200),
    ]
    text = "".join(p.read_text() for p in (bundle / "responses").iterdir())
    assert "emulator-token" not in text and "Bearer" not in text
    with replaying(bundle, ["kubernetes"]) as env, patched_environ(env):
        again = units(plugin.configure({}))
    assert [(o.id, o.facts["strategy_type"].value) for o in again] == [
        (o.id, o.facts["strategy_type"].value) for o in found
    ]


def test_custom_kinds_are_recorded_and_replay(kube: Any, tmp_path: Path) -> None:
    from tests.kubernetes.test_knative import ksvc
    from tests.kubernetes.test_routes import backend, dest, httproute, virtualservice

    objects = {
        "gateway.networking.k8s.io/httproutes": [
            httproute("simple-split", [backend("foo-v1", 90), backend("foo-v2", 10)])
        ],
        "networking.istio.io/virtualservices": [
            virtualservice("reviews", http=[{"route": [dest("v1", 50), dest("v3", 50)]}])
        ],
        "serving.knative.dev/services": [ksvc(traffic=[{"latestRevision": True, "percent": 100}])],
    }
    crds = [
        "gateway.networking.k8s.io/v1beta1",
        "networking.istio.io/v1alpha3",
        "serving.knative.dev/v1",
    ]
    k = kube({"clusters": [cluster(crds=crds, objects=objects)]})
    bundle = tmp_path / "bundle"
    found = units(plugin.configure(k.options(), Recorder(bundle)))
    ops = [(ex["operation"], ex["key"]["path"]) for ex in load_exchanges(bundle, "kubernetes")]
    assert (
        "gateway.networking.k8s.io/httproutes:list",
        "/apis/gateway.networking.k8s.io/v1beta1/httproutes",
    ) in ops
    assert (
        "networking.istio.io/virtualservices:list",
        "/apis/networking.istio.io/v1alpha3/virtualservices",
    ) in ops
    assert len(found) == 3
    with replaying(bundle, ["kubernetes"]) as env, patched_environ(env):
        again = units(plugin.configure({}))

    def facts(obs: list[Observation]) -> list[tuple[str, Any]]:
        return [(o.id, {n: f.value for n, f in o.facts.items()}) for o in obs]

    assert facts(again) == facts(found)
