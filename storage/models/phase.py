"""Phases of the programme, their sprints, and per-unit targets."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class PhaseStatus(StrEnum):
    """Where a phase stands."""

    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class Phase(Base):
    """A phase (giai đoạn) with its dates, inclusive, in the programme's time zone."""

    __tablename__ = "phases"
    # At most one phase is open at a time, even when two staff members open phases at once.
    __table_args__ = (Index("uq_phases_one_open", "status", unique=True,
                            sqlite_where=text("status = 'open'"),
                            postgresql_where=text("status = 'open'")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default=PhaseStatus.PLANNED)


class Sprint(Base):
    """A peak emulation campaign inside a phase, e.g. the 35-day sprint."""

    __tablename__ = "sprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class Target(Base):
    """How many initiatives a unit is asked for in a phase."""

    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("unit_id", "phase_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("phases.id"), index=True)
    target: Mapped[int] = mapped_column(Integer)
