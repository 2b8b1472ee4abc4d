"""`relscan scan`, `check`, `permissions` and `rules` for kubernetes as a user
runs them: the installed command in a subprocess, against the emulator serving
the demo's clusters through a kubeconfig."""

from __future__ import annotations

import json
from collections import Counter
from contextlib import ExitStack
from typing import Any

import pytest
import yaml

from providers.kubernetes.emulator.app import start
from scanner.demo.serve import load_estate
from tests.cli import clean_env, relscan

DEMO = load_estate()["kubernetes"]
EKS = "arn:aws:eks:eu-west-2:111122223333:cluster/citizen-services"
EKS_UID = "3c1f0a52-6a4e-4b8e-9d61-0e2f7b5d9a11"


@pytest.fixture
def env() -> Any:
    with ExitStack() as stack:
        out = clean_env("KUBECONFIG", "RELSCAN_")
        for key, value in start(json.loads(json.dumps(DEMO)), stack).items():
            if value is not None and key != "RELSCAN_K8S_ALL_CONTEXTS":
                out[key] = value
        yield out


def test_scan_every_context(env: dict[str, str]) -> None:
    r = relscan(
        "scan",
        "--provider",
        "kubernetes",
        "--k8s-all-contexts",
        "--format",
        "json",
        "--quiet",
        env=env,
    )
    assert r.returncode == 3, r.stderr  # the scaled-to-zero Deployment is not assessed
    units = json.loads(r.stdout)["resources"]
    # coredns in kube-system, the node agent hr-log-shipper, Knative's revision
    # Deployment and the VirtualService Knative made are left out; so are the
    # Deployments that the Rollouts (EKS) and Canaries (AKS) release
    assert len(units) == 35
    assert Counter(u["level"] for u in units) == {1: 5, 2: 7, 3: 5, 4: 9, 5: 5, None: 4}
    assert Counter(u["kind"] for u in units) == {
        "kubernetes.apps.deployment": 7,
        "kubernetes.apps.statefulset": 5,
        "kubernetes.apps.daemonset": 2,
        "kubernetes.gateway.httproute": 3,
        "kubernetes.istio.virtualservice": 2,
        "kubernetes.knative.service": 2,
        "kubernetes.argo.rollout": 8,
        "kubernetes.flagger.canary": 6,
    }
    names = {u["id"].rsplit("/", 1)[1] for u in units}
    assert {"notebook-renderer", "ingest-pools"} <= names
    assert not names & {
        "hr-log-shipper",
        "notebook-renderer-00003-deployment",
        "notebook-renderer-ingress",
    }
    assert {u["service"] for u in units} >= {"citizen-portal", "case-management", "hr-tool"}


def test_scan_defaults_to_the_current_context(env: dict[str, str]) -> None:
    r = relscan("scan", "--provider", "kubernetes", "--format", "json", "--quiet", env=env)
    units = json.loads(r.stdout)["resources"]
    assert r.returncode == 0, r.stderr
    deployments = [u for u in units if u["kind"] == "kubernetes.apps.deployment"]
    assert sorted(u["id"].rsplit("/", 1)[1] for u in deployments) == [
        "legacy-admin",
        "portal-frontend",
    ]
    assert {u["kind"] for u in units} == {"kubernetes.apps.deployment", "kubernetes.argo.rollout"}


def test_check_by_stable_id(env: dict[str, str]) -> None:
    uid = f"k8s:{EKS_UID}/citizen-portal/deployments.apps/legacy-admin"
    r = relscan("check", uid, "--format", "json", env=env)
    assert r.returncode == 0, r.stderr
    unit = json.loads(r.stdout)
    assert (unit["level"], unit["rule"]) == (1, "K8S-DEPLOY-1-RECREATE")


GKE_UID = "b7d3e1c4-2a5f-4e8b-9c0d-6f1a3b5c7e93"


@pytest.mark.parametrize(
    ("rid", "level", "rule"),
    [
        (
            f"k8s:{GKE_UID}/data-platform/services.serving.knative.dev/notebook-renderer",
            4,
            "K8S-KNATIVE-4-LATEST-AUTO",
        ),
        (
            f"k8s:{GKE_UID}/data-platform/httproutes.gateway.networking.k8s.io/catalog",
            3,
            "K8S-HTTPROUTE-3-WEIGHTED-STANDBY",
        ),
        (
            f"k8s:{GKE_UID}/data-platform/virtualservices.networking.istio.io/"
            "notebook-renderer-ingress",
            None,
            "K8S-ISTIO-VS-NA-KNATIVE",
        ),
    ],
)
def test_check_route_and_knative_ids(
    env: dict[str, str], rid: str, level: int | None, rule: str
) -> None:
    # the GKE cluster is not the current context: every context is tried
    r = relscan("check", rid, "--format", "json", env={**env, "RELSCAN_K8S_ALL_CONTEXTS": "1"})
    assert r.returncode == (3 if level is None else 0), r.stderr  # 3: not assessed
    unit = json.loads(r.stdout)
    assert (unit["id"], unit["level"], unit["rule"]) == (rid, level, rule)


