"""The release records the store keeps (the `releases` table).

Every record a scan read (each Assessment's `practice.releases`) is kept
once per (unit id, source, record id), with the scan that first saw it and
the scan that last saw it. A record seen again is updated in place, so a
release first read `in_progress` becomes `succeeded` when a later scan reads
it finished; a later scan that finished first is never overwritten by an
earlier one (the update keeps the newest sighting). Scheduled scans so build
a history longer than the clouds keep; `merge.py` hands it back to a scan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.engine import Connection

from scanner.model import Assessment
from scanner.practice.records import Release
from scanner.store.tables import releases

BATCH = 500  # release rows upserted, and unit ids asked for, at a time
KEY = ("unit_id", "source", "record_id")
# What a newer sighting replaces; the first sighting (scan, time) stays.
UPDATED = (
    "provider",
    "kind",
    "unit_name",
    "service",
    "started",
    "outcome",
    "record",
    "last_seen",
    "last_scan_id",
)


@dataclass(frozen=True)
class StoredRelease:
    """One kept record and the unit it belongs to. `covered_from` is how far
    back the records of the scan that first saw it reached, and `last_seen`
    when the last scan that saw it ended its period: between the two the
    records this scan and that one read leave no gap (both hold this record)."""

    unit_id: str
    unit_name: str
    provider: str
    kind: str
    service: str | None
    release: Release
    covered_from: dt.datetime
    first_seen: dt.datetime
    last_seen: dt.datetime
    first_scan_id: int | None
    last_scan_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "unit": self.unit_name,
            "provider": self.provider,
            "kind": self.kind,
            "service": self.service,
            **self.release.as_dict(),
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
        }

    def record(self) -> dict[str, Any]:
        """Everything kept, as JSON (an evidence bundle's kept-releases.json)."""
        return {
            **self.as_dict(),
            "record": self.release.as_dict(),
            "covered_from": _iso(self.covered_from),
            "first_scan_id": self.first_scan_id,
            "last_scan_id": self.last_scan_id,
        }

    @classmethod
    def from_record(cls, d: dict[str, Any]) -> StoredRelease:
        return cls(
            unit_id=d["unit_id"],
            unit_name=d["unit"],
            provider=d["provider"],
            kind=d["kind"],
            service=d.get("service"),
            release=Release.from_dict(d["record"]),
            covered_from=_parse(d["covered_from"]),
            first_seen=_parse(d["first_seen"]),
            last_seen=_parse(d["last_seen"]),
            first_scan_id=d.get("first_scan_id"),
            last_scan_id=d.get("last_scan_id"),
        )


def rows_of(scan_id: int, units: Iterable[Assessment]) -> Iterator[dict[str, Any]]:
    """One row per record of each unit with practice (a unit seen twice in
    one scan gives its records once)."""
    seen: set[tuple[str, str, str]] = set()
    for a in units:
        practice = a.practice
        if practice is None:
            continue
        for r in practice.releases:
            key = (a.id, r.source, r.id)
            if key in seen:
                continue
            seen.add(key)
            yield {
                "unit_id": a.id,
                "source": r.source,
                "record_id": r.id,
                "provider": a.provider,
                "kind": a.kind,
                "unit_name": a.name,
                "service": a.service,
                "started": _utc(r.started),
                "outcome": r.outcome,
                "record": r.as_dict(),
                "covered_from": _utc(practice.covered_from),
                "first_seen": _utc(practice.period_end),
                "last_seen": _utc(practice.period_end),
                "first_scan_id": scan_id,
                "last_scan_id": scan_id,
            }


def keep(conn: Connection, scan_id: int, units: Iterable[Assessment], batch: int = BATCH) -> int:
    """Upsert the scan's records, `batch` at a time, in the caller's
    transaction; return how many were written."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(releases)
    newer = stmt.excluded.last_seen >= releases.c.last_seen
    values: dict[str, Any] = {name: stmt.excluded[name] for name in UPDATED}
    # Two scans that both held the record leave no gap between them: the kept
    # reach is the furthest either had.
    values["covered_from"] = case(
        (stmt.excluded.covered_from < releases.c.covered_from, stmt.excluded.covered_from),
        else_=releases.c.covered_from,
    )
    stmt = stmt.on_conflict_do_update(index_elements=list(KEY), set_=values, where=newer)
    count = 0
    rows: list[dict[str, Any]] = []
    for row in rows_of(scan_id, units):
        rows.append(row)
        if len(rows) >= batch:
            conn.execute(stmt, rows)
            count, rows = count + len(rows), []
    if rows:
        conn.execute(stmt, rows)
        count += len(rows)
    return count


def read(
    conn: Connection,
    unit_ids: list[str] | None = None,
    service: str | None = None,
    since: dt.datetime | None = None,
) -> list[StoredRelease]:
    """The kept records of these units, or of this service, that started at
    or after `since`; newest first."""
    base = select(releases)
    if since is not None:
        base = base.where(releases.c.started >= _utc(since))
    if service is not None:
        base = base.where(releases.c.service == service)
    found: list[StoredRelease] = []
    if unit_ids is None:
        found = [_stored(r) for r in conn.execute(base).mappings()]
    else:
        ids = list(dict.fromkeys(unit_ids))
        for start in range(0, len(ids), BATCH):
            query = base.where(releases.c.unit_id.in_(ids[start : start + BATCH]))
            found.extend(_stored(r) for r in conn.execute(query).mappings())
    found.sort(key=lambda s: (s.release.started, s.unit_id, s.release.source, s.release.id))
    found.reverse()
    return found


def services(conn: Connection) -> list[str]:
    """The services that have kept records."""
    query = select(releases.c.service).where(releases.c.service.is_not(None)).distinct()
    return sorted(str(s) for s in conn.execute(query).scalars())


def _stored(r: Any) -> StoredRelease:
    return StoredRelease(
        unit_id=r["unit_id"],
        unit_name=r["unit_name"],
        provider=r["provider"],
        kind=r["kind"],
        service=r["service"],
        release=Release.from_dict(r["record"]),
        covered_from=_utc(r["covered_from"]),
        first_seen=_utc(r["first_seen"]),
        last_seen=_utc(r["last_seen"]),
        first_scan_id=r["first_scan_id"],
        last_scan_id=r["last_scan_id"],
    )


def _utc(value: dt.datetime) -> dt.datetime:
    """Every time stored is UTC (SQLite drops the zone)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _parse(text: str) -> dt.datetime:
    return _utc(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))


def _iso(value: dt.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
