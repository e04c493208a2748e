"""Failed updates: an update a bug stopped is kept whole for operators to look at and replay.

Revision ID: 20261203_0900
Revises: 20261125_1500
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision: str = "20261203_0900"
down_revision: str | None = "20261125_1500"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "failed_updates",
        sa.Column("id", ID, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_id", sa.String(length=96), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("inbound", JSON, nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("replay_result", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_updates")),
        sa.UniqueConstraint("channel", "update_id", name=op.f("uq_failed_updates_channel_update_id")),
    )
    op.create_index(op.f("ix_failed_updates_failed_at"), "failed_updates", ["failed_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_failed_updates_failed_at"), table_name="failed_updates")
    op.drop_table("failed_updates")
