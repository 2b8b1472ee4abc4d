"""DaemonSets (apps/v1) that serve users: how the controller replaces their
pods, one per node, on a release.

Most DaemonSets are node agents (log shippers, CNI, monitoring): they are not
release units. A DaemonSet is one only when a Service selects its pods, that
is when some Service in its namespace has a non-empty `spec.selector` whose
every label the pod template carries. The others are left out of a scan
without a word. Services are listed once per scan of a cluster (or once per
--k8s-namespace namespace); where they cannot be listed the DaemonSets cannot
be told apart, so none is reported and one scope error says why.

maxUnavailable (default 1) and maxSurge (default 0) both round UP against
status.desiredNumberScheduled, the controller's count of the nodes that should
run the pod (providers/kubernetes/fenceposts.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from providers.kubernetes.kind import k8s_kind, parse_id, read_name
from providers.kubernetes.objects import (
    add_facts,
    base_observation,
    collect_kind,
    get_object,
    list_objects,
)
from providers.kubernetes.values import Unknown, readiness
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext
    from scanner.practice.records import History
    from scanner.practice.settings import Period

US = "spec.updateStrategy"
RU = f"{US}.rollingUpdate"
BASE = "status.desiredNumberScheduled"
FACTS = (
    ("update_strategy", f"{US}.type"),
    ("selected_by_services", "Services whose spec.selector matches spec.template.metadata.labels"),
    ("desired_number_scheduled", BASE),
    ("max_surge", f"{RU}.maxSurge"),
    ("max_unavailable", f"{RU}.maxUnavailable"),
    ("resolved_max_surge", f"{RU}.maxSurge (resolved against {BASE}, rounded up)"),
    ("resolved_max_unavailable", f"{RU}.maxUnavailable (resolved against {BASE}, rounded up)"),
    ("all_pods_at_once", f"{RU} (maxSurge 0 and resolved maxUnavailable >= {BASE})"),
    (
        "readiness_probes",
        "spec.template.spec.containers[].readinessProbe (present in every container)",
    ),
    ("containers_without_readiness_probe", "spec.template.spec.containers[].readinessProbe"),
    ("min_ready_seconds", "spec.minReadySeconds"),
)
KIND = k8s_kind(
    name="kubernetes.apps.daemonset",
    title="Kubernetes DaemonSet",
    group="apps",
    version="v1",
    resource="daemonsets",
    facts=facts(*FACTS),
    extra_reads=(
        read_name("", "services", "list"),
        read_name("apps", "controllerrevisions", "list"),  # --history
    ),
)
Selectors = dict[str, list[tuple[str, dict[str, str]]]]  # namespace -> [(Service, selector)]


def _blind(why: str) -> str:
    return (
        "cannot tell the DaemonSets that serve users from node agents without "
        f"`list services`, so no DaemonSet is reported: {why}"
    )


def collect(ctx: KubeContext) -> Iterator[Observation | ScopeError]:
    from providers.kubernetes.faults import describe, errors

    selectors: Selectors = {}
    blind: set[str] = set()  # --k8s-namespace namespaces whose Services cannot be listed
    try:
        for item in list_objects(ctx, "", "services", ("v1",), "services"):
            if isinstance(item, ScopeError):
                blind.add(item.scope.rsplit("/", 1)[-1])
                yield ScopeError("kubernetes", item.scope, KIND.part, _blind(item.message))
                continue
            _add_selector(selectors, item)
    except errors() as exc:
        yield ScopeError("kubernetes", ctx.label, KIND.part, _blind(describe(exc)))
        return
    if blind:
        ctx = replace(ctx, namespaces=tuple(n for n in ctx.namespaces if n not in blind))
        if not ctx.namespaces:
            return
    served: set[str] = set()  # ids of the DaemonSets some Service selects

    def seen(item: dict[str, Any], c: KubeContext) -> Observation:
        obs = observe(item, c, selectors)
        if selecting(item, selectors):
            served.add(obs.id)
        return obs

    for found in collect_kind(ctx, KIND, seen):
        if isinstance(found, ScopeError) or found.id in served:
            yield found  # a DaemonSet no Service selects is a node agent: left out


def get(ctx: KubeContext, resource_id: str) -> Observation:
    """One DaemonSet (`check`), judged with the Services of its namespace; a
    node agent is reported with the rule that says it is not a release unit."""
    item = get_object(ctx, KIND, resource_id)
    namespace = parse_id(resource_id)[1]
    selectors: Selectors = {}
    why: str | None = None
    one = replace(ctx, namespaces=(namespace,))
    for svc in list_objects(one, "", "services", ("v1",), "services"):
        if isinstance(svc, ScopeError):
            why = f"the Services of namespace {namespace} could not be listed: {svc.message}"
        else:
            _add_selector(selectors, svc)
    return observe(item, ctx, selectors, why)


def _add_selector(selectors: Selectors, service: dict[str, Any]) -> None:
    meta = service.get("metadata") or {}
    selector = (service.get("spec") or {}).get("selector")
    if isinstance(selector, dict) and selector and isinstance(meta.get("name"), str):
        chosen = {str(k): str(v) for k, v in selector.items()}
        selectors.setdefault(str(meta.get("namespace")), []).append((meta["name"], chosen))


def selecting(item: dict[str, Any], selectors: Selectors) -> list[str]:
    """The Services of the DaemonSet's namespace that select its pods."""
    meta = item.get("metadata") or {}
    template = ((item.get("spec") or {}).get("template") or {}).get("metadata") or {}
    labels = template.get("labels") if isinstance(template, dict) else None
    if not isinstance(labels, dict):
        return []
    have = {str(k): str(v) for k, v in labels.items()}
    return sorted(
        name
        for name, selector in selectors.get(str(meta.get("namespace")), [])
        if all(have.get(k) == v for k, v in selector.items())
    )


