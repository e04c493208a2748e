"""Web page sign-in: one-time links and browser sessions, both stored as token hashes.

Revision ID: 20261125_1500
Revises: 20261125_1400
Create Date: 2026-11-25 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "20261125_1500"
down_revision: str | None = "20261125_1400"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBER_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=nullable)


def _table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", MEMBER_ID, nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["member_id"], ["members.id"],
                                name=op.f(f"fk_{name}_member_id_members")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("token_hash", name=op.f(f"uq_{name}_token_hash")),
    )
    op.create_index(op.f(f"ix_{name}_expires_at"), name, ["expires_at"])
    op.create_index(op.f(f"ix_{name}_member_id"), name, ["member_id"])


def upgrade() -> None:
    _table("web_sessions", _when("created_at"), _when("last_seen_at"), _when("expires_at"),
           _when("ended_at", nullable=True))
    _table("web_sign_ins", _when("created_at"), _when("expires_at"), _when("used_at", nullable=True),
           sa.Column("issued_via", sa.String(length=32), nullable=False))


def downgrade() -> None:
    for name in ("web_sign_ins", "web_sessions"):
        op.drop_index(op.f(f"ix_{name}_member_id"), table_name=name)
        op.drop_index(op.f(f"ix_{name}_expires_at"), table_name=name)
        op.drop_table(name)
