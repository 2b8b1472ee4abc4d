"""Deployments (apps/v1): how the controller replaces pods on a release.

The facts resolve maxSurge and maxUnavailable against replicas the way the
controller does (providers/kubernetes/fenceposts.py), so a rule can say when
a rolling update lets every pod go at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.kubernetes.kind import k8s_kind, read_name
from providers.kubernetes.objects import add_facts, base_observation, collect_kind, get_object
from providers.kubernetes.values import readiness
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext
    from scanner.practice.records import History
    from scanner.practice.settings import Period

SPEC = "spec"
RU = "spec.strategy.rollingUpdate"
FACTS = (
    ("strategy_type", "spec.strategy.type"),
    ("replicas", "spec.replicas"),
    ("max_surge", f"{RU}.maxSurge"),
    ("max_unavailable", f"{RU}.maxUnavailable"),
    ("resolved_max_surge", f"{RU}.maxSurge (resolved against spec.replicas, rounded up)"),
    (
        "resolved_max_unavailable",
        f"{RU}.maxUnavailable (resolved against spec.replicas, rounded down)",
    ),
    ("all_pods_at_once", f"{RU} (resolved maxUnavailable >= spec.replicas)"),
    (
        "readiness_probes",
        "spec.template.spec.containers[].readinessProbe (present in every container)",
    ),
    ("containers_without_readiness_probe", "spec.template.spec.containers[].readinessProbe"),
    ("min_ready_seconds", "spec.minReadySeconds"),
    ("progress_deadline_seconds", "spec.progressDeadlineSeconds"),
    ("paused", "spec.paused"),
)
KIND = k8s_kind(
    name="kubernetes.apps.deployment",
    title="Kubernetes Deployment",
    group="apps",
    version="v1",
    resource="deployments",
    facts=facts(*FACTS),
    extra_reads=(read_name("apps", "replicasets", "list"),),  # --history
)


def collect(ctx: KubeContext) -> Iterator[Observation | ScopeError]:
    return collect_kind(ctx, KIND, observe)


def get(ctx: KubeContext, resource_id: str) -> Observation:
    return observe(get_object(ctx, KIND, resource_id), ctx)


def observe(item: dict[str, Any], ctx: KubeContext) -> Observation:
    return add_facts(
        base_observation(item, ctx, KIND),
        KIND,
        item,
        lambda i: strategy_values(i.get("spec") or {}),
    )


def strategy_values(spec: dict[str, Any]) -> dict[str, Any]:
    """The facts of a Deployment spec (also read for a Flagger Canary that skips
    analysis, whose -primary Deployment rolls the promotion out)."""
    from providers.kubernetes import fenceposts

    strategy = spec.get("strategy") or {}
    kind = strategy.get("type") or "RollingUpdate"  # the API server's default
    replicas = spec.get("replicas")
    replicas = 1 if replicas is None else int(replicas)
    rolling = strategy.get("rollingUpdate") or {}
    surge_raw, unavailable_raw = rolling.get("maxSurge"), rolling.get("maxUnavailable")
    surge = unavailable = None
    at_once = kind == "Recreate" and replicas > 0
    if kind == "RollingUpdate" and replicas > 0:
        posts = fenceposts.deployment(surge_raw, unavailable_raw, replicas)
        surge, unavailable = posts.surge, posts.unavailable
        at_once = unavailable >= replicas
    return {
        "strategy_type": kind,
        "replicas": replicas,
        "max_surge": surge_raw,
        "max_unavailable": unavailable_raw,
        "resolved_max_surge": surge,
        "resolved_max_unavailable": unavailable,
        "all_pods_at_once": at_once,
        **readiness(spec),
        "progress_deadline_seconds": int(spec.get("progressDeadlineSeconds") or 600),
        "paused": bool(spec.get("paused")),
    }


def history(ctx: KubeContext, unit: Observation, period: Period) -> History:
    """The Deployment's ReplicaSets (providers/kubernetes/history.py), the
    newest one's outcome from the Progressing condition."""
    from providers.kubernetes import current
    from providers.kubernetes import history as records

    status = records.said(ctx, unit).get("status") or {}
    hook = current.deployment_status(status)
    return records.of_owner(ctx, unit, period, records.DEPLOYMENT, "Deployment", hook)
