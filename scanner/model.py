"""The data that flows through a scan: observations in, assessments out.

Providers build `Observation`s (facts read from a cloud API); the classifier
turns each into an `Assessment`; the engine gathers them in a `ScanResult`;
outputs, reports and the store read only these types (and `TrendPoint`s of
earlier scans), never the engine that produced them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scanner import __version__

if TYPE_CHECKING:
    from scanner.practice.practice import Practice
    from scanner.practice.records import History

FactValue = str | int | float | bool | list[str] | None


def shared(text: str) -> str:
    """One copy of a string many units repeat (a kind, an account, a field path,
    a tag): a scan keeps every unit's Assessment until its outputs are written."""
    return sys.intern(text) if type(text) is str else text


def _shared_value(value: FactValue) -> FactValue:
    """A short string value (an enum, a flag, a name) shared like the keys; a
    list of them too. Long strings are left as they are (they rarely repeat)."""
    if type(value) is str and len(value) <= SHARED_LENGTH:
        return sys.intern(value)
    if type(value) is list:
        return [_shared_value(v) for v in value]  # type: ignore[misc]
    return value


SHARED_LENGTH = 64


@dataclass(frozen=True, slots=True)
class Fact:
    """One configuration value, with the API field it was read from.

    `value` is None when the API left the field out (read, but absent).
    `error` is set when the field could not be read at all; the value is then
    unknown, which is different from absent.
    """

    name: str
    field: str
    value: FactValue = None
    error: str | None = None
    raw: Any = None  # the value exactly as the API gave it, where `value` was converted

    @property
    def known(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class Observation:
    """One release unit as a provider saw it."""

    id: str
    provider: str
    kind: str
    name: str
    account: str
    location: str
    tags: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    # The unit's deployment records, when the scan asked for history
    # (scanner/practice/records.py); None when it did not.
    history: History | None = None

    def add(self, name: str, field_path: str, value: FactValue, raw: Any = None) -> None:
        self.facts[name] = Fact(name, field_path, value, raw=value if raw is None else raw)

    def unknown(self, name: str, field_path: str, error: str) -> None:
        self.facts[name] = Fact(name, field_path, None, error)


@dataclass(frozen=True, slots=True)
class Evidence:
    field: str
    value: FactValue

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", shared(self.field))
        object.__setattr__(self, "value", _shared_value(self.value))

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value}


ASSESSED = "assessed"
NOT_ASSESSED = "not_assessed"


@dataclass(slots=True)
class Assessment:
    """The verdict on one release unit, with everything that decided it.

    A scan keeps every unit's Assessment until its outputs are written, so it
    holds only what the outputs need (no Observation, no API response), in
    slots, with the strings that units repeat (provider, kind, account,
    location, status, rule, tags, field paths) shared."""

    id: str
    provider: str
    kind: str
    name: str
    account: str
    location: str
    tags: dict[str, str]
    level: int | None
    status: str
    rule: str | None
    reason: str
    evidence: list[Evidence]
    next_steps: list[str]
    service: str | None = None
    basis: str | None = None  # "policy" or "snapshot": what the deciding rule rests on
    # What the unit's deployment records say (--history), applied to the
    # verdict by scanner/practice/effect.py; None without --history.
    practice: Practice | None = None

    def __post_init__(self) -> None:
        self.provider = shared(self.provider)
        self.kind = shared(self.kind)
        self.account = shared(self.account)
        self.location = shared(self.location)
        self.status = shared(self.status)
        self.rule = shared(self.rule) if self.rule is not None else None
        self.basis = shared(self.basis) if self.basis is not None else None
        self.tags = {shared(k): _shared_value(v) for k, v in self.tags.items()}  # type: ignore[misc]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "kind": self.kind,
            "name": self.name,
            "account": self.account,
            "location": self.location,
            "tags": dict(self.tags),
            "service": self.service,
            "level": self.level,
            "status": self.status,
            "rule": self.rule,
            "basis": self.basis,
            "reason": self.reason,
            "evidence": [e.as_dict() for e in self.evidence],
            "next_steps": list(self.next_steps),
            **({"practice": self.practice.as_dict()} if self.practice is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        return cls(
            id=data["id"],
            provider=data["provider"],
            kind=data["kind"],
            name=data["name"],
            account=data["account"],
            location=data["location"],
            tags=dict(data.get("tags") or {}),
            level=data.get("level"),
            status=data["status"],
            rule=data.get("rule"),
            reason=data.get("reason", ""),
            evidence=[Evidence(e["field"], e["value"]) for e in data.get("evidence", [])],
            next_steps=list(data.get("next_steps", [])),
            service=data.get("service"),
            basis=data.get("basis"),
            practice=_practice(data.get("practice")),
        )


def _practice(data: dict[str, Any] | None) -> Practice | None:
    if not data:
        return None
    from scanner.practice.practice import Practice

    return Practice.from_dict(data)


@dataclass(frozen=True)
class ScopeError:
    """Something in one scope (an account and region, a service in it) failed.

    What other scopes found is kept; the scan exits 3.
    """

    provider: str
    scope: str
    service: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "provider": self.provider,
            "scope": self.scope,
            "service": self.service,
            "message": self.message,
        }


def sort_key(a: Assessment) -> tuple[str, str, str, str, str]:
    return (a.provider, a.account, a.location, a.kind, a.id)


@dataclass
class ScanResult:
    started: datetime
    finished: datetime | None = None
    scopes: list[str] = field(default_factory=list)
    errors: list[ScopeError] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    tool_version: str = __version__
    scopes_done: int = 0

    @property
    def seconds(self) -> float:
        end = self.finished or datetime.now(UTC)
        return (end - self.started).total_seconds()


@dataclass(frozen=True)
class TrendPoint:
    started: datetime
    levels: dict[str, int]
    not_assessed: int
    services: dict[str, int]

    @classmethod
    def from_summary(cls, started: datetime, summary: dict[str, Any]) -> TrendPoint:
        return cls(
            started,
            dict(summary.get("levels", {})),
            int(summary.get("not_assessed", 0)),
            dict(summary.get("services", {})),
        )
