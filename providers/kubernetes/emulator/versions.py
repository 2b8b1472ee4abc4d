"""The versions a workload's controller keeps, generated for the emulator from
an estate object's `releases:` rhythm specs (scanner/emulators/releases.py),
relative to now, in the shapes the API server serves:

- a Deployment's or an Argo Rollout's ReplicaSets, numbered in
  `deployment.kubernetes.io/revision` (`rollout.argoproj.io/revision`), with
  a rollback (a spec's `failed` occurrence) reusing the previous ReplicaSet as
  `kubectl rollout undo` does: the next number, the old one appended to
  `.../revision-history`; only the current one and the last
  `spec.revisionHistoryLimit` (10) old ones are kept; the Deployment's
  Progressing condition, or the Rollout's status (an `automatic` failure of
  the latest occurrence is an analysis abort, a `manual` one a person's);
- a StatefulSet's or DaemonSet's ControllerRevisions (`revision`), a
  rollback reusing the previous one with the next number;
- a Knative Service's Revisions (`serving.knative.dev/service` label).

`releases:` is taken off the object: the API never serves it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from scanner.emulators.releases import Record, expand

# (group, plural) of an owner -> what keeps its versions
OWNERS = {
    ("apps", "deployments"): "replicasets",
    ("argoproj.io", "rollouts"): "replicasets",
    ("apps", "statefulsets"): "controllerrevisions",
    ("apps", "daemonsets"): "controllerrevisions",
    ("serving.knative.dev", "services"): "revisions",
}
KINDS = {
    "deployments": ("Deployment", "apps/v1", "deployment.kubernetes.io", "pod-template-hash"),
    "rollouts": (
        "Rollout",
        "argoproj.io/v1alpha1",
        "rollout.argoproj.io",
        "rollouts-pod-template-hash",
    ),
    "statefulsets": ("StatefulSet", "apps/v1", "", "controller-revision-hash"),
    "daemonsets": ("DaemonSet", "apps/v1", "", "controller-revision-hash"),
}
ANALYSIS = 'Metric "success-rate" assessed Failed due to failed (3) > failureLimit (2)'


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:10]


def ensure_uid(context: str, obj: dict[str, Any]) -> str:
    meta = obj.setdefault("metadata", {})
    if not meta.get("uid"):
        key = f"{context}/{meta.get('namespace', 'default')}/{meta.get('name')}"
        meta["uid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, key))
    return str(meta["uid"])


def _template(obj: dict[str, Any], record: Record, latest: bool) -> dict[str, Any]:
    template = json.loads(json.dumps((obj.get("spec") or {}).get("template") or {}))
    if not latest:  # an earlier image: the tag names the occurrence
        for c in (template.get("spec") or {}).get("containers") or []:
            c["image"] = f"{str(c.get('image', 'app')).split(':')[0]}:{record.id}"
    return template


def generate(
    context: str, group: str, plural: str, obj: dict[str, Any], now: datetime | None = None
) -> list[dict[str, Any]]:
    """The versions of `obj` from its `releases:` (popped), and its status set."""
    specs = obj.pop("releases", None)
    if not specs:
        return []
    records = expand(specs, now)
    if not records:
        return []
    uid = ensure_uid(context, obj)
    meta = obj["metadata"]
    meta.setdefault("creationTimestamp", stamp(records[0].started - timedelta(days=1)))
    if plural == "services":
        return _knative(obj, records)
    kind, api_version, prefix, hash_label = KINDS[plural]
    owner = {
        "apiVersion": api_version,
        "kind": kind,
        "name": meta["name"],
        "uid": uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }
    made: list[dict[str, Any]] = []
    number = 0
    for i, record in enumerate(records):
        latest = i == len(records) - 1
        number += 1
        pod_hash = _hash(uid, record.id)
        template = _template(obj, record, latest)
        template.setdefault("metadata", {}).setdefault("labels", {})[hash_label] = pod_hash
        made.append(_version(obj, owner, plural, prefix, pod_hash, number, record, template))
        if record.rolled_back and plural != "rollouts" and len(made) > 1:
            number += 1  # `rollout undo`: the previous version comes back with the next number
            _reuse(made[-2], prefix, number)
    limit = int((obj.get("spec") or {}).get("revisionHistoryLimit", 10))
    made.sort(key=lambda v: _number(v, prefix))
    kept = made[-(limit + 1) :] if limit >= 0 else made
    _status(obj, plural, records[-1], kept[-1], prefix)
    return kept


def _number(version: dict[str, Any], prefix: str) -> int:
    if not prefix:
        return int(version["revision"])
    return int(version["metadata"]["annotations"][f"{prefix}/revision"])


def _version(
    obj: dict[str, Any],
    owner: dict[str, Any],
    plural: str,
    prefix: str,
    pod_hash: str,
    number: int,
    record: Record,
    template: dict[str, Any],
) -> dict[str, Any]:
    meta = obj["metadata"]
    base = {
        "name": f"{meta['name']}-{pod_hash}",
        "namespace": meta.get("namespace", "default"),
        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{owner['uid']}/{pod_hash}")),
        "creationTimestamp": stamp(record.started),
        "labels": dict((template.get("metadata") or {}).get("labels") or {}),
        "ownerReferences": [owner],
    }
    if not prefix:  # a ControllerRevision
        return {"metadata": base, "revision": number, "data": {"spec": {"template": template}}}
    base["annotations"] = {f"{prefix}/revision": str(number)}
    replicas = (obj.get("spec") or {}).get("replicas", 1)
    return {
        "metadata": base,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": base["labels"]},
            "template": template,
        },
        "status": {"replicas": replicas, "observedGeneration": 1},
    }


def _reuse(version: dict[str, Any], prefix: str, number: int) -> None:
    if not prefix:
        version["revision"] = number
        return
    notes = version["metadata"]["annotations"]
    old = notes[f"{prefix}/revision"]
    history = notes.get(f"{prefix}/revision-history")
    notes[f"{prefix}/revision-history"] = f"{history},{old}" if history else old
    notes[f"{prefix}/revision"] = str(number)


def _status(
    obj: dict[str, Any], plural: str, record: Record, current: dict[str, Any], prefix: str
) -> None:
    status = obj.setdefault("status", {})
    name = current["metadata"]["name"]
    if plural == "deployments":
        status["conditions"] = [
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": f'ReplicaSet "{name}" has successfully progressed.',
                "lastUpdateTime": stamp(record.ended),
                "lastTransitionTime": stamp(record.started),
            }
        ]
    elif plural == "statefulsets":  # the update finished: every pod on it
        status.update(currentRevision=name, updateRevision=name)
    elif plural == "rollouts":
        pod_hash = current["metadata"]["labels"]["rollouts-pod-template-hash"]
        status["currentPodHash"] = pod_hash
        if record.rolled_back:
            revision = current["metadata"]["annotations"][f"{prefix}/revision"]
            message = f"Rollout aborted update to revision {revision}"
            if record.rolled_back == "automatic":
                message += f": {ANALYSIS}"
            status.update(
                abort=True,
                abortedAt=stamp(record.ended),
                phase="Degraded",
                message=f"RolloutAborted: {message}",
            )
        else:
            status.update(phase="Healthy", stableRS=pod_hash)


def _knative(obj: dict[str, Any], records: list[Record]) -> list[dict[str, Any]]:
    meta = obj["metadata"]
    made = []
    for n, record in enumerate(records, 1):
        name = f"{meta['name']}-{n:05d}"
        latest = n == len(records)
        template = _template(obj, record, latest)
        made.append(
            {
                "metadata": {
                    "name": name,
                    "namespace": meta.get("namespace", "default"),
                    "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{meta['uid']}/{name}")),
                    "creationTimestamp": stamp(record.started),
                    "labels": {
                        "serving.knative.dev/service": meta["name"],
                        "serving.knative.dev/configuration": meta["name"],
                        "serving.knative.dev/configurationGeneration": str(n),
                    },
                },
                "spec": (template.get("spec") or {}),
                "status": {"conditions": [{"type": "Ready", "status": "True"}]},
            }
        )
    return made
