"""One pacing lane of a bot token (the bot, a chat, a group), shared by every worker.

Used on PostgreSQL only; with SQLite one worker keeps its lanes in memory (handlers/pacing.py).
"""

from __future__ import annotations

from sqlalchemy import Double, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PacingLane(Base):
    """A GCRA bucket: the next theoretical arrival time and a platform's pause, in epoch seconds.

    Seconds (not timestamps) because the booking statement does arithmetic on them with the
    database's clock (storage/repositories/pacing_lanes.py).
    """

    __tablename__ = "pacing_lanes"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    tat: Mapped[float] = mapped_column(Double, default=0.0)
    blocked_until: Mapped[float] = mapped_column(Double, default=0.0)
