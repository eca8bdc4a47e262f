"""Rosters per unit as versions, staff requests, and which roster person a login is.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kontrolltarn.store.tables import SEQ, UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_versions",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.String(64), nullable=False, index=True),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("based_on", SEQ, nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("published_at", UtcDateTime(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
    )
    op.create_table(
        "staff_requests",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.String(64), nullable=False, index=True),
        sa.Column("person_id", sa.String(64), nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("colleague_id", sa.String(64), nullable=True, index=True),
        sa.Column("colleague_day", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("breaches", sa.JSON(), nullable=False),
        sa.Column("roster_id", SEQ, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", UtcDateTime(), nullable=True),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("result_roster_id", SEQ, nullable=True),
    )
    op.create_table(
        "staff_links",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("unit_id", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("staff_links")
    op.drop_table("staff_requests")
    op.drop_table("roster_versions")
