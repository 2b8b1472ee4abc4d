"""The store's records a --history scan merged, kept in its evidence bundle.

A scan with the store on merges the store's kept records from earlier scans
into each unit's History before its practice is derived
(scanner/store/merge.py, `KeptRecords`). The records it merged are written
to `kept-releases.json` in the bundle (listed in the manifest like every
file), and `assess` merges the very same ones (`RecordedKept`), never the
store's, so the replay derives the same practice. (The period, time zone
and working hours are in the manifest's `practice` block:
scanner.practice.settings.settings_record.)
"""

from __future__ import annotations

import json
from pathlib import Path

from scanner.errors import UsageError
from scanner.model import Observation
from scanner.store.merge import merge, mergeable
from scanner.store.releases import StoredRelease

KEPT = "kept-releases.json"


def write_kept(folder: Path, used: dict[str, list[StoredRelease]] | None) -> None:
    """Write the kept records a scan merged, per unit (nothing when none)."""
    if not used:
        return
    doc = {unit: [s.record() for s in stored] for unit, stored in sorted(used.items())}
    (folder / KEPT).write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")


class RecordedKept:
    """`assess`'s stand-in for the store: merges into each unit's History
    the kept records the scan merged, as the bundle recorded them."""

    def __init__(self, used: dict[str, list[StoredRelease]]) -> None:
        self.used = used

    def __call__(self, unit: Observation) -> None:
        history, stored = unit.history, self.used.get(unit.id)
        if history is not None and stored and mergeable(history):
            unit.history = merge(history, stored)


def recorded_kept(folder: Path) -> RecordedKept | None:
    """The bundle's kept records (None: the scan merged none)."""
    path = folder / KEPT
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        used = {
            str(unit): [StoredRelease.from_record(d) for d in stored]
            for unit, stored in doc.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{path}: the kept release records cannot be read ({exc})") from None
    return RecordedKept(used)
