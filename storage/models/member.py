"""A person on a unit's roster, with a role."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import BigId, UTCDateTime


class Role(StrEnum):
    """What a person may do; each role may do everything the ones before it may."""

    MEMBER = "member"
    OFFICER = "officer"
    STAFF = "staff"
    ADMIN = "admin"


class Member(Base):
    """A union member (đoàn viên); `phone` is normalised to 0xxxxxxxxx."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(10), unique=True)
    role: Mapped[str] = mapped_column(String(10), default=Role.MEMBER)
    reminders_enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
