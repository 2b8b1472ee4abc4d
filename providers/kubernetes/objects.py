"""Reading one kind's objects, whatever its group: the list (across the
cluster, or per --k8s-namespace namespace), one object for `check`, and the
observation every kind starts from. A kind module supplies only its facts.

Built-in groups go through the typed APIs (CoreV1Api, AppsV1Api); custom
groups through CustomObjectsApi, and only where discovery shows the kind's
resource served, in the first of the kind's versions the cluster serves
(`versions`, preferred first). A custom kind that is not installed yields
nothing: that is not an error (issue 18).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from providers.kubernetes.kind import K8sKind, parse_id, unit_id
from providers.kubernetes.values import Unknown
from scanner.model import Observation, ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext

# Built-in resources and the typed calls that list and get them:
# (group, plural) -> (API class, list-everywhere, list-in-namespace, get).
TYPED: dict[tuple[str, str], tuple[str, str, str, str]] = {
    ("", "services"): (
        "CoreV1Api",
        "list_service_for_all_namespaces",
        "list_namespaced_service",
        "read_namespaced_service",
    ),
    ("apps", "deployments"): (
        "AppsV1Api",
        "list_deployment_for_all_namespaces",
        "list_namespaced_deployment",
        "read_namespaced_deployment",
    ),
    ("apps", "statefulsets"): (
        "AppsV1Api",
        "list_stateful_set_for_all_namespaces",
        "list_namespaced_stateful_set",
        "read_namespaced_stateful_set",
    ),
    ("apps", "daemonsets"): (
        "AppsV1Api",
        "list_daemon_set_for_all_namespaces",
        "list_namespaced_daemon_set",
        "read_namespaced_daemon_set",
    ),
}


def served_version(
    ctx: KubeContext, group: str, resource: str, versions: tuple[str, ...]
) -> str | None:
    """The version to read a resource in: for a built-in group, the first of
    `versions`; for a custom group, the first of `versions` the cluster serves
    with the resource in it (None: not installed)."""
    if (group, resource) in TYPED:
        return versions[0]
    if ctx.discovery is None:
        return None
    for version in versions:
        if ctx.discovery.serves(group, version, resource):
            return version
    return None


def _calls(
    ctx: KubeContext, group: str, resource: str, version: str
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    import kubernetes.client as k8s

    typed = TYPED.get((group, resource))
    if typed is not None:
        api = getattr(k8s, typed[0])(ctx.api)
        return getattr(api, typed[1]), getattr(api, typed[2])
    custom = k8s.CustomObjectsApi(ctx.api)

    def everywhere(**kw: Any) -> Any:
        return custom.list_cluster_custom_object(group, version, resource, **kw)

    def per_namespace(namespace: str, **kw: Any) -> Any:
        return custom.list_namespaced_custom_object(group, version, namespace, resource, **kw)

    return everywhere, per_namespace


def list_objects(
    ctx: KubeContext,
    group: str,
    resource: str,
    versions: tuple[str, ...],
    part: str,
) -> Iterator[dict[str, Any] | ScopeError]:
    """Every object of a resource the scan may see (system namespaces left
    out unless asked for), or nothing where a custom resource is not served.
    Errors of one namespace's list are ScopeErrors; others raise."""
    from providers.kubernetes.pages import listed

    version = served_version(ctx, group, resource, versions)
    if version is None:
        return
    everywhere, per_namespace = _calls(ctx, group, resource, version)
    for item in listed(ctx, part, everywhere, per_namespace):
        if isinstance(item, ScopeError):
            yield item
            continue
        namespace = (item.get("metadata") or {}).get("namespace")
        if not isinstance(namespace, str) or ctx.wanted(namespace):
            yield item


def collect_kind(
    ctx: KubeContext,
    kind: K8sKind,
    observe: Callable[[dict[str, Any], KubeContext], Observation],
    versions: tuple[str, ...] = (),
) -> Iterator[Observation | ScopeError]:
    """The kind's units: each listed object that has a name and namespace,
    observed by `observe`; one without is a scope error naming it."""
    for item in list_objects(
        ctx, kind.group, kind.resource, versions or (kind.version,), kind.part
    ):
        if isinstance(item, ScopeError):
            yield item
            continue
        meta = item.get("metadata") or {}
        namespace, name = meta.get("namespace"), meta.get("name")
        if not isinstance(namespace, str) or not isinstance(name, str) or not name:
            yield ScopeError(
                "kubernetes",
                ctx.label,
                kind.part,
                f"a {kind.title} without a name or namespace ({str(meta)[:80]}) cannot be assessed",
            )
            continue
        yield observe(item, ctx)


def get_object(
    ctx: KubeContext, kind: K8sKind, resource_id: str, versions: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The object a unit id names (`check`); a custom kind the cluster does not
    serve answers as the API server would, 404."""
    import kubernetes.client as k8s
    from kubernetes.client.exceptions import ApiException

    _, namespace, _, name = parse_id(resource_id)
    typed = TYPED.get((kind.group, kind.resource))
    if typed is not None:
        api = getattr(k8s, typed[0])(ctx.api)
        resp = getattr(api, typed[3])(
            name, namespace, _preload_content=False, _request_timeout=ctx.timeout
        )
        return dict(json.loads(resp.data))
    version = served_version(ctx, kind.group, kind.resource, versions or (kind.version,))
    if version is None:
        raise ApiException(status=404, reason=f"{kind.part} is not served by this cluster")
    resp = k8s.CustomObjectsApi(ctx.api).get_namespaced_custom_object(
        kind.group,
        version,
        namespace,
        kind.resource,
        name,
        _preload_content=False,
        _request_timeout=ctx.timeout,
    )
    return dict(json.loads(resp.data))


def base_observation(item: dict[str, Any], ctx: KubeContext, kind: K8sKind) -> Observation:
    """The unit an object is, before its facts: id, NAMESPACE/NAME, the
    cluster as account, the namespace as location, labels as tags."""
    meta = item.get("metadata") or {}
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items()}
    uid = unit_id(ctx.cluster_uid, kind, meta["namespace"], meta["name"])
    if ctx.records is not None:  # --history: what the unit's records are matched by
        ctx.records.remember(uid, item)
    return Observation(
        id=uid,
        provider="kubernetes",
        kind=kind.name,
        name=f"{meta['namespace']}/{meta['name']}",
        account=ctx.cluster_uid,
        location=meta["namespace"],
        tags=labels,
    )


def add_facts(
    obs: Observation,
    kind: K8sKind,
    item: dict[str, Any],
    values_of: Callable[[dict[str, Any]], dict[str, Any]],
) -> Observation:
    """Every fact of the kind from `values_of(item)`. A value that is
    `Unknown` makes that fact unknown, with why; a malformed object (the
    function raises on a wrong shape) makes every fact unknown, with the
    reason, so the unit is reported, not lost."""
    try:
        values = values_of(item)
        why = None
    except (AttributeError, TypeError, ValueError, KeyError) as exc:
        values, why = {}, f"malformed {kind.title}: {type(exc).__name__}: {exc}"
    for spec in kind.facts:
        value = values[spec.name] if why is None else Unknown(str(why))
        if isinstance(value, Unknown):
            obs.unknown(spec.name, spec.field, value.why)
        else:
            obs.add(spec.name, spec.field, value)
    return obs
