"""Whether a scheduled job is paused; shared by every worker through the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import UTCDateTime


class JobState(Base):
    """One row per job that was ever paused or resumed."""

    __tablename__ = "job_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(40), unique=True)
    paused: Mapped[bool] = mapped_column(default=False)
    changed_by: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
