"""Release records, and each stored unit's practice block.

Release records: every deployment record a scan read, kept once per
(unit, source, record id), so scheduled scans build a history longer than
the clouds keep (scanner/store/releases.py).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.Text, nullable=False),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("record_id", sa.Text, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(128), nullable=False),
        sa.Column("unit_name", sa.Text, nullable=False),
        sa.Column("service", sa.Text),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("record", sa.JSON, nullable=False),
        sa.Column("covered_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="SET NULL")),
        sa.Column("last_scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="SET NULL")),
        sa.UniqueConstraint("unit_id", "source", "record_id", name="uq_releases_record"),
    )
    op.create_index("ix_releases_service_started", "releases", ["service", "started"])
    op.create_index("ix_releases_unit_started", "releases", ["unit_id", "started"])
    with op.batch_alter_table("assessments") as batch:
        batch.add_column(sa.Column("practice", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("assessments") as batch:
        batch.drop_column("practice")
    op.drop_table("releases")
