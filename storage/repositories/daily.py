"""Counts of initiatives per local day: the web page's trend chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from storage.models import Initiative, Unit
from storage.repositories.standings import subtree
from storage.upsert import dialect_name


def local_day(session: AsyncSession, tz: ZoneInfo, at: datetime) -> ColumnElement[date]:
    """The local date of `created_at`: PostgreSQL converts by zone name, SQLite by the offset at `at`.

    SQLite knows no zones; the programme's zone (Asia/Ho_Chi_Minh) has had one offset since 1975.
    """
    if dialect_name(session) == "postgresql":
        return func.date(func.timezone(tz.key, Initiative.created_at))
    offset = at.astimezone(tz).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(Initiative.created_at, f"{minutes:+d} minutes")


async def count_by_day(session: AsyncSession, *, phase_id: int, statuses: Sequence[str],
                       since: datetime, until: datetime, tz: ZoneInfo, path: str | None = None,
                       unit_id: int | None = None) -> dict[date, int]:
    """Count a phase's counted initiatives created in [since, until) per local day.

    Only those of one union (`unit_id`) or of a subtree (`path`) when given.
    """
    day = local_day(session, tz, until).label("day")
    stmt = (select(day, func.count())
            .where(Initiative.phase_id == phase_id, Initiative.status.in_(statuses),
                   Initiative.created_at >= since, Initiative.created_at < until)
            .group_by(day))
    if unit_id is not None:
        stmt = stmt.where(Initiative.unit_id == unit_id)
    elif path is not None:
        stmt = stmt.join(Unit, Unit.id == Initiative.unit_id).where(subtree(path))
    rows = (await session.execute(stmt)).all()
    return {_as_date(value): count for value, count in rows}


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
