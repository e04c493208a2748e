"""Updates already handled, so a redelivered update is dropped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import BigId, UTCDateTime


class ProcessedUpdate(Base):
    """A `(channel, update_id)` claimed by the transaction that handled it."""

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("channel", "update_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(96))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
