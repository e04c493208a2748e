"""Messages waiting to be sent, queued in the same transaction as the change behind them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import BigId, UTCDateTime


class OutboxStatus(StrEnum):
    """The life of an outbox row.

    pending → claimed (a worker took it; committed) → sending (committed just before the API
    call) → sent (committed right after it); or failed (gave up), gone (the recipient blocked the
    bot or left), uncertain (found `sending` after a crash: never resent). A row found `claimed`
    after a crash was never tried and goes back to pending.
    """

    PENDING = "pending"
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    GONE = "gone"
    UNCERTAIN = "uncertain"


class Priority:
    """Lower sends first: a reply to someone who just wrote beats scheduled outreach."""

    REPLY = 0
    NOTICE = 5
    OUTREACH = 10


class OutboxMessage(Base):
    """One message to one chat; `dedup_key` makes queueing it twice impossible."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "priority", "not_before"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    is_group: Mapped[bool] = mapped_column(default=False)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[Any]]
    attachment: Mapped[dict[str, Any] | None]
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=OutboxStatus.PENDING)
    priority: Mapped[int] = mapped_column(SmallInteger, default=Priority.REPLY)
    attempts: Mapped[int] = mapped_column(default=0)
    parts_sent: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    """Parts of a split message already delivered: a retry, on any worker, sends the rest."""
    last_error: Mapped[str | None] = mapped_column(Text)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform_message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
