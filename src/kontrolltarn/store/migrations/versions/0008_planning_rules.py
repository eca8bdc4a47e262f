"""The hospital's local planning rules (``plan.check.local``) as saved versions of their text.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kontrolltarn.store.tables import SEQ, UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "planning_rules",
        sa.Column("id", SEQ, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(64), nullable=False),
        sa.Column("saved_at", UtcDateTime(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("planning_rules")
