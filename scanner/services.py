"""Release units belong to services; services and the estate get a level.

A unit's service comes from an explicit assignment (an id pattern) if one
matches, else from the first configured tag key it carries. A service is only
as safe as its weakest release path: its level is the lowest among its
assessed units. The estate's answer is given the same way; it is 0 ("I don't
know") where nothing could be assessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import translate
from functools import cached_property

from scanner.errors import UsageError
from scanner.model import Assessment

# Kubernetes' recommended labels name the application a workload is part of,
# then the component (issue 18); other clouds' tags never carry these keys.
DEFAULT_TAG_KEYS = (
    "service",
    "Service",
    "app.kubernetes.io/part-of",
    "app",
    "app.kubernetes.io/name",
)
UNASSIGNED = "Unassigned"
_WILDCARDS = re.compile(r"[*?\[]")


class Glob:
    """A shell-style pattern (fnmatch's), matched case-insensitively. Its
    literal prefix and suffix file it in the index; the regular expression is
    compiled once, the first time a unit with that prefix or suffix is tried."""

    __slots__ = ("_regex", "prefix", "suffix", "text")

    def __init__(self, pattern: str) -> None:
        self.text = text = pattern.lower()
        first = _WILDCARDS.search(text)
        self.prefix = text[: first.start()] if first else text
        # After a `[...]` class the text is literal only from its `]`, which a
        # class may itself hold ([]]): such a pattern is filed by its prefix alone.
        last = _WILDCARDS.search(text[::-1])
        self.suffix = "" if "[" in text else text[len(text) - last.start() :] if last else text
        self._regex: re.Pattern[str] | None = None

    def matches(self, lowered: str) -> bool:
        """Whether `lowered` (an id already in lower case) matches."""
        if self._regex is None:
            self._regex = re.compile(translate(self.text))
        return self._regex.match(lowered) is not None


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


class _PatternIndex:
    """Every assignment's pattern compiled once, filed under its literal
    prefix (the text before the first wildcard) or, when it starts with a
    wildcard, its literal suffix, so a unit is tried only against the patterns
    whose prefix (or suffix) it has: one dictionary look-up per distinct length
    instead of one match per pattern. Only patterns wild at both ends are tried
    on every unit. The first assignment that matches, in the order given, wins."""

    def __init__(self, assignments: list[Assignment]) -> None:
        self.heads: dict[int, dict[str, list[tuple[int, Glob]]]] = {}
        self.tails: dict[int, dict[str, list[tuple[int, Glob]]]] = {}
        for index, assignment in enumerate(assignments):
            glob = Glob(assignment.pattern)
            table, key = (self.heads, glob.prefix) if glob.prefix else (self.tails, glob.suffix)
            table.setdefault(len(key), {}).setdefault(key, []).append((index, glob))

    def first(self, resource_id: str) -> int | None:
        lowered = resource_id.lower()
        best: int | None = None
        size = len(lowered)
        for table, cut in (
            (self.heads, lambda n: lowered[:n]),
            (self.tails, lambda n: lowered[size - n :]),
        ):
            for length, by_key in table.items():
                if length > size:
                    continue
                for index, glob in by_key.get(cut(length), ()):
                    if best is not None and index > best:
                        break  # each list is in the order given
                    if glob.matches(lowered):
                        best = index
                        break
        return best


@dataclass
class ServiceConfig:
    tag_keys: tuple[str, ...] = DEFAULT_TAG_KEYS
    assignments: list[Assignment] = field(default_factory=list)

    @cached_property
    def _index(self) -> _PatternIndex:
        return _PatternIndex(self.assignments)

    def service_of(self, a: Assessment) -> str | None:
        if self.assignments:
            found = self._index.first(a.id)
            if found is not None:
                return self.assignments[found].service
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
