"""Writing scans to the history database and reading them back.

A scan is recorded as `running` when it starts (its own small transaction), and
its assessments are written with the change to `complete` in one transaction
at the end. A scan that is interrupted is marked `interrupted`; a killed one
stays `running`, shown as incomplete. Nothing half-written ever looks complete,
and earlier scans are never touched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from scanner.errors import UsageError, one_line
from scanner.model import Assessment, ScanResult, ScopeError
from scanner.services import rollup
from scanner.store import releases as kept_releases
from scanner.store.releases import StoredRelease
from scanner.store.tables import assessments, scans
from scanner.summary import summarise

COMPLETE, RUNNING, INTERRUPTED = "complete", "running", "interrupted"
BATCH = 500  # assessment rows made and inserted at a time (all in the scan's one transaction)
# The URL schemes of the two databases relscan supports (SQLAlchemy's spellings).
SCHEMES = ("sqlite", "sqlite+pysqlite", "postgresql", "postgres", "postgresql+psycopg")


def default_url() -> str:
    """RELSCAN_STORE, else SQLite in the user's data folder (no setup)."""
    if os.environ.get("RELSCAN_STORE"):
        return os.environ["RELSCAN_STORE"]
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("relscan", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'history.db'}"


def scope_key(scopes: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(scopes)).encode()).hexdigest()[:16]


def safe_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable store URL>"


@dataclass
class ScanRow:
    id: int
    uid: str
    status: str
    started: dt.datetime
    finished: dt.datetime | None
    tool_version: str
    scope_key: str
    group_id: str | None
    shard: str | None
    scopes: list[str]
    errors: list[dict[str, str]]
    summary: dict[str, Any] | None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)  # SQLite drops the zone; every time stored is UTC


