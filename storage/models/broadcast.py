"""A staff broadcast: an audience, a text and a time; cancellable until it is sent."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import UTCDateTime


class BroadcastStatus(StrEnum):
    """scheduled → sent, or scheduled → cancelled."""

    SCHEDULED = "scheduled"
    SENT = "sent"
    CANCELLED = "cancelled"


class Audience(StrEnum):
    """Who a broadcast goes to."""

    ALL = "all"
    """Every group chat linked to a grassroots union."""
    BLOCK = "block"
    LAGGING = "lagging"
    SILENT = "silent"
    """Members with no initiative in the open phase (DMs; opted-out members excluded)."""
    UNIT = "unit"


class Broadcast(Base):
    """One broadcast; `expected` is the recipient count shown in the preview."""

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_due", "status", "send_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    audience: Mapped[str] = mapped_column(String(10))
    audience_code: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    send_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default=BroadcastStatus.SCHEDULED)
    expected: Mapped[int] = mapped_column(default=0)
    sent_count: Mapped[int | None]
    left_out: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
