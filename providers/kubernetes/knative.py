"""Knative Services (serving.knative.dev/v1): where `spec.traffic` sends
requests, judged as Cloud Run's traffic is (mappings/gcp_cloud_run.yaml).

A target without `revisionName` follows the latest ready revision
(`latestRevision` defaults to `revisionName == ""`), and an empty `traffic`
is 100 % to the latest revision: both are Knative's own defaults
(knative/serving pkg/apis/serving/v1/route_defaults.go), which the API
server's webhook normally writes in; the evidence says when relscan supplied
them. The `serving.knative.dev/rollout-duration` annotation is read into the
evidence; the cluster-wide `rollout-duration` in the knative-serving
`config-network` ConfigMap is not read (docs/kubernetes.md). The Deployments
Knative makes for revisions are linked to the Service and not counted
(providers/kubernetes/links.py): `revision_deployments` names them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.kubernetes.kind import k8s_kind, read_name
from providers.kubernetes.objects import add_facts, base_observation, collect_kind, get_object
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext
    from scanner.practice.records import History
    from scanner.practice.settings import Period

VERSIONS = ("v1",)
ROLLOUT_DURATION = "serving.knative.dev/rollout-duration"
SERVICE_LABEL = "serving.knative.dev/service"  # on the revisions' Deployments
LATEST = "LATEST"
KIND = k8s_kind(
    name="kubernetes.knative.service",
    title="Knative Service",
    group="serving.knative.dev",
    version=VERSIONS[0],
    resource="services",
    facts=facts(
        ("targets_with_traffic", "spec.traffic[].percent (targets above 0)"),
        ("latest_percent", "spec.traffic[latestRevision=true].percent"),
        ("pinned_percent", "spec.traffic[revisionName].percent"),
        ("traffic", "spec.traffic[] (revision=percent)"),
        ("latest_ready_revision", "status.latestReadyRevisionName"),
        ("rollout_duration", f"metadata.annotations[{ROLLOUT_DURATION}]"),
        ("revision_deployments", f"Deployments labelled {SERVICE_LABEL} (not counted)"),
    ),
    extra_reads=(read_name("serving.knative.dev", "revisions", "list"),),  # --history
)


def collect(ctx: KubeContext) -> Iterator[Observation | ScopeError]:
    return collect_kind(ctx, KIND, observe, VERSIONS)


def get(ctx: KubeContext, resource_id: str) -> Observation:
    return observe(get_object(ctx, KIND, resource_id, VERSIONS), ctx)


def observe(item: dict[str, Any], ctx: KubeContext) -> Observation:
    return add_facts(base_observation(item, ctx, KIND), KIND, item, _values)


def _follows_latest(target: dict[str, Any]) -> bool:
    given = target.get("latestRevision")
    return not target.get("revisionName") if given is None else bool(given)


def _values(item: dict[str, Any]) -> dict[str, Any]:
    meta = item.get("metadata") or {}
    given = (item.get("spec") or {}).get("traffic") or []
    traffic = given or [{"latestRevision": True, "percent": 100}]
    by_target: dict[str, int] = {}
    shown: list[str] = []
    for target in traffic:
        percent = int(target.get("percent") or 0)
        who = LATEST if _follows_latest(target) else str(target["revisionName"])
        by_target[who] = by_target.get(who, 0) + percent
        tag = f" (tag {target['tag']})" if target.get("tag") else ""
        shown.append(f"{who}={percent}{tag}")
    if not given:
        shown = ["LATEST=100 (default: spec.traffic is empty)"]
    annotations = meta.get("annotations") or {}
    return {
        "targets_with_traffic": sum(1 for p in by_target.values() if p > 0),
        "latest_percent": by_target.get(LATEST, 0),
        "pinned_percent": sum(p for who, p in by_target.items() if who != LATEST),
        "traffic": shown,
        "latest_ready_revision": (item.get("status") or {}).get("latestReadyRevisionName"),
        "rollout_duration": annotations.get(ROLLOUT_DURATION),
        "revision_deployments": [],
    }


def history(ctx: KubeContext, unit: Observation, period: Period) -> History:
    """The Service's Revisions (providers/kubernetes/history.py), in the
    version of serving.knative.dev the Services were read in."""
    from providers.kubernetes import history as records
    from providers.kubernetes.objects import served_version

    version = served_version(ctx, KIND.group, "revisions", VERSIONS) or VERSIONS[0]
    return records.knative(ctx, unit, period, version)
