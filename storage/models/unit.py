"""A unit of the union: country, province, district federation, block or grassroots union."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow
from storage.types import UTCDateTime


class UnitLevel(StrEnum):
    """How high a unit sits in the tree."""

    COUNTRY = "country"
    PROVINCE = "province"
    DISTRICT = "district"
    BLOCK = "block"
    GRASSROOTS = "grassroots"


class Unit(Base):
    """One node of the union tree; `path` holds the ids from the root, e.g. `/1/3/17/`."""

    __tablename__ = "units"
    __table_args__ = (
        # Subtree queries use `path LIKE '/1/3/%'`; PostgreSQL needs text_pattern_ops for that
        # to use an index under a non-C collation.
        Index("ix_units_path_prefix", "path", postgresql_ops={"path": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    name_folded: Mapped[str] = mapped_column(String(255), index=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="/")
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
