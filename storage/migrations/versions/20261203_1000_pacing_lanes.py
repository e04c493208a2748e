"""Pacing lanes: the flood-limit buckets and 429 pauses of each bot token, shared by all workers.

Revision ID: 20261203_1000
Revises: 20261203_0900
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_1000"
down_revision: str | None = "20261203_0900"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Created on SQLite too so both schemas stay alike; only PostgreSQL uses it.
    op.create_table(
        "pacing_lanes",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("tat", sa.Double(), nullable=False),
        sa.Column("blocked_until", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_pacing_lanes")),
    )


def downgrade() -> None:
    op.drop_table("pacing_lanes")
