"""A Kubernetes unit's release records, from the versions its controller
keeps (providers/kubernetes/revisions.py reads them once per namespace).

Every pod-template change makes a new version (a ReplicaSet for a Deployment
or an Argo Rollout, a ControllerRevision for a StatefulSet or a DaemonSet),
numbered in order, created when the release began; it records no end, no
outcome and no initiator. What the records can and cannot say:

- a rollback (`kubectl rollout undo`, or re-applying an earlier template)
  reuses the earlier version and gives it the next number; a ReplicaSet keeps
  its former numbers in the `.../revision-history` annotation, a
  ControllerRevision keeps none (a version numbered above one created after
  it was reused). The time of the rollback is not recorded, so it is no
  record of its own: the release it replaced is marked rolled back by hand
  (the controllers never roll back on their own), and the rollback is counted
  in `left_out`;
- `kubectl rollout restart` changes only the template's restartedAt
  annotation: such a version is no release (`left_out`);
- a template change without a new image (environment, resources) cannot be
  told from a release and counts as one;
- the controller keeps `spec.revisionHistoryLimit` old versions (10 when
  absent): once that many are kept, older releases may have been deleted, and
  the records cover only from the oldest kept one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from providers.kubernetes.current import Hook
from providers.kubernetes.kind import parse_id
from providers.kubernetes.revisions import (
    CONTROLLER_REVISIONS,
    KNATIVE_REVISIONS,
    REPLICASETS,
    Unread,
    Version,
    versions,
)
from scanner.practice.records import (
    MANUAL,
    History,
    Release,
)
from scanner.practice.settings import Period

if TYPE_CHECKING:
    from providers.kubernetes.context import KubeContext
    from scanner.model import Observation

DEFAULT_LIMIT = 10  # spec.revisionHistoryLimit when absent (apps/v1, Argo Rollouts)
KNATIVE_MIN_KEPT = 20  # config-gc min-non-active-revisions, Knative's default
RESTARTS = "restarts (kubectl rollout restart: only the template's restartedAt annotation changed)"
UNNUMBERED = "versions without a revision number or creation time"
CONFIG_NOTE = (
    "any pod-template change (image, environment, resources) makes a new version, so a "
    "configuration-only change counts as a release"
)


@dataclass(frozen=True)
class Source:
    """Where a kind's versions are and how they are numbered."""

    record: str  # Release.source
    title: str  # History.source
    what: str  # the object, for details: "ReplicaSet"
    which: tuple[str, str, str]  # (group, version, plural) listed per namespace
    revision: str | None  # the annotation holding the number (None: the `revision` field)
    earlier: str | None  # the annotation holding the numbers it held before
    fields: tuple[str, ...]
    note: str

    @property
    def rollbacks(self) -> str:
        return f"rollbacks to an earlier {self.what} (the time is not recorded)"

    def number(self, v: Version) -> int | None:
        if self.revision is None:
            return v.revision
        text = v.annotations.get(self.revision, "")
        return int(text) if text.isdigit() else None

    def held_before(self, v: Version) -> list[int]:
        text = v.annotations.get(self.earlier, "") if self.earlier else ""
        return [int(t) for t in text.split(",") if t.strip().isdigit()]


def _rs_source(record: str, title: str, prefix: str, owner: str) -> Source:
    return Source(
        record=record,
        title=title,
        what="ReplicaSet",
        which=REPLICASETS,
        revision=f"{prefix}/revision",
        earlier=f"{prefix}/revision-history",
        fields=(
            f"replicasets.apps metadata.ownerReferences ({owner})",
            f"metadata.annotations[{prefix}/revision]",
            f"metadata.annotations[{prefix}/revision-history]",
            "metadata.creationTimestamp",
            "spec.template",
        ),
        note=(
            "A ReplicaSet records when a release began, not when it ended, whether it "
            "succeeded or who started it (the status tells only the current rollout); "
            f"{CONFIG_NOTE}; a rollback reuses an earlier ReplicaSet and records no time."
        ),
    )


DEPLOYMENT = _rs_source(
    "kubernetes:replicaset",
    "ReplicaSets of the Deployment (deployment.kubernetes.io/revision)",
    "deployment.kubernetes.io",
    "Deployment",
)
ROLLOUT = _rs_source(
    "kubernetes:replicaset",
    "ReplicaSets of the Rollout (rollout.argoproj.io/revision)",
    "rollout.argoproj.io",
    "Rollout",
)
CONTROLLER_REVISION = Source(
    record="kubernetes:controllerrevision",
    title="ControllerRevisions (apps/v1)",
    what="ControllerRevision",
    which=CONTROLLER_REVISIONS,
    revision=None,
    earlier=None,
    fields=(
        "controllerrevisions.apps metadata.ownerReferences",
        "revision",
        "metadata.creationTimestamp",
        "data.spec.template",
    ),
    note=(
        "A ControllerRevision records when a release began, not when it ended, whether it "
        f"succeeded or who started it; {CONFIG_NOTE}; a rollback reuses an earlier "
        "ControllerRevision, keeps no earlier number and records no time (it is seen only "
        "where a later-created revision has a lower number)."
    ),
)


