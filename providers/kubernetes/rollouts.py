"""Argo Rollouts (argoproj.io/v1alpha1 `Rollout`): a blue/green or canary
release that the Argo Rollouts controller runs, promotes and may abort.

The facts say who promotes (autoPromotionEnabled, autoPromotionSeconds, the
steps' pauses), what the steps shift, and whether analysis can abort: the
AnalysisTemplates and ClusterAnalysisTemplates the Rollout names are read
(providers/kubernetes/analysis.py), once per cluster and only if a Rollout
names one. `argoproj.io` is also Argo CD's and Argo Workflows' group: only a
cluster whose discovery lists `rollouts` is read (providers/kubernetes/objects.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from providers.kubernetes import analysis
from providers.kubernetes.analysis import Templates
from providers.kubernetes.kind import k8s_kind, read_name
from providers.kubernetes.objects import add_facts, base_observation, collect_kind, get_object
from scanner.kind import facts
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext
    from scanner.practice.records import History
    from scanner.practice.settings import Period

BG = "spec.strategy.blueGreen"
CANARY = "spec.strategy.canary"
FACTS = (
    ("strategy", "spec.strategy (blueGreen or canary)"),
    ("auto_promotion_enabled", f"{BG}.autoPromotionEnabled"),
    ("auto_promotion_seconds", f"{BG}.autoPromotionSeconds"),
    ("pre_promotion_analysis", f"{BG}.prePromotionAnalysis.templates"),
    ("pre_promotion_can_abort", f"{BG}.prePromotionAnalysis (a metric that can fail)"),
    ("post_promotion_analysis", f"{BG}.postPromotionAnalysis.templates"),
    ("post_promotion_can_abort", f"{BG}.postPromotionAnalysis (a metric that can fail)"),
    ("scale_down_delay_seconds", f"{BG}.scaleDownDelaySeconds"),
    ("steps", f"{CANARY}.steps (count)"),
    ("step_weights", f"{CANARY}.steps[].setWeight"),
    ("pauses", f"{CANARY}.steps[].pause (count)"),
    ("indefinite_pauses", f"{CANARY}.steps[].pause without duration (count)"),
    ("step_analysis", f"{CANARY}.steps[].analysis.templates"),
    ("step_analysis_can_abort", f"{CANARY}.steps[].analysis (a metric that can fail)"),
    ("background_analysis", f"{CANARY}.analysis.templates"),
    ("background_analysis_can_abort", f"{CANARY}.analysis (a metric that can fail)"),
    ("progress_deadline_abort", "spec.progressDeadlineAbort"),
    ("workload_ref", "spec.workloadRef (the Deployment it takes its pod template from)"),
    ("workload_ref_scale_down", "spec.workloadRef.scaleDown"),
    ("traffic_routing", f"{CANARY}.trafficRouting"),
    ("traffic_routes", f"{CANARY}.trafficRouting (routes it sets weights on)"),
)
KIND = k8s_kind(
    name="kubernetes.argo.rollout",
    title="Argo Rollout",
    group="argoproj.io",
    version="v1alpha1",
    resource="rollouts",
    facts=facts(*FACTS),
    extra_reads=(
        read_name(analysis.GROUP, analysis.NAMESPACED, "list"),
        read_name(analysis.GROUP, analysis.CLUSTER, "list"),
        read_name("apps", "replicasets", "list"),  # --history
    ),
)
ISTIO_VS = "virtualservices.networking.istio.io"
HTTPROUTE = "httproutes.gateway.networking.k8s.io"


def collect(ctx: KubeContext) -> Iterator[Observation | ScopeError]:
    """Rollouts are listed first; templates are read only if one names any."""
    # collect_kind's checks (a name and a namespace), the objects kept as they are
    items: list[Any] = list(collect_kind(ctx, KIND, _as_is))  # type: ignore[arg-type]
    rollouts = [i for i in items if isinstance(i, dict)]
    templates = Templates()
    if any(_stanzas(r.get("spec") or {}) for r in rollouts):
        templates = analysis.read_templates(ctx, ctx.namespaces or None)
    for item in items:
        yield item if isinstance(item, ScopeError) else observe(item, ctx, templates)


def _as_is(item: dict[str, Any], _ctx: KubeContext) -> dict[str, Any]:
    return item


def get(ctx: KubeContext, resource_id: str) -> Observation:
    item = get_object(ctx, KIND, resource_id)
    templates = Templates()
    if _stanzas(item.get("spec") or {}):
        namespace = (item.get("metadata") or {}).get("namespace") or ""
        templates = analysis.read_templates(ctx, (str(namespace),))
    return observe(item, ctx, templates)


def observe(item: dict[str, Any], ctx: KubeContext, templates: Templates) -> Observation:
    namespace = str((item.get("metadata") or {}).get("namespace") or "")
    return add_facts(
        base_observation(item, ctx, KIND),
        KIND,
        item,
        lambda i: _values(i.get("spec") or {}, namespace, templates),
    )


def _stanzas(spec: dict[str, Any]) -> list[Any]:
    """The analysis stanzas that name templates; none for a malformed spec
    (observe reports that Rollout's facts as unknown)."""
    try:
        return _named_stanzas(spec)
    except (AttributeError, TypeError):
        return []


def _named_stanzas(spec: dict[str, Any]) -> list[Any]:
    strategy = spec.get("strategy") or {}
    bg, canary = strategy.get("blueGreen") or {}, strategy.get("canary") or {}
    found = [bg.get("prePromotionAnalysis"), bg.get("postPromotionAnalysis")]
    found.append(canary.get("analysis"))
    found += [s.get("analysis") for s in canary.get("steps") or [] if isinstance(s, dict)]
    return [s for s in found if analysis.refs(s)]


def _names(stanzas: list[Any]) -> list[str]:
    return list(dict.fromkeys(analysis.ref_name(r) for s in stanzas for r in analysis.refs(s)))


def _values(spec: dict[str, Any], namespace: str, templates: Templates) -> dict[str, Any]:
    strategy = spec.get("strategy") or {}
    bg = strategy.get("blueGreen")
    canary = strategy.get("canary")
    kind = "blueGreen" if isinstance(bg, dict) else "canary" if isinstance(canary, dict) else None
    bg, canary = bg if isinstance(bg, dict) else {}, canary if isinstance(canary, dict) else {}
    values: dict[str, Any] = {name: None for name, _ in FACTS}
    values["strategy"] = kind
    if kind == "blueGreen":
        pre, post = [bg.get("prePromotionAnalysis")], [bg.get("postPromotionAnalysis")]
        auto = bg.get("autoPromotionEnabled")
        values.update(
            auto_promotion_enabled=True if auto is None else bool(auto),  # default true
            auto_promotion_seconds=_int(bg.get("autoPromotionSeconds")),
            pre_promotion_analysis=_names(pre),
            pre_promotion_can_abort=analysis.can_abort(templates, namespace, pre),
            post_promotion_analysis=_names(post),
            post_promotion_can_abort=analysis.can_abort(templates, namespace, post),
            scale_down_delay_seconds=_int(bg.get("scaleDownDelaySeconds")),
        )
    if kind == "canary":
        steps = _items(canary.get("steps"), "steps")
        pauses = [s["pause"] for s in steps if "pause" in s]
        step_stanzas = [s.get("analysis") for s in steps if s.get("analysis")]
        background = [canary.get("analysis")]
        values.update(
            steps=len(steps),
            step_weights=[f"{s['setWeight']}%" for s in steps if "setWeight" in s],
            pauses=len(pauses),
            indefinite_pauses=sum(1 for p in pauses if not (p or {}).get("duration")),
            step_analysis=_names(step_stanzas),
            step_analysis_can_abort=analysis.can_abort(templates, namespace, step_stanzas),
            background_analysis=_names(background),
            background_analysis_can_abort=analysis.can_abort(templates, namespace, background),
        )
        routing, routes = _routing(canary.get("trafficRouting") or {}, namespace)
        values.update(traffic_routing=routing, traffic_routes=routes)
    else:
        values.update(traffic_routing=[], traffic_routes=[])
    ref = spec.get("workloadRef") or {}
    values["progress_deadline_abort"] = bool(spec.get("progressDeadlineAbort"))
    values["workload_ref"] = (
        [f"deployments.apps/{namespace}/{ref['name']}"]
        if ref.get("kind") == "Deployment" and ref.get("name")
        else []
    )
    values["workload_ref_scale_down"] = ref.get("scaleDown") if ref else None
    return values


def _items(value: Any, what: str) -> list[dict[str, Any]]:
    """A list of objects; anything else is a malformed Rollout (TypeError)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise TypeError(f"{what} is not a list of objects")
    return value


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _routing(routing: dict[str, Any], namespace: str) -> tuple[list[str], list[str]]:
    """What `trafficRouting` names (provider and object, for the evidence) and
    the object keys of the routes relscan reads (Istio VirtualServices, Gateway
    API HTTPRoutes), in the form providers/kubernetes/links.py uses."""
    named: list[str] = []
    keys: list[str] = []
    istio = routing.get("istio") or {}
    services = [istio["virtualService"]] if istio.get("virtualService") else []
    services += list(istio.get("virtualServices") or [])
    for vs in services:
        # "name" or "name.namespace" (argo-rollouts GetVirtualServiceNamespaceName)
        name, _, where = str(vs.get("name") or "").partition(".")
        where = where.split(".")[0] or namespace
        named.append(f"istio VirtualService {where}/{name}")
        keys.append(f"{ISTIO_VS}/{where}/{name}")
    for plugin, conf in (routing.get("plugins") or {}).items():
        if not str(plugin).lower().endswith("gatewayapi") or not isinstance(conf, dict):
            named.append(f"plugin {plugin}")
            continue
        where = str(conf.get("namespace") or namespace)
        routes = [conf["httpRoute"]] if conf.get("httpRoute") else []
        routes += [r.get("name") for r in conf.get("httpRoutes") or [] if isinstance(r, dict)]
        for route in routes:
            named.append(f"Gateway API HTTPRoute {where}/{route}")
            keys.append(f"{HTTPROUTE}/{where}/{route}")
    nginx = routing.get("nginx") or {}
    ingresses = [nginx["stableIngress"]] if nginx.get("stableIngress") else []
    for ingress in ingresses + list(nginx.get("stableIngresses") or []):
        named.append(f"nginx Ingress {namespace}/{ingress}")
    if (routing.get("alb") or {}).get("ingress"):
        named.append(f"alb Ingress {namespace}/{routing['alb']['ingress']}")
    if (routing.get("smi") or {}).get("trafficSplitName"):
        named.append(f"smi TrafficSplit {namespace}/{routing['smi']['trafficSplitName']}")
    for other in ("ambassador", "apisix", "appMesh", "traefik"):
        if routing.get(other):
            named.append(other)
    return named, keys


def history(ctx: KubeContext, unit: Observation, period: Period) -> History:
    """The Rollout's ReplicaSets (providers/kubernetes/history.py); the
    status (abort, abortedAt, phase) tells the current rollout only."""
    from providers.kubernetes import current
    from providers.kubernetes import history as records

    status = records.said(ctx, unit).get("status") or {}
    hook = current.rollout_status(status)
    return records.of_owner(ctx, unit, period, records.ROLLOUT, "Rollout", hook)
