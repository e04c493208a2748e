"""Where a person is in a dialog, with the draft typed so far."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import BigId, UTCDateTime


class DialogStatus(StrEnum):
    """An active dialog, or a cancelled one whose draft is kept for a while."""

    ACTIVE = "active"
    CANCELLED = "cancelled"


class DialogState(Base):
    """One dialog of one person.

    `key` is `member:<id>` for an identified member in a private chat (so a draft follows the
    member across channels), else `<channel>:<chat_id>:<user_id>`. At most one active dialog per key.
    """

    __tablename__ = "dialog_states"
    __table_args__ = (
        UniqueConstraint("key", "dialog"),
        Index("uq_dialog_states_active_key", "key", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(160))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    dialog: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(40))
    draft: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10), default=DialogStatus.ACTIVE)
    pending: Mapped[dict[str, Any] | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapping API
