"""What an owner's status says about its current rollout, applied to the
newest release only (providers/kubernetes/history.py `build`): older
versions keep no outcome.

- a Deployment's `Progressing` condition, when its message names the newest
  ReplicaSet;
- an Argo Rollout's `abort`, `abortedAt`, `phase` and `message`;
- a Flagger Canary's `phase`;
- a StatefulSet's `currentRevision` and `updateRevision`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from providers.kubernetes.revisions import Version, parse_time
from scanner.practice.records import AUTOMATIC, FAILED, IN_PROGRESS, MANUAL, SUCCEEDED, Release

Hook = Callable[[Version, Release], Release]


def deployment_status(status: dict[str, Any]) -> Hook:
    """The Deployment's Progressing condition, about its newest ReplicaSet
    (the message names it): NewReplicaSetAvailable, ProgressDeadlineExceeded,
    or a rollout still progressing."""

    def apply(v: Version, release: Release) -> Release:
        for cond in status.get("conditions") or []:
            if not isinstance(cond, dict) or cond.get("type") != "Progressing":
                continue
            if f'"{v.name}"' not in str(cond.get("message") or ""):
                return release  # about another ReplicaSet
            reason = cond.get("reason")
            detail = f"{release.detail}; Progressing: {reason}"
            when = parse_time(cond.get("lastUpdateTime"))
            if reason == "NewReplicaSetAvailable":
                ended = when if when and when >= release.started else None
                return replace(release, outcome=SUCCEEDED, ended=ended, detail=detail)
            if reason == "ProgressDeadlineExceeded":
                return replace(release, outcome=FAILED, detail=detail)
            if reason in ("ReplicaSetUpdated", "NewReplicaSetCreated", "FoundNewReplicaSet"):
                return replace(release, outcome=IN_PROGRESS, detail=detail)
        return release

    return apply


ABORTED = "Rollout aborted update to revision"


def rollout_status(status: dict[str, Any]) -> Hook:
    """An Argo Rollout's status, about its current rollout only: an abort
    (status.abort, abortedAt) rolled the update back to the stable
    ReplicaSet. The controller appends the failing analysis' message to
    "Rollout aborted update to revision N" (argoproj/argo-rollouts
    rollout/sync.go); a person's `kubectl argo rollouts abort` leaves it bare."""

    def apply(v: Version, release: Release) -> Release:
        pod_hash = v.labels.get("rollouts-pod-template-hash")
        if status.get("currentPodHash") and pod_hash and pod_hash != status["currentPodHash"]:
            return release
        message = " ".join(str(status.get("message") or "").split())
        if status.get("abort"):
            _, _, after = message.partition(ABORTED)
            reason = after.split(":", 1)[1].strip() if ":" in after else ""
            return replace(
                release,
                outcome=FAILED,
                rolled_back=AUTOMATIC if reason else MANUAL,
                restored=parse_time(status.get("abortedAt")),
                detail=f"{release.detail}; aborted: {message or 'status.abort'}",
            )
        phase = status.get("phase")
        if phase == "Healthy":
            return replace(release, outcome=SUCCEEDED, detail=f"{release.detail}; phase Healthy")
        if phase in ("Progressing", "Paused"):
            return replace(release, outcome=IN_PROGRESS, detail=f"{release.detail}; phase {phase}")
        if phase == "Degraded":
            return replace(release, outcome=FAILED, detail=f"{release.detail}; Degraded: {message}")
        return release

    return apply


FLAGGER_RUNNING = ("Progressing", "Promoting", "Finalising", "WaitingPromotion", "Waiting")


def canary_status(status: dict[str, Any]) -> Hook:
    """A Flagger Canary's phase, about the target's newest version only."""

    def apply(v: Version, release: Release) -> Release:
        phase = status.get("phase")
        if phase == "Succeeded":
            return replace(release, outcome=SUCCEEDED, detail=f"{release.detail}; Canary Succeeded")
        if phase == "Failed":
            return replace(
                release,
                outcome=FAILED,
                detail=(
                    f"{release.detail}; Canary Failed: traffic went back to the primary (on "
                    "failed checks or a rollback webhook: the status does not say which)"
                ),
            )
        if phase in FLAGGER_RUNNING:
            return replace(release, outcome=IN_PROGRESS, detail=f"{release.detail}; Canary {phase}")
        return release

    return apply


def statefulset_status(status: dict[str, Any]) -> Hook:
    """A StatefulSet's update is done when every pod runs the update revision:
    the controller then sets `currentRevision` to `updateRevision` (both name
    ControllerRevisions). A partition holding pods back leaves it in progress."""

    def apply(v: Version, release: Release) -> Release:
        update, current = status.get("updateRevision"), status.get("currentRevision")
        if not update or update != v.name:
            return release  # about another revision
        if current == update:
            return replace(release, outcome=SUCCEEDED, detail=f"{release.detail}; all pods updated")
        return replace(
            release,
            outcome=IN_PROGRESS,
            detail=f"{release.detail}; pods still on {current} (status.currentRevision)",
        )

    return apply