def owned(found: list[Version], kind: str, name: str, uid: str | None) -> list[Version]:
    """The versions whose controller is the unit (by uid where both say it)."""
    return [
        v
        for v in found
        if any(k == kind and n == name and (not uid or not u or u == uid) for k, n, u in v.owners)
    ]


def _in(period: Period, when: datetime) -> bool:
    return period.start <= when <= period.end


@dataclass
class _Numbers:
    """Who held which revision number, and the reuses (rollbacks) they show."""

    numbered: list[tuple[int, Version]]  # by number: each version at its current number
    held: dict[int, Version]  # every number, current or earlier, to its version
    firsts: dict[str, int]  # uid -> the number it was created with (-1: not recorded)
    reuses: list[tuple[int, Version]]  # (the number it took when reused, the version)


def _numbers(src: Source, numbered: list[tuple[int, Version]]) -> _Numbers:
    """Reuses: each number a version took after its first (a ReplicaSet's
    revision-history), or, with no such annotation, a number above that of a
    version created after it."""
    held: dict[int, Version] = {}
    firsts: dict[str, int] = {}
    for n, v in numbered:
        held[n] = v
        for e in src.held_before(v):
            held.setdefault(e, v)
        firsts[v.uid] = min([n, *src.held_before(v)])
    reuses: list[tuple[int, Version]] = []
    for n, v in numbered:
        taken = sorted({n, *src.held_before(v)})
        reuses.extend((m, v) for m in taken[1:])
        later = src.earlier is None and any(
            k < n and o.created > v.created  # type: ignore[operator]
            for k, o in numbered
        )
        if len(taken) == 1 and later:
            reuses.append((n, v))
            firsts[v.uid] = -1  # its first number is not recorded
    return _Numbers(numbered, held, firsts, reuses)


def _rollbacks(src: Source, nums: _Numbers, period: Period, left: Counter[str]) -> dict[str, int]:
    """uid of each release a rollback replaced -> the number the rollback took;
    the rollbacks that must have happened in the period are counted in `left`."""
    rolled_back: dict[str, int] = {}
    for m, v in nums.reuses:
        replaced = nums.held.get(m - 1)
        if replaced is not None and replaced is not v:
            rolled_back[replaced.uid] = m
        before = [o.created for k, o in nums.held.items() if k < m and o is not v and o.created]
        if before and max(before) >= period.start:
            left[src.rollbacks] += 1  # it happened after all of these: in the period
    return rolled_back


def _restart(nums: _Numbers, v: Version) -> bool:
    """Only the template's restartedAt differs from the version before it."""
    first = nums.firsts[v.uid]
    previous = nums.held.get(first - 1) if first > 0 else None
    return (
        previous is not None
        and previous is not v
        and previous.template == v.template
        and previous.restarted_at != v.restarted_at
    )


def _covers_from(nums: _Numbers, limit: int, period: Period) -> datetime | None:
    """With `limit` old versions kept, older ones may have been deleted: every
    deleted one was created before any kept version that was not reused."""
    if len(nums.numbered) - 1 < limit:
        return None
    created = [v.created for _, v in nums.numbered if v.created]
    fresh = [v.created for _, v in nums.numbered if v.created and nums.firsts[v.uid] > 0]
    oldest = min(fresh or created)
    return oldest if oldest > period.start else None


