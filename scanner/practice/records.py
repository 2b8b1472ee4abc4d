"""What a provider hands over: one unit's deployment records for the period.

A `Release` is one record from the cloud (a CodeDeploy deployment, an ECS
service deployment, a Cloud Deploy rollout, a ReplicaSet revision...). The
provider converts the API's fields and says nothing about levels, windows or
rates; the core derives those (scanner/practice/practice.py).

Records that are not releases (scale-out and replacement deployments,
platform maintenance, configuration-only revisions where the source says so)
are left out by the provider, which counts them in `History.left_out` with
the reason, so that the evidence can say what was excluded and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Outcomes, as far as the source tells them.
SUCCEEDED = "succeeded"
FAILED = "failed"
STOPPED = "stopped"
IN_PROGRESS = "in_progress"
UNKNOWN = "unknown"  # the source records no outcome (a Cloud Run revision, a ReplicaSet)
OUTCOMES = (SUCCEEDED, FAILED, STOPPED, IN_PROGRESS, UNKNOWN)

# Who rolled a release back.
AUTOMATIC = "automatic"
MANUAL = "manual"
ROLLBACK_BY = (AUTOMATIC, MANUAL)

# What a record is.
RELEASE = "release"  # a new version sent to the unit's users
ROLLBACK = "rollback"  # a record that restores an earlier version (CodeDeploy codeDeployRollback)
RECORD_KINDS = (RELEASE, ROLLBACK)


@dataclass(frozen=True, slots=True)
class Release:
    """One deployment record.

    `started` is when it began to update or shift traffic, after any
    approval (timezone-aware, UTC); `ended` when it finished, or None while
    it runs or where the source records no end. `rolled_back` says whether
    this release was rolled back, and by whom (`automatic`: the cloud, on a
    health check or alarm; `manual`: a person), where the source says so;
    `restored` is when the earlier version was back (the rollback's end), if
    recorded. `started_by` is who or what started it, as the API names it
    (the API fields a source reads are its History's `fields`).
    """

    source: str  # the API the record came from, e.g. "codedeploy:deployment"
    id: str  # the record's own id in that source: with `source`, the dedup key
    started: datetime
    ended: datetime | None = None
    outcome: str = UNKNOWN
    kind: str = RELEASE
    rolled_back: str | None = None  # AUTOMATIC | MANUAL | None
    restored: datetime | None = None
    started_by: str | None = None
    detail: str = ""  # one line from the source: a status reason, an error code

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "id": self.id,
            "started": _iso(self.started),
            "ended": _iso(self.ended),
            "outcome": self.outcome,
            "kind": self.kind,
            "rolled_back": self.rolled_back,
            "restored": _iso(self.restored),
            "started_by": self.started_by,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Release:
        return cls(
            source=data["source"],
            id=data["id"],
            started=_parse(data["started"]),  # type: ignore[arg-type]
            ended=_parse(data.get("ended")),
            outcome=data.get("outcome") or UNKNOWN,
            kind=data.get("kind") or RELEASE,
            rolled_back=data.get("rolled_back"),
            restored=_parse(data.get("restored")),
            started_by=data.get("started_by"),
            detail=data.get("detail") or "",
        )


@dataclass(frozen=True, slots=True)
class DeclaredWindow:
    """A release window the configuration declares (a Cloud Deploy deploy
    policy's weeklyWindows, a timed promotion schedule): the days (0 Monday
    .. 6 Sunday) and local times in `timezone` when releases may start.
    `end` before `start` wraps past midnight. `field` is the API field read."""

    days: tuple[int, ...]
    start: str  # "HH:MM"
    end: str  # "HH:MM"
    timezone: str
    field: str
    description: str = ""


@dataclass(slots=True)
class History:
    """One unit's deployment records for the period asked.

    `covers_from` is the earliest time the records can hold (the source's
    retention: 90 days for ECS, six weeks for instance refreshes); None when
    they cover the whole period asked. `kept` says how the source keeps them
    ("90 days", "the last 10 revisions"), for the evidence. `unavailable` is
    set, instead of records, when the source keeps none (a Lambda alias: no
    API records its moves); `error` when the records could not be read.
    """

    source: str  # what was read, for people: "CodeDeploy deployments"
    releases: list[Release] = field(default_factory=list)
    covers_from: datetime | None = None
    kept: str = ""
    note: str = ""  # what the records cannot say (no end times, no outcome...)
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> records not releases
    declared_windows: list[DeclaredWindow] = field(default_factory=list)
    unavailable: str | None = None
    error: str | None = None
    fields: list[str] = field(default_factory=list)  # the API fields the records were read from


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _parse(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
