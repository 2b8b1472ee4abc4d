"""Comparing two scans: what went up, down, appeared, disappeared."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from scanner.model import ScanResult

UP, DOWN, APPEARED, DISAPPEARED = "up", "down", "appeared", "disappeared"
NEWLY_NOT_ASSESSED, NEWLY_ASSESSED = "newly_not_assessed", "newly_assessed"
ORDER = (DOWN, NEWLY_NOT_ASSESSED, DISAPPEARED, APPEARED, NEWLY_ASSESSED, UP)


@dataclass(frozen=True)
class Change:
    change: str
    id: str
    name: str
    provider: str
    service: str | None
    before: int | None
    after: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def diff(old: ScanResult, new: ScanResult) -> list[Change]:
    before = {a.id: a for a in old.assessments}
    after = {a.id: a for a in new.assessments}
    changes: list[Change] = []
    for uid in sorted(before.keys() | after.keys()):
        a, b = before.get(uid), after.get(uid)
        unit = b or a
        assert unit is not None
        old_level = a.level if a else None
        new_level = b.level if b else None
        if a is None:
            kind = APPEARED
        elif b is None:
            kind = DISAPPEARED
        elif old_level is not None and new_level is None:
            kind = NEWLY_NOT_ASSESSED
        elif old_level is None and new_level is not None:
            kind = NEWLY_ASSESSED
        elif old_level != new_level and old_level is not None and new_level is not None:
            kind = UP if new_level > old_level else DOWN
        else:
            continue
        changes.append(
            Change(
                kind, uid, unit.name, unit.provider, unit.service, old_level, new_level, unit.reason
            )
        )
    changes.sort(key=lambda c: (ORDER.index(c.change), c.provider, c.id))
    return changes


def regressed(changes: list[Change]) -> bool:
    return any(c.change == DOWN for c in changes)
