"""Release units belong to services; services and the estate get a level.

A unit's service comes from an explicit assignment (an id pattern) if one
matches, else from the first configured tag key it carries. A service is only
as safe as its weakest release path: its level is the lowest among its
assessed units. The estate's answer is given the same way; it is 0 ("I don't
know") where nothing could be assessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from scanner.errors import UsageError
from scanner.model import Assessment

DEFAULT_TAG_KEYS = ("service", "Service", "app")
UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class Assignment:
    pattern: str  # shell-style, matched case-insensitively against the native id
    service: str

    @classmethod
    def parse(cls, text: str) -> Assignment:
        pattern, sep, service = text.rpartition("=")
        if not sep or not pattern.strip() or not service.strip():
            raise UsageError(f"--assign {text!r}: expected ID_PATTERN=SERVICE")
        return cls(pattern.strip(), service.strip())

    def matches(self, resource_id: str) -> bool:
        return fnmatchcase(resource_id.lower(), self.pattern.lower())


@dataclass
class ServiceConfig:
    tag_keys: tuple[str, ...] = DEFAULT_TAG_KEYS
    assignments: list[Assignment] = field(default_factory=list)

    def service_of(self, a: Assessment) -> str | None:
        for assignment in self.assignments:
            if assignment.matches(a.id):
                return assignment.service
        for key in self.tag_keys:
            value = a.tags.get(key)
            if value and value.strip():
                return value.strip()
        return None


def assign_services(assessments: Iterable[Assessment], config: ServiceConfig) -> None:
    for a in assessments:
        a.service = config.service_of(a)


def service_name(a: Assessment) -> str:
    return a.service or UNASSIGNED


@dataclass
class Rollup:
    """The answer for a group of units (a service, an account, the estate)."""

    name: str
    units: list[Assessment] = field(default_factory=list)

    @property
    def assessed(self) -> list[Assessment]:
        return [u for u in self.units if u.level is not None]

    @property
    def level(self) -> int:
        """The lowest assessed level; 0 ("I don't know") when none was assessed."""
        levels = [u.level for u in self.assessed if u.level is not None]
        return min(levels) if levels else 0

    @property
    def distribution(self) -> dict[str, int]:
        counts = {str(lv): 0 for lv in range(1, 6)}
        for u in self.assessed:
            counts[str(u.level)] += 1
        counts["not_assessed"] = len(self.units) - len(self.assessed)
        return counts

    @property
    def weakest(self) -> list[Assessment]:
        return [u for u in self.assessed if u.level == self.level]


def rollup(units: Iterable[Assessment], key: str) -> list[Rollup]:
    """Group units by `service`, `provider` or `account` (provider/account)."""
    groups: dict[str, Rollup] = {}
    for u in units:
        if key == "service":
            name = service_name(u)
        elif key == "account":
            name = f"{u.provider}:{u.account}"
        else:
            name = getattr(u, key)
        groups.setdefault(name, Rollup(name)).units.append(u)
    ordered = sorted(groups.values(), key=lambda r: (r.name == UNASSIGNED, r.name.lower()))
    return ordered
