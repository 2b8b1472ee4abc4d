"""Kubernetes test fixtures: the official `kubernetes` client, built by the
provider from a kubeconfig, against the loopback API server emulator."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from providers.kubernetes.deployments import KIND
from providers.kubernetes.emulator.app import KubeEmulator, kubeconfig
from providers.kubernetes.plugin import plugin
from scanner.classify import classify
from scanner.emulators.server import LoopbackServer
from scanner.model import Assessment, Observation, ScopeError
from scanner.rules import KindRules, build_rulebook

ROOT = Path(__file__).resolve().parents[2]
UID = "0b0e1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
OTHER_UID = "9a8b7c6d-5e4f-4d3c-8b2a-1f0e9d8c7b6a"
EKS = "arn:aws:eks:eu-west-2:111122223333:cluster/demo"
GKE = "gke_demo-project_europe-west2_demo"


def deployment(name: str, namespace: str = "shop", **spec: Any) -> dict[str, Any]:
    """A Deployment as the API server returns it; `spec` keys override the
    nginx-deployment example of the Kubernetes documentation
    (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/)."""
    base: dict[str, Any] = {
        "replicas": 3,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2"}]},
        },
        "strategy": {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
        },
        "progressDeadlineSeconds": 600,
        "revisionHistoryLimit": 10,
    }
    base.update(spec)
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": f"uid-{namespace}-{name}",
            "labels": {"app.kubernetes.io/part-of": "shop", "app": name},
        },
        "spec": base,
        "status": {"replicas": base["replicas"]},
    }


def rolling(max_surge: Any, max_unavailable: Any) -> dict[str, Any]:
    ru = {
        k: v
        for k, v in (("maxSurge", max_surge), ("maxUnavailable", max_unavailable))
        if v is not None
    }
    return {"type": "RollingUpdate", "rollingUpdate": ru}


def cluster(context: str = EKS, uid: str = UID, **extra: Any) -> dict[str, Any]:
    return {"context": context, "uid": uid, **extra}


@dataclass
class Kube:
    emulator: KubeEmulator
    server: LoopbackServer
    config: Path

    def options(self, **extra: Any) -> dict[str, Any]:
        return {"kubernetes_kubeconfig": str(self.config), **extra}

    def run(self, **extra: Any) -> Any:
        return plugin.configure(self.options(**extra))

    def scan(self, **extra: Any) -> tuple[list[Observation], list[ScopeError]]:
        run = self.run(**extra)
        found: list[Observation] = []
        errors: list[ScopeError] = []
        for scope in run.scopes():
            for item in run.collect(scope):
                (found if isinstance(item, Observation) else errors).append(item)
        return found, errors


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[Any]:
    """kube(part) -> Kube: an emulator serving the part, and its kubeconfig."""
    with ExitStack() as stack:

        def make(part: dict[str, Any], current: str | None = None) -> Kube:
            emulator = KubeEmulator(part)
            server = stack.enter_context(LoopbackServer(emulator))
            path = kubeconfig(server.url, part, tmp_path / "kubeconfig", current)
            return Kube(emulator, server, path)

        yield make


def rulebook() -> dict[str, KindRules]:
    text = (ROOT / "mappings" / "kubernetes_deployment.yaml").read_text()
    return build_rulebook([("kubernetes_deployment.yaml", text)], {KIND.name: KIND})


def assess(obs: Observation) -> Assessment:
    return classify(obs, rulebook())
