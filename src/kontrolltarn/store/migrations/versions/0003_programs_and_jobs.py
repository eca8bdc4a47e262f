"""Programs as versions (draft → proposed → published → superseded) and planning jobs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kontrolltarn.store.tables import SEQ, UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "program_versions",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("first_day", sa.Date(), nullable=False, index=True),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("location_id", sa.String(128), nullable=True),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
    )
    op.create_table(
        "program_entries",
        sa.Column("version_id", SEQ, primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.String(128), primary_key=True),
        sa.Column("session_id", sa.String(128), nullable=False),
        sa.Column("room_id", sa.String(128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_min", sa.Integer(), nullable=False),
        sa.Column("planned_min", sa.Integer(), nullable=False),
        sa.Column("surgeon_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False, index=True),
        sa.Column("active_scope", sa.String(200), nullable=True, unique=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("result_version_id", SEQ, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("finished_at", UtcDateTime(), nullable=True),
    )


def downgrade() -> None:
    for table in ("jobs", "program_entries", "program_versions"):
        op.drop_table(table)
