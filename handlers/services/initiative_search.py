"""Finding initiatives for the web page: by union, field, status, date and words.

Words match typed with or without diacritics (they are compared with the folded title).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.unit_detail import Line
from handlers.textnorm import fold
from storage.models import Initiative, Member, Unit, UnitLevel
from storage.repositories.standings import subtree

PAGE_SIZE = 50
NUMBER = re.compile(r"^(?:[A-Za-z]{1,8}-?)?(\d{1,12})$")


@dataclass(frozen=True)
class Filters:
    """What to look for; every part is optional."""

    field: str | None = None
    status: str | None = None
    since: date | None = None
    until: date | None = None
    query: str = ""
    phase_id: int | None = None
    page: int = 1


@dataclass(frozen=True)
class Found:
    """One page of results, newest first."""

    lines: list[Line]
    page: int
    has_next: bool


async def search(session: AsyncSession, *, within: Unit, whole_subtree: bool, filters: Filters,
                 tz: ZoneInfo, page_size: int = PAGE_SIZE) -> Found:
    """List initiatives of `within` (and of the units under it when `whole_subtree`) that match.

    Pages are read with LIMIT n + 1, so no count of a country's two million rows is needed.
    """
    stmt = (select(Initiative.number, Initiative.title, Initiative.field, Initiative.status,
                   Initiative.created_at, Member.name, Unit.code, Unit.name)
            .join(Member, Member.id == Initiative.member_id)
            .join(Unit, Unit.id == Initiative.unit_id))
    stmt = stmt.where(subtree(within.path)) if whole_subtree else stmt.where(
        Initiative.unit_id == within.id)
    stmt = _filtered(stmt, filters, tz)
    page = max(filters.page, 1)
    stmt = (stmt.order_by(Initiative.created_at.desc(), Initiative.id.desc())
            .offset((page - 1) * page_size).limit(page_size + 1))
    rows = (await session.execute(stmt)).all()
    lines = [Line(number or "", *rest) for number, *rest in rows[:page_size]]
    return Found(lines, page, len(rows) > page_size)


def _filtered(stmt: Select, filters: Filters, tz: ZoneInfo) -> Select:
    if filters.phase_id is not None:
        stmt = stmt.where(Initiative.phase_id == filters.phase_id)
    if filters.field:
        stmt = stmt.where(Initiative.field == filters.field)
    if filters.status:
        stmt = stmt.where(Initiative.status == filters.status)
    if filters.since:
        stmt = stmt.where(Initiative.created_at >= datetime.combine(filters.since, time(0), tz))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(0), tz)
        stmt = stmt.where(Initiative.created_at < end)
    words = fold(filters.query)
    if words:
        # Every word typed must be in the title, in any order: "kho cai tien" finds
        # "Cải tiến quy trình kho".
        match = and_(*[Initiative.title_folded.contains(word, autoescape=True)
                       for word in words.split()])
        number = NUMBER.match(words.replace(" ", ""))
        if number:
            match = or_(match, Initiative.number.like(f"%{int(number.group(1)):06d}"))
        stmt = stmt.where(match)
    return stmt


UNIT_CHOICES = 500


async def units_under(session: AsyncSession, root: Unit, *,
                      limit: int = UNIT_CHOICES) -> list[tuple[str, str]]:
    """List (code, name) of the grassroots unions under `root` for a filter, up to `limit`.

    A province or the country has more than a list can show; then none are listed and the code
    is typed instead.
    """
    stmt = (select(Unit.code, Unit.name)
            .where(subtree(root.path), Unit.level == UnitLevel.GRASSROOTS)
            .order_by(Unit.code).limit(limit + 1))
    rows = [(code, name) for code, name in (await session.execute(stmt)).all()]
    return rows if len(rows) <= limit else []
