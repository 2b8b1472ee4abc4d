"""The history schema. Changes go through an Alembic migration in migrations/."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

scans = Table(
    "scans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(36), nullable=False, unique=True),
    # running: started and not (yet) finished; complete; interrupted; failed
    Column("status", String(16), nullable=False),
    Column("started", DateTime(timezone=True), nullable=False),
    Column("finished", DateTime(timezone=True)),
    Column("tool_version", String(64), nullable=False),
    Column("scope_key", String(64), nullable=False),
    Column("group_id", String(128)),
    Column("shard", String(16)),
    Column("scopes", JSON, nullable=False),
    Column("errors", JSON, nullable=False),
    Column("summary", JSON),
    Index("ix_scans_scope_key", "scope_key"),
    Index("ix_scans_group_id", "group_id"),
)

assessments = Table(
    "assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), nullable=False),
    Column("resource_id", Text, nullable=False),
    Column("provider", String(16), nullable=False),
    Column("kind", String(128), nullable=False),
    Column("name", Text, nullable=False),
    Column("account", String(256), nullable=False),
    Column("location", String(128), nullable=False),
    Column("service", Text),
    Column("level", Integer),
    Column("status", String(16), nullable=False),
    Column("rule", String(128)),
    Column("reason", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("next_steps", JSON, nullable=False),
    Column("practice", JSON),  # the unit's practice block (--history), as the JSON output has it
    Index("ix_assessments_scan_id", "scan_id"),
)

# Every release record a scan read (Assessment.practice.releases), once per
# (unit, source, record id): a record seen again is updated in place (its
# outcome may have moved on from in_progress), never duplicated. `covered_from`
# is how far back the records of the scan that first saw it reached;
# `first_scan_id`/`last_scan_id` and `first_seen`/`last_seen` (those scans'
# period ends) say which scans saw it. Deleting a scan keeps its records.
releases = Table(
    "releases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit_id", Text, nullable=False),
    Column("source", String(128), nullable=False),
    Column("record_id", Text, nullable=False),
    Column("provider", String(16), nullable=False),
    Column("kind", String(128), nullable=False),
    Column("unit_name", Text, nullable=False),
    Column("service", Text),
    Column("started", DateTime(timezone=True), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("record", JSON, nullable=False),
    Column("covered_from", DateTime(timezone=True), nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
    Column("first_scan_id", Integer, ForeignKey("scans.id", ondelete="SET NULL")),
    Column("last_scan_id", Integer, ForeignKey("scans.id", ondelete="SET NULL")),
    UniqueConstraint("unit_id", "source", "record_id", name="uq_releases_record"),
    Index("ix_releases_service_started", "service", "started"),
    Index("ix_releases_unit_started", "unit_id", "started"),
)