class Store:
    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.engine = self._connect(self.url)
        self._migrate()

    @staticmethod
    def _connect(url: str) -> Engine:
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        if scheme not in SCHEMES:
            problem = f"unsupported scheme {scheme!r}" if scheme else "not a database URL"
            raise UsageError(
                f"store {safe_url(url)}: {problem}; relscan keeps history in "
                "sqlite:///PATH or postgresql://USER@HOST/DATABASE"
            )
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        try:
            engine = create_engine(url, future=True)
        except (ArgumentError, SQLAlchemyError, ImportError) as exc:
            raise UsageError(f"store {safe_url(url)}: {one_line(exc)}") from None
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def _migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("scanner.store").joinpath("migrations"))
        )
        try:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise UsageError(f"store {safe_url(self.url)}: {one_line(exc.orig or exc)}") from None

    # -- writing --------------------------------------------------------------
    def begin_scan(
        self,
        started: dt.datetime,
        tool_version: str,
        scopes: list[str],
        group_id: str | None = None,
        shard: str | None = None,
    ) -> str:
        uid = str(uuid.uuid4())
        with self.engine.begin() as conn:
            conn.execute(
                insert(scans).values(
                    uid=uid,
                    status=RUNNING,
                    started=started,
                    tool_version=tool_version,
                    scope_key=scope_key(scopes),
                    group_id=group_id,
                    shard=shard,
                    scopes=scopes,
                    errors=[],
                )
            )
        return uid

    def finish_scan(self, uid: str, result: ScanResult, batch: int = BATCH) -> None:
        """Write the scan's assessments and mark it complete, in one transaction;
        the rows are made and inserted `batch` at a time, so only one batch of
        them is ever held."""
        with self.engine.begin() as conn:
            scan_id = conn.execute(select(scans.c.id).where(scans.c.uid == uid)).scalar_one()
            units = result.assessments
            for start in range(0, len(units), batch):
                rows = [_row(scan_id, a) for a in units[start : start + batch]]
                conn.execute(insert(assessments), rows)
            kept_releases.keep(conn, scan_id, units, batch)
            conn.execute(
                update(scans)
                .where(scans.c.id == scan_id)
                .values(
                    status=COMPLETE,
                    finished=result.finished,
                    scopes=result.scopes,
                    errors=[e.as_dict() for e in result.errors],
                    summary=_summary(result),
                )
            )

    def mark(self, uid: str, status: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(scans).where(scans.c.uid == uid).values(status=status))

    def save(
        self, result: ScanResult, group_id: str | None = None, shard: str | None = None
    ) -> str:
        uid = self.begin_scan(result.started, result.tool_version, result.scopes, group_id, shard)
        self.finish_scan(uid, result)
        return uid

    # -- reading --------------------------------------------------------------
    def scans(
        self, limit: int = 50, complete_only: bool = False, key: str | None = None
    ) -> list[ScanRow]:
        query = select(scans).order_by(scans.c.started.desc(), scans.c.id.desc()).limit(limit)
        if complete_only:
            query = query.where(scans.c.status == COMPLETE)
        if key:
            query = query.where(scans.c.scope_key == key)
        with self.engine.connect() as conn:
            return [_scan_row(r) for r in conn.execute(query).mappings()]

    def find(self, ref: str) -> ScanRow:
        """A scan by id number, uid (or a unique prefix of it), or `latest`."""
        with self.engine.connect() as conn:
            if ref == "latest":
                query = (
                    select(scans)
                    .where(scans.c.status == COMPLETE)
                    .order_by(scans.c.started.desc(), scans.c.id.desc())
                    .limit(1)
                )
            elif ref.isdigit():
                query = select(scans).where(scans.c.id == int(ref))
            else:
                query = select(scans).where(scans.c.uid.like(f"{ref}%")).limit(2)
            rows = [_scan_row(r) for r in conn.execute(query).mappings()]
            if not rows and ref.isdigit():  # a uid prefix can be all digits too
                query = select(scans).where(scans.c.uid.like(f"{ref}%")).limit(2)
                rows = [_scan_row(r) for r in conn.execute(query).mappings()]
        if len(rows) != 1:
            raise UsageError(self._nothing_matches(ref))
        return rows[0]

    def _nothing_matches(self, ref: str) -> str:
        held = self.count()
        where = f"the store {safe_url(self.url)}"
        if held == 0:
            return f"{where} holds no scan yet; run `relscan scan` to record one"
        if ref == "latest":
            return (
                f"{where} holds no complete scan yet ({held} incomplete or interrupted; "
                "see `relscan history`)"
            )
        return f"no single scan matches {ref!r} (see `relscan history`)"

    def load(self, row: ScanRow) -> ScanResult:
        with self.engine.connect() as conn:
            found = conn.execute(
                select(assessments)
                .where(assessments.c.scan_id == row.id)
                .order_by(assessments.c.id)
            ).mappings()
            units = [_assessment(r) for r in found]
        result = ScanResult(started=_utc(row.started) or row.started)
        result.finished = _utc(row.finished)
        result.tool_version = row.tool_version
        result.scopes = list(row.scopes)
        result.errors = [ScopeError(**e) for e in row.errors]
        result.assessments = units
        return result

    def releases(
        self,
        unit_ids: list[str] | None = None,
        service: str | None = None,
        since: dt.datetime | None = None,
    ) -> list[StoredRelease]:
        """The release records kept for these units (or this service) that
        started at or after `since`, newest first (scanner/store/releases.py)."""
        if unit_ids is None and service is None:
            raise ValueError("releases of which units? give unit_ids or a service")
        with self.engine.connect() as conn:
            return kept_releases.read(conn, unit_ids, service, since)

    def releases_by_unit(
        self, unit_ids: list[str] | None = None, since: dt.datetime | None = None
    ) -> dict[str, list[StoredRelease]]:
        """The kept records of these units (None: of every unit) that started
        at or after `since`, grouped by unit, newest first: a scan's merge
        step reads them all in one query (scanner/store/merge.py)."""
        with self.engine.connect() as conn:
            found = kept_releases.read(conn, unit_ids, None, since)
        out: dict[str, list[StoredRelease]] = {u: [] for u in unit_ids or []}
        for s in found:
            out.setdefault(s.unit_id, []).append(s)
        return out

    def release_services(self) -> list[str]:
        """The services the kept release records belong to."""
        with self.engine.connect() as conn:
            return kept_releases.services(conn)

    def group(self, group_id: str) -> list[ScanRow]:
        with self.engine.connect() as conn:
            query = select(scans).where(scans.c.group_id == group_id).order_by(scans.c.id)
            return [_scan_row(r) for r in conn.execute(query).mappings()]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(scans)).scalar_one())

    def delete_scan(self, uid: str) -> None:
        with self.engine.begin() as conn:
            scan_id = conn.execute(select(scans.c.id).where(scans.c.uid == uid)).scalar_one()
            conn.execute(delete(assessments).where(assessments.c.scan_id == scan_id))
            conn.execute(delete(scans).where(scans.c.id == scan_id))


def _summary(result: ScanResult) -> dict[str, Any]:
    """Counts, and each service's level, kept for trends without reloading units."""
    summary = summarise(result.assessments)
    summary["services"] = {r.name: r.level for r in rollup(result.assessments, "service")}
    return summary


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the scan's writer
    cursor.close()


def _row(scan_id: int, a: Assessment) -> dict[str, Any]:
    d = a.as_dict()
    return {
        "scan_id": scan_id,
        "resource_id": d["id"],
        "provider": d["provider"],
        "kind": d["kind"],
        "name": d["name"],
        "account": d["account"],
        "location": d["location"],
        "service": d["service"],
        "level": d["level"],
        "status": d["status"],
        "rule": d["rule"],
        "reason": d["reason"],
        "tags": d["tags"],
        "evidence": json.loads(json.dumps(d["evidence"])),
        "next_steps": d["next_steps"],
        "practice": d.get("practice"),
    }


def _assessment(r: Any) -> Assessment:
    return Assessment.from_dict({**dict(r), "id": r["resource_id"]})


def _scan_row(r: Any) -> ScanRow:
    return ScanRow(
        id=r["id"],
        uid=r["uid"],
        status=r["status"],
        started=_utc(r["started"]) or r["started"],
        finished=_utc(r["finished"]),
        tool_version=r["tool_version"],
        scope_key=r["scope_key"],
        group_id=r["group_id"],
        shard=r["shard"],
        scopes=list(r["scopes"] or []),
        errors=list(r["errors"] or []),
        summary=r["summary"],
    )