def build(
    src: Source,
    owned_versions: list[Version],
    limit: Any,
    period: Period,
    current: Hook | None = None,
) -> History:
    """The History of one unit from the versions it owns (see the module's text)."""
    default = limit is None
    limit = DEFAULT_LIMIT if default else int(limit)
    left: Counter[str] = Counter()
    numbered: list[tuple[int, Version]] = []
    for v in owned_versions:
        n = src.number(v)
        if n is None or v.created is None:
            left[UNNUMBERED] += 1
        else:
            numbered.append((n, v))
    numbered.sort(key=lambda p: (p[0], p[1].name))
    nums = _numbers(src, numbered)
    rolled_back = _rollbacks(src, nums, period, left)
    reused_at = {(v.uid, m) for m, v in nums.reuses}
    releases: list[Release] = []
    for n, v in numbered:
        assert v.created is not None
        if not _in(period, v.created):
            continue
        if _restart(nums, v):
            left[RESTARTS] += 1
            continue
        first = nums.firsts[v.uid]
        detail = f"{src.what} {v.name} revision {first if first > 0 else n}"
        if v.images:
            detail += f" ({', '.join(v.images)})"
        if v.uid in rolled_back:
            detail += (
                f"; replaced by a return to an earlier {src.what} at revision "
                f"{rolled_back[v.uid]} (time not recorded)"
            )
        release = Release(
            source=src.record,
            id=v.uid,
            started=v.created,
            rolled_back=MANUAL if v.uid in rolled_back else None,
            detail=detail,
        )
        newest = numbered[-1][1] is v
        if current is not None and newest and (v.uid, n) not in reused_at:
            release = current(v, release)  # (after a rollback the status is the rollback's)
        releases.append(release)
    releases.sort(key=lambda r: (r.started, r.id))  # a reused version sorts by its creation
    shown_limit = f"spec.revisionHistoryLimit {limit}" + (", the default" if default else "")
    return History(
        source=src.title,
        releases=releases,
        covers_from=_covers_from(nums, limit, period),
        kept=f"the current {src.what} and the last {limit} old ones ({shown_limit})",
        note=src.note,
        left_out=dict(left),
        fields=list(src.fields),
    )


def unreadable(src: Source, namespace: str, unread: Unread) -> History:
    group, _, plural = src.which
    return History(
        source=src.title,
        error=f"cannot list {plural}.{group} in namespace {namespace}: {unread.message}",
        fields=list(src.fields),
    )


def said(ctx: KubeContext, unit: Observation) -> dict[str, Any]:
    """What the unit's own object said (uid, revisionHistoryLimit, status)."""
    return ctx.records.owners.get(unit.id, {}) if ctx.records is not None else {}


def of_owner(
    ctx: KubeContext,
    unit: Observation,
    period: Period,
    src: Source,
    kind: str,
    current: Hook | None = None,
) -> History:
    """The History of a unit whose controller owns its versions."""
    _, namespace, _, name = parse_id(unit.id)
    found = versions(ctx, src.which, namespace)
    if isinstance(found, Unread):
        return unreadable(src, namespace, found)
    own = said(ctx, unit)
    mine = owned(found, kind, name, own.get("uid"))
    return build(src, mine, own.get("limit"), period, current)


# -- Knative ----------------------------------------------------------------

KNATIVE = Source(
    record="kubernetes:knative-revision",
    title="Knative Revisions (serving.knative.dev)",
    what="Revision",
    which=KNATIVE_REVISIONS,
    revision=None,
    earlier=None,
    fields=(
        "revisions.serving.knative.dev metadata.labels[serving.knative.dev/service]",
        "metadata.labels[serving.knative.dev/configurationGeneration]",
        "metadata.creationTimestamp",
    ),
    note=(
        "A Revision records when it was created, not when traffic moved to it, whether it "
        "succeeded or who made it; any configuration change makes one, and traffic moves and "
        "rollbacks (pinning traffic to an earlier revision) make none, so they are not seen."
    ),
)
KNATIVE_SERVICE = "serving.knative.dev/service"


def knative(ctx: KubeContext, unit: Observation, period: Period, version: str) -> History:
    """A Knative Service's Revisions: one release each."""
    _, namespace, _, name = parse_id(unit.id)
    which = (KNATIVE.which[0], version, KNATIVE.which[2])
    found = versions(ctx, which, namespace)
    if isinstance(found, Unread):
        return unreadable(KNATIVE, namespace, found)
    mine = sorted(
        (v for v in found if v.labels.get(KNATIVE_SERVICE) == name and v.created),
        key=lambda v: (v.created, v.name),
    )
    left: Counter[str] = Counter()
    left[UNNUMBERED] += sum(1 for v in found if v.labels.get(KNATIVE_SERVICE) == name) - len(mine)
    releases = []
    for v in mine:
        assert v.created is not None
        if not _in(period, v.created):
            continue
        generation = v.labels.get("serving.knative.dev/configurationGeneration")
        detail = f"Revision {v.name}" + (f" (generation {generation})" if generation else "")
        if v.images:
            detail += f" ({', '.join(v.images)})"
        releases.append(
            Release(
                source=KNATIVE.record,
                id=v.uid,
                started=v.created,
                detail=detail,
            )
        )
    covers_from = None
    if len(mine) > KNATIVE_MIN_KEPT and mine[0].created and mine[0].created > period.start:
        covers_from = mine[0].created
    return History(
        source=KNATIVE.title,
        releases=releases,
        covers_from=covers_from,
        kept=(
            "Knative's revision garbage collection (config-gc defaults: at least 20 non-active "
            "revisions, older ones deleted after 48 hours; the cluster's own settings are not read)"
        ),
        note=KNATIVE.note,
        left_out={k: c for k, c in left.items() if c},
        fields=list(KNATIVE.fields),
    )
