"""At most one open phase: a partial unique index on phases.status.

Revision ID: 20261125_1400
Revises: 20261125_1300
Create Date: 2026-11-25 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261125_1400"
down_revision: str | None = "20261125_1300"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    op.create_index("uq_phases_one_open", "phases", ["status"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("uq_phases_one_open", table_name="phases")
