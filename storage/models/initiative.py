"""An initiative (sáng kiến) registered by a member."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import BigId, UTCDateTime


class InitiativeStatus(StrEnum):
    """Where an initiative stands.

    unverified: its author's chat account is not verified yet (counts once it is);
    pending_confirmation: entered by an officer, waiting for the author's yes;
    submitted → approved | returned (for clarification, then resubmitted) | rejected;
    withdrawn: by its author.
    """

    UNVERIFIED = "unverified"
    PENDING_CONFIRMATION = "pending_confirmation"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


EDITABLE_STATUSES = (InitiativeStatus.SUBMITTED, InitiativeStatus.RETURNED,
                     InitiativeStatus.UNVERIFIED)


class Initiative(Base):
    """One initiative; `number` is its public reference, e.g. `SK-000123`."""

    __tablename__ = "initiatives"
    __table_args__ = (
        Index("ix_initiatives_unit_phase_status", "unit_id", "phase_id", "status"),
        # Reports aggregate a phase per unit and per author; on PostgreSQL the INCLUDE columns
        # let those scans read the index alone (docs/reports.md, "Scale").
        Index("ix_initiatives_phase_unit_member", "phase_id", "unit_id", "member_id",
              postgresql_include=["status", "created_at", "benefit_vnd"]),
        Index("ix_initiatives_phase_member", "phase_id", "member_id",
              postgresql_include=["status", "created_at", "benefit_vnd", "unit_id"]),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_folded: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    effect: Mapped[str] = mapped_column(Text)
    benefit_vnd: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(24), default=InitiativeStatus.SUBMITTED)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    applied_since: Mapped[date | None]
    tech_secret: Mapped[bool] = mapped_column(default=False)
    portal_entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
