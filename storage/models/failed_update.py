"""An update whose handling failed with a bug: kept whole, so an operator can look and replay it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import BigId, UTCDateTime


class FailedUpdate(Base):
    """One failed update: who wrote what where (`inbound`), the error, and any replay."""

    __tablename__ = "failed_updates"
    __table_args__ = (UniqueConstraint("channel", "update_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(96))
    chat_id: Mapped[str] = mapped_column(String(64))
    inbound: Mapped[dict[str, Any]]
    """The update as the core received it (chat, user, kind, text, payload)."""
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    replayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replay_result: Mapped[str | None] = mapped_column(String(40))
