"""The level distribution and each service's level over the last scans."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.store.store import Store


@dataclass(frozen=True)
class TrendPoint:
    started: dt.datetime
    levels: dict[str, int]
    not_assessed: int
    services: dict[str, int]

    @classmethod
    def from_summary(cls, started: dt.datetime, summary: dict[str, Any]) -> TrendPoint:
        return cls(
            started,
            dict(summary.get("levels", {})),
            int(summary.get("not_assessed", 0)),
            dict(summary.get("services", {})),
        )


def history_for(store: Store, scopes: list[str], limit: int = 10) -> list[TrendPoint]:
    """Complete scans of the same scopes, oldest first (the newest is this one)."""
    from scanner.store.store import scope_key

    rows = store.scans(limit=limit, complete_only=True, key=scope_key(scopes))
    return [TrendPoint.from_summary(r.started, r.summary or {}) for r in reversed(rows)]
