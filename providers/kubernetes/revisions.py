"""The objects that record a Kubernetes unit's releases, read once per
namespace and shared by every unit of it (--history).

A Deployment's and an Argo Rollout's versions are ReplicaSets, a
StatefulSet's and a DaemonSet's are ControllerRevisions (apps/v1), a Knative
Service's are Revisions (serving.knative.dev). Each is listed once per
namespace a unit lives in, not once per unit: `Records` keeps the lists
(slimmed to the fields the history reads) for one collect of one cluster,
and what each unit's own object said that its Observation does not hold
(its uid, spec.revisionHistoryLimit, the status of its current rollout).

A namespace whose list fails gives each of its units `History.error`; a
refusal (401/403) is also one scope error per namespace and resource, naming
the verb and the resource as the API server's Status does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scanner.model import ScopeError

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"  # set by `kubectl rollout restart`
# Labels the controllers add to a version's pod template (not part of the user's).
HASH_LABELS = ("pod-template-hash", "rollouts-pod-template-hash", "controller-revision-hash")

REPLICASETS = ("apps", "v1", "replicasets")
CONTROLLER_REVISIONS = ("apps", "v1", "controllerrevisions")
KNATIVE_REVISIONS = ("serving.knative.dev", "v1", "revisions")


@dataclass(frozen=True)
class Version:
    """One recorded version of a unit: a ReplicaSet, a ControllerRevision or
    a Knative Revision, as much of it as the history reads."""

    name: str
    uid: str
    created: datetime | None
    owners: tuple[tuple[str, str, str], ...]  # (kind, name, uid) of controller owners
    labels: dict[str, str]
    annotations: dict[str, str]
    revision: int | None  # the ControllerRevision's own `revision` field
    template: str  # a digest of the pod template without restartedAt and hash labels
    restarted_at: str | None  # the template's kubectl.kubernetes.io/restartedAt
    images: tuple[str, ...]


@dataclass
class Unread:
    """Why a namespace's list could not be read."""

    message: str
    refused: bool  # 401/403: the grant lacks the read


@dataclass
class Records:
    """One collect's shared reads. Not shared between threads: a cluster's
    collect runs on one thread."""

    lists: dict[tuple[str, str], list[Version] | Unread] = field(default_factory=dict)
    owners: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit id -> what it said
    errors: list[ScopeError] = field(default_factory=list)  # refusals not yet handed on

    def remember(self, unit_id: str, item: dict[str, Any]) -> None:
        meta = item.get("metadata") or {}
        spec = item.get("spec") if isinstance(item.get("spec"), dict) else {}
        status = item.get("status") if isinstance(item.get("status"), dict) else {}
        self.owners[unit_id] = {
            "uid": meta.get("uid"),
            "created": meta.get("creationTimestamp"),
            "limit": spec.get("revisionHistoryLimit"),
            "target": spec.get("targetRef"),
            "status": {
                k: status.get(k)
                for k in (
                    "conditions",
                    "abort",
                    "abortedAt",
                    "phase",
                    "message",
                    "currentPodHash",
                    "stableRS",
                    "lastTransitionTime",
                    "failedChecks",
                    "currentRevision",
                    "updateRevision",
                )
            },
        }

    def drain(self) -> list[ScopeError]:
        found, self.errors = self.errors, []
        return found


def parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _template_of(item: dict[str, Any], resource: str) -> dict[str, Any]:
    if resource == "controllerrevisions":
        data = item.get("data") or {}
        return ((data.get("spec") or {}).get("template") or {}) if isinstance(data, dict) else {}
    if resource == "revisions":
        return {"spec": item.get("spec") or {}}
    return (item.get("spec") or {}).get("template") or {}


def slim(item: dict[str, Any], resource: str) -> Version:
    meta = item.get("metadata") or {}
    template = json.loads(json.dumps(_template_of(item, resource)))  # a copy to strip
    tmeta = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    annotations = tmeta.get("annotations") if isinstance(tmeta.get("annotations"), dict) else {}
    restarted = annotations.pop(RESTARTED_AT, None)
    if not annotations:
        tmeta.pop("annotations", None)  # none left: the same as none given
    labels = tmeta.get("labels") if isinstance(tmeta.get("labels"), dict) else {}
    for key in HASH_LABELS:
        labels.pop(key, None)
    pod = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    containers = pod.get("containers") if isinstance(pod.get("containers"), list) else []
    owners = tuple(
        (str(o.get("kind")), str(o.get("name")), str(o.get("uid") or ""))
        for o in meta.get("ownerReferences") or []
        if isinstance(o, dict) and o.get("controller") is not False
    )
    revision = item.get("revision")
    digits = isinstance(revision, int | str) and str(revision).isdigit()
    return Version(
        name=str(meta.get("name") or ""),
        uid=str(meta.get("uid") or meta.get("name") or ""),
        created=parse_time(meta.get("creationTimestamp")),
        owners=owners,
        labels={str(k): str(v) for k, v in (meta.get("labels") or {}).items()},
        annotations={str(k): str(v) for k, v in (meta.get("annotations") or {}).items()},
        revision=int(str(revision)) if digits else None,
        template=hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest(),
        restarted_at=str(restarted) if restarted else None,
        images=tuple(str(c.get("image")) for c in containers if isinstance(c, dict)),
    )


def _list_call(ctx: KubeContext, group: str, version: str, resource: str) -> Callable[..., Any]:
    import kubernetes.client as k8s

    if (group, resource) == ("apps", "replicasets"):
        return k8s.AppsV1Api(ctx.api).list_namespaced_replica_set  # type: ignore[no-any-return]
    if (group, resource) == ("apps", "controllerrevisions"):
        return k8s.AppsV1Api(ctx.api).list_namespaced_controller_revision  # type: ignore[no-any-return]
    custom = k8s.CustomObjectsApi(ctx.api)

    def per_namespace(namespace: str, **kw: Any) -> Any:
        return custom.list_namespaced_custom_object(group, version, namespace, resource, **kw)

    return per_namespace


def versions(
    ctx: KubeContext, which: tuple[str, str, str], namespace: str
) -> list[Version] | Unread:
    """The namespace's objects of `which` (group, version, plural), read once
    per collect; or why they could not be read."""
    from providers.kubernetes.faults import describe, errors
    from providers.kubernetes.pages import all_items

    group, version, resource = which
    records = ctx.records
    key = (f"{resource}.{group}", namespace)
    if records is not None and key in records.lists:
        return records.lists[key]
    found: list[Version] | Unread
    try:
        call = _list_call(ctx, group, version, resource)
        items = all_items(call, ctx.page_size, ctx.timeout, namespace=namespace)
        found = [slim(i, resource) for i in items if isinstance(i, dict)]
    except errors() as exc:
        code = getattr(exc, "status", None)
        found = Unread(describe(exc), code in (401, 403))
        if found.refused and records is not None:
            label = f"{ctx.label}/{namespace}"
            records.errors.append(ScopeError("kubernetes", label, key[0], found.message))
    if records is not None:
        records.lists[key] = found
    return found
