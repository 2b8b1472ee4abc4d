"""Argo Rollouts analysis: which AnalysisTemplates and ClusterAnalysisTemplates
a Rollout names, and whether their metrics can abort a release.

A metric can abort when it is not in dry-run and a failed measurement is
possible: it has a `successCondition` or `failureCondition`, or its provider
fails on its own (`job`: a non-zero exit; `kayenta`: its score thresholds).
A metric with neither is Inconclusive, which pauses the Rollout for a person
(argo-rollouts docs, features/analysis.md). `dryRun` is a list of metric-name
regular expressions, on the template or on the Rollout's analysis stanza,
matched unanchored as the controller does (`regexp.MatchString`,
argoproj/argo-rollouts utils/analysis/helpers.go).

Templates are listed once per scan of a cluster (namespaced ones in the
namespaces scanned, cluster-scoped ones once). A template that is missing or
cannot be read leaves the answer unknown, never "can abort".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from providers.kubernetes.values import Unknown

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext

GROUP = "argoproj.io"
VERSIONS = ("v1alpha1",)
NAMESPACED = "analysistemplates"
CLUSTER = "clusteranalysistemplates"
SELF_FAILING = ("job", "kayenta")  # providers whose measurement fails without a condition


@dataclass
class Templates:
    """The templates a cluster holds, by (namespace or "", name); `errors`
    says why a scope's list could not be read ("" for the cluster-scoped list)."""

    found: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # "*": the cluster-wide list

    def lookup(self, namespace: str, ref: dict[str, Any]) -> dict[str, Any] | Unknown:
        cluster = bool(ref.get("clusterScope"))
        name = str(ref.get("templateName") or "")
        scope = "" if cluster else namespace
        label = (
            f"ClusterAnalysisTemplate {name}" if cluster else f"AnalysisTemplate {namespace}/{name}"
        )
        why = self.errors.get(scope) or (self.errors.get("*") if scope else None)
        if why:
            return Unknown(f"{label} could not be read ({why})")
        template = self.found.get((scope, name))
        if template is None:
            return Unknown(f"{label} does not exist")
        return template


def _list(ctx: KubeContext, resource: str, namespace: str | None) -> list[dict[str, Any]]:
    import kubernetes.client as k8s

    from providers.kubernetes.pages import all_items

    custom = k8s.CustomObjectsApi(ctx.api)
    if namespace is None:

        def call(**kw: Any) -> Any:
            return custom.list_cluster_custom_object(GROUP, VERSIONS[0], resource, **kw)

        return all_items(call, ctx.page_size, ctx.timeout)

    def in_namespace(**kw: Any) -> Any:
        return custom.list_namespaced_custom_object(GROUP, VERSIONS[0], namespace, resource, **kw)

    return all_items(in_namespace, ctx.page_size, ctx.timeout)


def read_templates(ctx: KubeContext, namespaces: tuple[str, ...] | None = None) -> Templates:
    """The cluster's templates. `namespaces` None: every namespace at once (one
    list across the cluster); else those namespaces one by one. The
    cluster-scoped list is always one call, whatever namespaces are scanned.
    A list that fails is remembered with its reason, not raised."""
    from providers.kubernetes.faults import describe, errors

    out = Templates()
    scopes: list[tuple[str, str | None]] = [("", None)]
    scopes += [("*", None)] if namespaces is None else [(ns, ns) for ns in namespaces]
    for scope, namespace in scopes:
        resource = CLUSTER if scope == "" else NAMESPACED
        if ctx.discovery is None or not ctx.discovery.serves(GROUP, VERSIONS[0], resource):
            continue  # not installed: every template it would hold "does not exist"
        try:
            items = _list(ctx, resource, namespace)
        except errors() as exc:
            out.errors[scope] = describe(exc)
            continue
        for item in items:
            meta = item.get("metadata") or {}
            where = "" if scope == "" else str(meta.get("namespace") or "")
            out.found[(where, str(meta.get("name")))] = item
    return out


def refs(stanza: Any) -> list[dict[str, Any]]:
    """The template references of an analysis stanza (`templates`, or the
    older single `templateName`)."""
    if stanza is None:
        return []
    if not isinstance(stanza, dict):
        raise TypeError(f"an analysis stanza is not an object: {str(stanza)[:40]}")
    found = [t for t in stanza.get("templates") or [] if isinstance(t, dict)]
    if stanza.get("templateName"):
        found.append({"templateName": stanza["templateName"]})
    return found


def ref_name(ref: dict[str, Any]) -> str:
    kind = "ClusterAnalysisTemplate" if ref.get("clusterScope") else "AnalysisTemplate"
    return f"{kind}/{ref.get('templateName')}"


def _dry_run(patterns: list[str], metric: str) -> bool:
    for pattern in patterns:
        try:
            if re.search(pattern, metric):
                return True
        except re.error:
            return True  # a pattern the controller would refuse: do not count the metric
    return False


def metric_can_abort(metric: dict[str, Any], dry_patterns: list[str]) -> bool:
    if _dry_run(dry_patterns, str(metric.get("name") or "")):
        return False
    if metric.get("successCondition") or metric.get("failureCondition"):
        return True
    provider = metric.get("provider") or {}
    return isinstance(provider, dict) and any(p in provider for p in SELF_FAILING)


def dry_run_patterns(stanza: Any) -> list[str]:
    if not isinstance(stanza, dict):
        return []
    return [str(d.get("metricName")) for d in stanza.get("dryRun") or [] if isinstance(d, dict)]


def can_abort(templates: Templates, namespace: str, stanzas: list[Any]) -> bool | Unknown:
    """Whether any of these analysis stanzas (a Rollout's) names a metric that
    can abort: True as soon as one does; unknown if none does and a template
    could not be read; else False."""
    unread: Unknown | None = None
    for stanza in stanzas:
        rollout_dry = dry_run_patterns(stanza)
        for ref in refs(stanza):
            template = templates.lookup(namespace, ref)
            if isinstance(template, Unknown):
                unread = unread or template
                continue
            spec = template.get("spec") or {}
            dry = rollout_dry + dry_run_patterns(spec)
            metrics = [m for m in spec.get("metrics") or [] if isinstance(m, dict)]
            if any(metric_can_abort(m, dry) for m in metrics):
                return True
    return unread if unread is not None else False
