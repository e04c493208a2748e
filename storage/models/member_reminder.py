"""How often a member was reminded in a phase (silent-member reminders)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigId, UTCDateTime


class MemberReminder(Base):
    """Reminders sent to one member in one phase: how many, and the last one's time."""

    __tablename__ = "member_reminders"
    __table_args__ = (UniqueConstraint("member_id", "phase_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id"), index=True)
    sent_count: Mapped[int] = mapped_column(default=0)
    last_sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