def test_unknown_context_is_one_line(env: dict[str, str]) -> None:
    r = relscan("scan", "--provider", "kubernetes", "--k8s-context", "nope", env=env)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("relscan: error: --k8s-context 'nope': no such context")
    assert "Traceback" not in r.stderr


def test_permissions_prints_the_cluster_role(env: dict[str, str]) -> None:
    r = relscan("permissions", "kubernetes", env=env)
    assert r.returncode == 0, r.stderr
    role = yaml.safe_load(r.stdout)
    assert role["kind"] == "ClusterRole"
    assert {
        "apiGroups": ["apps"],
        "resources": ["daemonsets", "deployments", "statefulsets"],
        "verbs": ["get", "list"],
    } in role["rules"]
    assert {"apiGroups": [""], "resources": ["services"], "verbs": ["list"]} in role["rules"]


def test_config_file_section(env: dict[str, str], tmp_path: Any) -> None:
    config = tmp_path / "relscan.toml"
    config.write_text(
        '[scan]\nproviders = ["kubernetes"]\n\n'
        '[kubernetes]\ncontexts = ["aks-dds-uksouth"]\ninclude_system = true\n'
    )
    r = relscan("scan", "--config", str(config), "--format", "json", "--quiet", env=env)
    assert r.returncode == 0, r.stderr
    units = json.loads(r.stdout)["resources"]
    deployments = [u for u in units if u["kind"] == "kubernetes.apps.deployment"]
    assert sorted(u["id"].rsplit("/", 1)[1] for u in deployments) == ["case-api", "case-worker"]
    assert sum(u["kind"] == "kubernetes.flagger.canary" for u in units) == 6
    config.write_text('[kubernetes]\ncontext = ["x"]\nwatch = true\n')
    r = relscan("scan", "--config", str(config), env=env)
    assert r.returncode == 2 and "kubernetes.watch" in r.stderr, r.stderr


def test_no_kubeconfig_is_one_line_and_exit_2(tmp_path) -> None:
    env = clean_env("KUBECONFIG", "RELSCAN_", "KUBERNETES_SERVICE_HOST")
    env["HOME"] = str(tmp_path)  # no ~/.kube/config
    r = relscan("scan", "--provider", "kubernetes", "--quiet", env=env)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        f"relscan: error: no kubeconfig at {tmp_path}/.kube/config: give --k8s-kubeconfig, "
        "set KUBECONFIG, or run relscan in a pod with a service account"
    )


AKS_UID = "8e4b2d90-1f3c-4c6a-a2b7-5d9e0c1f3a42"


@pytest.mark.parametrize(
    ("rid", "level", "rule"),
    [
        (
            f"k8s:{EKS_UID}/benefits/rollouts.argoproj.io/payments-gateway",
            5,
            "K8S-ARGO-5-BLUEGREEN-POST-ANALYSIS",
        ),
        (
            f"k8s:{EKS_UID}/citizen-portal/rollouts.argoproj.io/appointments",
            4,
            "K8S-ARGO-4-CANARY-MANUAL-PAUSE",
        ),
        (
            f"k8s:{AKS_UID}/appeals/canaries.flagger.app/tribunal-bundles",
            3,
            "K8S-FLAGGER-3-BLUEGREEN-GATED",
        ),
        (
            f"k8s:{AKS_UID}/case-management/canaries.flagger.app/correspondence",
            2,
            "K8S-FLAGGER-2-SKIP-ROLLING",
        ),
    ],
)
def test_check_rollout_and_canary_ids(env: dict[str, str], rid: str, level: int, rule: str) -> None:
    # check reads the one object, and what decides it: the templates of its
    # namespace and the cluster's, or the -primary Deployment of a skipAnalysis Canary
    r = relscan("check", rid, "--format", "json", env={**env, "RELSCAN_K8S_ALL_CONTEXTS": "1"})
    assert r.returncode == 0, r.stderr
    unit = json.loads(r.stdout)
    assert (unit["id"], unit["level"], unit["rule"]) == (rid, level, rule)
