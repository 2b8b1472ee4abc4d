"""The first history schema: scans and their assessments.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uid", sa.String(36), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished", sa.DateTime(timezone=True)),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("scope_key", sa.String(64), nullable=False),
        sa.Column("group_id", sa.String(128)),
        sa.Column("shard", sa.String(16)),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("errors", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON),
    )
    op.create_index("ix_scans_scope_key", "scans", ["scope_key"])
    op.create_index("ix_scans_group_id", "scans", ["group_id"])
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("resource_id", sa.Text, nullable=False),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(128), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("account", sa.String(256), nullable=False),
        sa.Column("location", sa.String(128), nullable=False),
        sa.Column("service", sa.Text),
        sa.Column("level", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rule", sa.String(128)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("next_steps", sa.JSON, nullable=False),
    )
    op.create_index("ix_assessments_scan_id", "assessments", ["scan_id"])


def downgrade() -> None:
    op.drop_table("assessments")
    op.drop_table("scans")
