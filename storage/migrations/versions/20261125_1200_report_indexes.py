"""Report indexes: subtree prefix on units.path, phase aggregates per unit and per author.

Revision ID: 20261125_1200
Revises: 20261125_1100
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261125_1200"
down_revision: str | None = "20261125_1100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIT_COVER = ["status", "created_at", "benefit_vnd"]
MEMBER_COVER = ["status", "created_at", "benefit_vnd", "unit_id"]


def upgrade() -> None:
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.create_index("ix_initiatives_phase_member", ["phase_id", "member_id"],
                              unique=False, postgresql_include=MEMBER_COVER)
        batch_op.create_index("ix_initiatives_phase_unit_member",
                              ["phase_id", "unit_id", "member_id"], unique=False,
                              postgresql_include=UNIT_COVER)
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.create_index("ix_units_path_prefix", ["path"], unique=False,
                              postgresql_ops={"path": "text_pattern_ops"})


def downgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_index("ix_units_path_prefix")
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_index("ix_initiatives_phase_unit_member")
        batch_op.drop_index("ix_initiatives_phase_member")
