"""StatefulSets (apps/v1): how the controller replaces pods on a release.

A RollingUpdate replaces pods from the highest ordinal down to
`partition`. How many at once follows the controller, not the API reference
(providers/kubernetes/fenceposts.py): `maxUnavailable` rounds down with a
minimum of 1, and it is honoured only where the MaxUnavailableStatefulSet
feature gate is on; with the gate off the controller replaces one pod at a
time. The API shows no gates, so the facts carry the gate's default in the
server's version (`/version`, read once per scan of a cluster).

A `partition` below `replicas`, with pods already on a newer revision than
the rest, is a canary a person moves by lowering the partition (issue 18).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.kubernetes.kind import k8s_kind, read_name
from providers.kubernetes.objects import add_facts, base_observation, collect_kind, get_object
from providers.kubernetes.values import Unknown, readiness
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext
    from scanner.practice.records import History
    from scanner.practice.settings import Period

US = "spec.updateStrategy"
RU = f"{US}.rollingUpdate"
GATE = "MaxUnavailableStatefulSet feature gate (its default in the /version gitVersion)"
FACTS = (
    ("update_strategy", f"{US}.type"),
    ("replicas", "spec.replicas"),
    ("partition", f"{RU}.partition"),
    ("max_unavailable", f"{RU}.maxUnavailable"),
    (
        "resolved_max_unavailable",
        f"{RU}.maxUnavailable (resolved against spec.replicas, rounded down, at least 1)",
    ),
    ("max_unavailable_resolution", f"{RU}.maxUnavailable (how it was resolved)"),
    ("server_version", "/version gitVersion"),
    ("max_unavailable_gate_on", GATE),
    ("max_unavailable_covers_replicas", f"{RU}.maxUnavailable (resolved >= spec.replicas)"),
    ("partition_below_replicas", f"{RU}.partition (< spec.replicas)"),
    ("updated_replicas", "status.updatedReplicas"),
    ("current_revision", "status.currentRevision"),
    ("update_revision", "status.updateRevision"),
    ("revisions_differ", "status.updateRevision (differs from status.currentRevision)"),
    ("pod_management_policy", "spec.podManagementPolicy"),
    (
        "readiness_probes",
        "spec.template.spec.containers[].readinessProbe (present in every container)",
    ),
    ("containers_without_readiness_probe", "spec.template.spec.containers[].readinessProbe"),
    ("min_ready_seconds", "spec.minReadySeconds"),
)
KIND = k8s_kind(
    name="kubernetes.apps.statefulset",
    title="Kubernetes StatefulSet",
    group="apps",
    version="v1",
    resource="statefulsets",
    facts=facts(*FACTS),
    extra_reads=(read_name("apps", "controllerrevisions", "list"),),  # --history
)


def server_version(ctx: KubeContext) -> str | Unknown:
    """The server's gitVersion, or why it could not be read."""
    from providers.kubernetes.faults import describe, errors

    if ctx.discovery is None:
        return Unknown("no discovery client for this cluster")
    try:
        version = ctx.discovery.version()
    except errors() as exc:
        return Unknown(f"GET /version failed: {describe(exc)}")
    return version if version else Unknown("/version carries no gitVersion")


def collect(ctx: KubeContext) -> Iterator[Observation | ScopeError]:
    # /version is read once per cluster, and only if it has a StatefulSet.
    version: list[str | Unknown] = []

    def seen(item: dict[str, Any], c: KubeContext) -> Observation:
        if not version:
            version.append(server_version(c))
        return observe(item, c, version[0])

    return collect_kind(ctx, KIND, seen)


def get(ctx: KubeContext, resource_id: str) -> Observation:
    return observe(get_object(ctx, KIND, resource_id), ctx, server_version(ctx))


def observe(item: dict[str, Any], ctx: KubeContext, version: str | Unknown) -> Observation:
    return add_facts(base_observation(item, ctx, KIND), KIND, item, lambda i: _values(i, version))


def _gate(version: str | Unknown) -> bool | Unknown:
    from providers.kubernetes.fenceposts import statefulset_gate_default

    if isinstance(version, Unknown):
        return version
    on = statefulset_gate_default(version)
    if on is None:
        return Unknown(f"cannot tell the feature gate's default from the version {version!r}")
    return on


def _resolution(raw: Any, replicas: int, resolved: int, gate: bool | Unknown) -> str:
    from providers.kubernetes.fenceposts import scaled

    if raw is None:
        how = "unset: 1 (the default)"
    elif isinstance(raw, str):
        how = f"{raw} of {replicas} replicas, rounded down"
        floor = scaled(raw, replicas, False)
        how += ", raised to the minimum 1: 1" if floor < 1 else f": {resolved}"
    else:
        floor = scaled(raw, replicas, False)
        how = str(raw) if floor >= 1 else f"{raw}, raised to the minimum 1: 1"
    if isinstance(gate, Unknown):
        return f"{how}; honoured only with the MaxUnavailableStatefulSet gate ({gate.why})"
    if gate:
        return f"{how}; the MaxUnavailableStatefulSet gate is on by default in this version"
    return (
        f"{how}; ignored unless the MaxUnavailableStatefulSet gate is on, and it is off by "
        "default in this version: the controller replaces one pod at a time"
    )


def _values(item: dict[str, Any], version: str | Unknown) -> dict[str, Any]:
    from providers.kubernetes import fenceposts

    spec = item.get("spec") or {}
    status = item.get("status") or {}
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type") or "RollingUpdate"  # the API server's default
    replicas = spec.get("replicas")
    replicas = 1 if replicas is None else int(replicas)
    rolling = strategy.get("rollingUpdate") or {}
    partition = int(rolling.get("partition") or 0)
    raw = rolling.get("maxUnavailable")
    gate = _gate(version)
    resolved: int | None = None
    resolution: str | None = None
    covers: bool | None = None
    if kind == "RollingUpdate":
        resolved = fenceposts.statefulset(raw, replicas)
        resolution = _resolution(raw, replicas, resolved, gate)
        covers = replicas > 0 and resolved >= replicas
    current, update = status.get("currentRevision"), status.get("updateRevision")
    return {
        "update_strategy": kind,
        "replicas": replicas,
        "partition": partition,
        "max_unavailable": raw,
        "resolved_max_unavailable": resolved,
        "max_unavailable_resolution": resolution,
        "server_version": version,
        "max_unavailable_gate_on": gate,
        "max_unavailable_covers_replicas": covers,
        "partition_below_replicas": partition < replicas,
        "updated_replicas": int(status.get("updatedReplicas") or 0),
        "current_revision": current,
        "update_revision": update,
        "revisions_differ": bool(current and update and current != update),
        "pod_management_policy": spec.get("podManagementPolicy") or "OrderedReady",
        **readiness(spec),
    }


def history(ctx: KubeContext, unit: Observation, period: Period) -> History:
    """The StatefulSet's ControllerRevisions (providers/kubernetes/history.py)."""
    from providers.kubernetes import current
    from providers.kubernetes import history as records

    hook = current.statefulset_status(records.said(ctx, unit).get("status") or {})
    return records.of_owner(ctx, unit, period, records.CONTROLLER_REVISION, "StatefulSet", hook)
