"""Flagger (flagger.app/v1beta1 `Canary`): Flagger releases its target
Deployment through a `-primary` copy, shifting traffic step by step (or by
iterations for blue/green and A/B testing) while it counts failed metric
checks and webhooks against `analysis.threshold`.

With `skipAnalysis: true` (or no analysis at all) Flagger promotes without analysing: the target's
spec is copied onto the `-primary` Deployment, whose own strategy then rolls
it out. For such a Canary only, the reader reads that Deployment (`get`; the
target while Flagger has not made the primary yet) and copies its strategy
facts into the Canary's observation, so the rules decide from facts alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.kubernetes.kind import k8s_kind, parse_id, read_name
from providers.kubernetes.objects import add_facts, base_observation, collect_kind, get_object
from providers.kubernetes.values import Unknown
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext
    from scanner.practice.records import History
    from scanner.practice.settings import Period

AN = "spec.analysis"
HOOKS = f"{AN}.webhooks"
COUNTED_HOOKS = ("pre-rollout", "rollout")  # failures count toward the threshold
GATES = ("confirm-rollout", "confirm-traffic-increase", "confirm-promotion")
PRIMARY = "the -primary Deployment's spec.strategy"
FACTS = (
    ("target_kind", "spec.targetRef.kind"),
    ("target_name", "spec.targetRef.name"),
    ("target_deployments", "spec.targetRef (the target and its -primary Deployment)"),
    ("target_daemonsets", "spec.targetRef (the target and its -primary DaemonSet)"),
    ("mode", f"{AN} (stepWeight/stepWeights, iterations, match, mirror)"),
    ("step_weight", f"{AN}.stepWeight"),
    ("step_weights", f"{AN}.stepWeights"),
    ("max_weight", f"{AN}.maxWeight"),
    ("iterations", f"{AN}.iterations"),
    ("match", f"{AN}.match (A/B testing)"),
    ("mirror", f"{AN}.mirror"),
    ("threshold", f"{AN}.threshold (0 or unset: 1)"),
    ("metric_checks", f"{AN}.metrics[] with a thresholdRange"),
    ("counted_webhooks", f"{HOOKS}[] of type pre-rollout or rollout"),
    ("checks_counted", f"{AN} (metric checks or webhooks counted against threshold)"),
    ("webhook_types", f"{HOOKS}[].type"),
    ("manual_gates", f"{HOOKS}[].type (confirm-*)"),
    ("skip_analysis", "spec.skipAnalysis (or no spec.analysis)"),
    ("suspend", "spec.suspend"),
    ("primary_deployment", "the Deployment whose strategy promotes (skipAnalysis)"),
    ("primary_strategy_type", f"{PRIMARY}.type"),
    ("primary_replicas", "the -primary Deployment's spec.replicas"),
    ("primary_all_pods_at_once", f"{PRIMARY}.rollingUpdate (maxUnavailable >= replicas)"),
)
# the promoting Deployment's facts, read for a skipAnalysis Canary only
PROMOTING = (
    "primary_deployment",
    "primary_strategy_type",
    "primary_replicas",
    "primary_all_pods_at_once",
)
KIND = k8s_kind(
    name="kubernetes.flagger.canary",
    title="Flagger Canary",
    group="flagger.app",
    version="v1beta1",
    resource="canaries",
    facts=facts(*FACTS),
    extra_reads=(
        read_name("apps", "deployments", "get"),
        # --history: the target's versions (providers/kubernetes/history.py)
        read_name("apps", "replicasets", "list"),
        read_name("apps", "controllerrevisions", "list"),
    ),
)


def collect(ctx: KubeContext) -> Iterator[Observation | ScopeError]:
    return collect_kind(ctx, KIND, observe)


def get(ctx: KubeContext, resource_id: str) -> Observation:
    return observe(get_object(ctx, KIND, resource_id), ctx)


def observe(item: dict[str, Any], ctx: KubeContext) -> Observation:
    namespace = str((item.get("metadata") or {}).get("namespace"))

    def values_of(raw: dict[str, Any]) -> dict[str, Any]:
        values = _values(raw.get("spec") or {}, namespace)
        values.update(dict.fromkeys(PROMOTING))
        if values["skip_analysis"]:
            values.update(_promoting_deployment(ctx, values, namespace))
        return values

    return add_facts(base_observation(item, ctx, KIND), KIND, item, values_of)


def _values(spec: dict[str, Any], namespace: str) -> dict[str, Any]:
    target = spec.get("targetRef") or {}
    kind, name = target.get("kind"), target.get("name")
    an = spec.get("analysis") or spec.get("canaryAnalysis") or {}  # canaryAnalysis: v1alpha3
    step_weights = [int(w) for w in an.get("stepWeights") or []]
    step_weight = None if an.get("stepWeight") is None else int(an["stepWeight"])
    iterations = None if an.get("iterations") is None else int(an["iterations"])
    match, mirror = bool(an.get("match")), bool(an.get("mirror"))
    if match and iterations:
        mode = "ab"  # "Flagger ... will ignore the maxWeight and stepWeight settings"
    elif step_weight or step_weights:
        mode = "canary"  # mirroring is then a pre-stage of the progressive shift
    elif iterations:
        mode = "bluegreen-mirror" if mirror else "bluegreen"
    else:
        mode = None
    # GetAnalysisThreshold: "returns the canary threshold (default 1)", for 0 too
    threshold = int(an.get("threshold") or 0) or 1
    checks = [
        str(m.get("name"))
        for m in an.get("metrics") or []
        if _bounded(m.get("thresholdRange")) or m.get("threshold") is not None
    ]
    hooks = [h for h in an.get("webhooks") or [] if isinstance(h, dict)]
    types = [str(h.get("type") or "rollout") for h in hooks]  # untyped: a rollout hook
    counted = [str(h.get("name")) for h, t in zip(hooks, types, strict=True) if t in COUNTED_HOOKS]

    def keys(plural: str, wanted: str) -> list[str]:
        if kind != wanted or not name:
            return []
        return [f"{plural}.apps/{namespace}/{name}", f"{plural}.apps/{namespace}/{name}-primary"]

    return {
        "target_kind": kind,
        "target_name": name,
        "target_deployments": keys("deployments", "Deployment"),
        "target_daemonsets": keys("daemonsets", "DaemonSet"),
        "mode": mode,
        "step_weight": step_weight,
        "step_weights": [f"{w}%" for w in step_weights],  # evidence: a list of strings
        "max_weight": an.get("maxWeight"),
        "iterations": iterations,
        "match": match,
        "mirror": mirror,
        "threshold": threshold,
        "metric_checks": checks,
        "counted_webhooks": counted,
        "checks_counted": bool(checks or counted),
        "webhook_types": list(dict.fromkeys(types)),
        "manual_gates": [g for g in GATES if g in types],
        # Canary.SkipAnalysis(): true with skipAnalysis, or with no analysis at all
        "skip_analysis": bool(spec.get("skipAnalysis")) or not an,
        "suspend": bool(spec.get("suspend")),
    }


def _bounded(limits: Any) -> bool:
    return isinstance(limits, dict) and any(limits.get(k) is not None for k in ("min", "max"))


def _promoting_deployment(
    ctx: KubeContext, values: dict[str, Any], namespace: str
) -> dict[str, Any]:
    """The strategy facts of the Deployment that rolls a skipAnalysis promotion
    out: the `-primary` one, or the target if Flagger has not made it yet."""
    from providers.kubernetes.deployments import strategy_values
    from providers.kubernetes.faults import describe, errors

    names = PROMOTING
    if values["target_kind"] != "Deployment" or not values["target_name"]:
        why = Unknown(
            f"skipAnalysis on a {values['target_kind']} target: only a Deployment "
            "target's strategy is read"
        )
        return dict.fromkeys(names, why)
    import kubernetes.client as k8s

    apps = k8s.AppsV1Api(ctx.api)
    target = str(values["target_name"])
    missing: list[str] = []
    for name in (f"{target}-primary", target):
        try:
            resp = apps.read_namespaced_deployment(
                name, namespace, _preload_content=False, _request_timeout=ctx.timeout
            )
        except errors() as exc:
            if getattr(exc, "status", None) == 404:
                missing.append(name)
                continue
            return dict.fromkeys(names, Unknown(f"Deployment {namespace}/{name}: {describe(exc)}"))
        spec = json.loads(resp.data).get("spec") or {}
        dep = strategy_values(spec)
        return {
            "primary_deployment": f"{namespace}/{name}",
            "primary_strategy_type": dep["strategy_type"],
            "primary_replicas": dep["replicas"],
            "primary_all_pods_at_once": dep["all_pods_at_once"],
        }
    gone = " and ".join(f"{namespace}/{n}" for n in missing)
    return dict.fromkeys(names, Unknown(f"neither Deployment {gone} exists"))


def history(ctx: KubeContext, unit: Observation, period: Period) -> History:
    """The releases Flagger analysed: the versions of its target (a new
    template of the target starts an analysis), the newest one's outcome from
    the Canary's phase (current only). The target is matched by kind and name:
    it is not a unit, so its uid was not read."""
    from providers.kubernetes import current
    from providers.kubernetes import history as records
    from scanner.practice.records import History

    own = records.said(ctx, unit)
    target = own.get("target") or {}
    kind = target.get("kind") if isinstance(target, dict) else None
    name = target.get("name") if isinstance(target, dict) else None
    src = {"Deployment": records.DEPLOYMENT, "DaemonSet": records.CONTROLLER_REVISION}.get(
        str(kind)
    )
    if src is None or not name:
        return History(
            source="Flagger Canary target",
            unavailable=f"the Canary's target ({kind}/{name}) keeps no versions relscan reads",
        )
    hook = current.canary_status(own.get("status") or {})
    _, namespace, _, _ = parse_id(unit.id)
    found = records.versions(ctx, src.which, namespace)
    if isinstance(found, records.Unread):
        return records.unreadable(src, namespace, found)
    mine = records.owned(found, str(kind), str(name), None)
    result = records.build(src, mine, None, period, hook)
    plural = src.title.split(" of ")[0].split(" (")[0]
    result.source = f"{plural} of the Canary's target {kind} {name}"
    result.kept = (
        f"the target's current {src.what} and its last old ones (the target's "
        "spec.revisionHistoryLimit is not read: 10, the default, is assumed)"
    )
    return result
