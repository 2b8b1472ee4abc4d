"""Handing the store's kept records back to a scan: `merge(history, stored)`.

When it is used: only when the scan has the store on (not `--no-store`) and
asks for history (`--history DAYS`). For each unit whose provider read
records, the scan asks the store for the unit's kept records in the period
and sets `unit.history = merge(unit.history, stored)` before the unit's
practice is derived: `KeptRecords(store, period)` is that step, called with
each Observation (the session makes it when it has a store and practice
settings; the engine calls it just before `effect.apply`). A store that
cannot be read leaves the unit with what the cloud returned, and says so in
its History's note. What it
merged is in `KeptRecords.used`, which an evidence bundle records
(kept-releases.json, scanner/evidence/history.py) so that `assess` merges
exactly the same records. `check` and `--no-store` scans do not merge.

The rules (docs/configuration.md, *Release records*):
- records are united by (source, record id); where the cloud still holds a
  record, the cloud's copy wins (it is the newest);
- `covers_from` moves back to the earliest coverage of the kept records that
  joins, without a gap, the coverage of what the cloud returned now: each
  kept record carries the span [covered_from of the scan that first saw it,
  period end of the scan that last saw it], and both scans held it, so that
  span has no gap. Spans are chained back from the cloud's `covers_from`;
  a kept record older than the chain's reach is left out, because between
  it and the rest some releases may never have been seen (scans further
  apart than the cloud keeps records);
- a History the cloud could not give (`unavailable`, `error`) is left as it
  is: the store cannot say what happened since the last scan.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from scanner.errors import one_line
from scanner.model import Observation
from scanner.practice.records import History
from scanner.practice.settings import Period
from scanner.store.releases import StoredRelease

if TYPE_CHECKING:
    from scanner.store.store import Store


def reach(covers_from: datetime | None, stored: Iterable[StoredRelease]) -> datetime | None:
    """How far back the records reach once the kept spans are chained to the
    cloud's `covers_from` (None: the cloud covers the whole period)."""
    if covers_from is None:
        return None
    reached = covers_from
    spans = sorted(((s.last_seen, s.covered_from) for s in stored), reverse=True)
    for end, start in spans:
        if end < reached:
            break  # a gap: nothing seen between this span's end and `reached`
        if start < reached:
            reached = start
    return reached


def merge(history: History, stored: Iterable[StoredRelease]) -> History:
    """The unit's History with the store's kept records added (see the module)."""
    if history.unavailable is not None or history.error is not None:
        return history
    kept = list(stored)
    if not kept:
        return history
    reached = reach(history.covers_from, kept)
    own = {(r.source, r.id) for r in history.releases}
    added = [
        s.release
        for s in kept
        if (s.release.source, s.release.id) not in own
        and (reached is None or s.release.started >= reached)
    ]
    added = list({(r.source, r.id): r for r in added}.values())
    if not added and reached == history.covers_from:
        return history
    releases = sorted([*history.releases, *added], key=lambda r: (r.started, r.source, r.id))
    kept_text = history.kept
    if added:
        extra = f"{len(added)} more kept by relscan's store from earlier scans"
        kept_text = f"{kept_text}; {extra}" if kept_text else extra
    return dataclasses.replace(
        history,
        releases=releases,
        covers_from=reached,
        kept=kept_text,
    )


def mergeable(history: History | None) -> bool:
    """Whether a unit's History takes kept records (see the module)."""
    return history is not None and history.unavailable is None and history.error is None


class KeptRecords:
    """The scan's step that merges the store's kept records into each unit's
    History (the scan's threads call it side by side). `used` holds, per
    unit, the kept records offered to `merge`, for the evidence bundle."""

    def __init__(self, store: Store, period: Period) -> None:
        self.store = store
        self.period = period
        self.used: dict[str, list[StoredRelease]] = {}
        self._lock = threading.Lock()
        # Every kept record of the period by unit, read once by the first
        # unit that asks (the others wait), or why the store could not be read.
        self._kept: dict[str, list[StoredRelease]] | str | None = None
        self._reading = threading.Lock()

    def kept(self) -> dict[str, list[StoredRelease]] | str:
        """The period's kept records by unit: one query for the whole scan,
        not one per unit."""
        with self._reading:
            if self._kept is None:
                try:
                    self._kept = self.store.releases_by_unit(since=self.period.start)
                except SQLAlchemyError as exc:
                    self._kept = f"relscan's store could not be read ({one_line(exc.orig or exc)})"
            return self._kept

    def __call__(self, unit: Observation) -> None:
        history = unit.history
        if history is None or not mergeable(history):
            return
        kept = self.kept()
        if isinstance(kept, str):  # the unit keeps what the cloud returned
            note = f"{history.note}; {kept}" if history.note else kept
            unit.history = dataclasses.replace(history, note=note)
            return
        stored = kept.get(unit.id)
        if not stored:
            return
        with self._lock:
            self.used[unit.id] = stored
        unit.history = merge(history, stored)
