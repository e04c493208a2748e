"""A named lease with an expiry: who holds a singleton job (a poller) until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class Lease(Base):
    """`holder` owns `name` until `expires_at`; another holder may take it after that.

    Used on SQLite; PostgreSQL uses a session-level advisory lock instead (storage/repositories/leases).
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
