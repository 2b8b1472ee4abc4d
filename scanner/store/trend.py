"""The level distribution and each service's level over the last scans."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.model import TrendPoint

if TYPE_CHECKING:
    from scanner.store.store import Store


def history_for(store: Store, scopes: list[str], limit: int = 10) -> list[TrendPoint]:
    """Complete scans of the same scopes, oldest first (the newest is this one)."""
    from scanner.store.store import scope_key

    rows = store.scans(limit=limit, complete_only=True, key=scope_key(scopes))
    return [TrendPoint.from_summary(r.started, r.summary or {}) for r in reversed(rows)]
