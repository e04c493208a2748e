"""One slot of one scheduled job, claimed by the worker that ran it (or recorded as not run)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import BigId, UTCDateTime


class JobRunState(StrEnum):
    """What became of a slot."""

    DONE = "done"
    SHIFTED = "shifted"
    """Done, its messages held until the next allowed time (quiet hours, holiday)."""
    SKIPPED = "skipped"
    """Not run: quiet hours, holiday, paused or disabled; `result["reason"]` says which."""
    MISSED = "missed"
    """The app was down past the grace window; nothing is sent late."""
    FAILED = "failed"
    """The job raised; a later run of the same slot may retry it."""


class JobRun(Base):
    """`(job_name, slot)` is unique: the first worker to insert it runs the slot, no other."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job_name", "slot"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_name: Mapped[str] = mapped_column(String(40))
    slot: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(10))
    count: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    manual: Mapped[bool] = mapped_column(default=False)
    worker: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