def observe(
    item: dict[str, Any], ctx: KubeContext, selectors: Selectors, why: str | None = None
) -> Observation:
    chosen: list[str] | Unknown = Unknown(why) if why else selecting(item, selectors)
    return add_facts(base_observation(item, ctx, KIND), KIND, item, lambda i: _values(i, chosen))


def _values(item: dict[str, Any], chosen: list[str] | Unknown) -> dict[str, Any]:
    from providers.kubernetes import fenceposts

    spec = item.get("spec") or {}
    strategy = spec.get("updateStrategy") or {}
    kind = strategy.get("type") or "RollingUpdate"  # the API server's default
    rolling = strategy.get("rollingUpdate") or {}
    surge_raw, unavailable_raw = rolling.get("maxSurge"), rolling.get("maxUnavailable")
    status = item.get("status") or {}
    desired: int | Unknown
    surge: int | Unknown | None = None
    unavailable: int | Unknown | None = None
    at_once: bool | Unknown = False
    if status.get("desiredNumberScheduled") is None:
        desired = Unknown(f"{BASE} is not reported yet (the controller has not counted the nodes)")
        if kind == "RollingUpdate":
            surge = unavailable = at_once = desired
    else:
        desired = int(status["desiredNumberScheduled"])
        if kind == "RollingUpdate":
            posts = fenceposts.daemonset(surge_raw, unavailable_raw, desired)
            surge, unavailable = posts.surge, posts.unavailable
            at_once = desired > 0 and posts.surge == 0 and posts.unavailable >= desired
    return {
        "update_strategy": kind,
        "selected_by_services": chosen,
        "desired_number_scheduled": desired,
        "max_surge": surge_raw,
        "max_unavailable": unavailable_raw,
        "resolved_max_surge": surge,
        "resolved_max_unavailable": unavailable,
        "all_pods_at_once": at_once,
        **readiness(spec),
    }


def history(ctx: KubeContext, unit: Observation, period: Period) -> History:
    """The DaemonSet's ControllerRevisions (providers/kubernetes/history.py)."""
    from providers.kubernetes import history as records

    return records.of_owner(ctx, unit, period, records.CONTROLLER_REVISION, "DaemonSet")
