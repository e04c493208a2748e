"""Which phase and which part of the union tree a report covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from storage.models import Phase, Unit
from storage.repositories import phases, units

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Scope:
    """A report's subject: a subtree of units (its root) in one phase, as of a moment."""

    root: Unit
    phase: Phase
    now: datetime
    today: date
    whole_tree: bool
    """True when the root is the only root: no subtree filter is needed."""

    @property
    def path(self) -> str | None:
        """Return the path prefix to filter on, or None for the whole tree."""
        return None if self.whole_tree else self.root.path

    @property
    def cut(self) -> datetime:
        """Return the moment a week ago: rankings "last week" count what was in by then."""
        return self.now - WEEK


async def find_phase(session: AsyncSession, number: int | None) -> Phase:
    """Return phase `number`, or the open phase, or the latest one; refuse when there is none."""
    if number is not None:
        found = (await session.execute(select(Phase).where(Phase.number == number))
                 ).scalar_one_or_none()
        if found is None:
            raise UserError("errors/unknown_phase", number=number)
        return found
    found = await phases.get_open(session)
    if found is None:
        found = (await session.execute(select(Phase).order_by(Phase.number.desc()).limit(1))
                 ).scalar_one_or_none()
    if found is None:
        raise UserError("member/no_open_phase")
    return found


async def find_unit(session: AsyncSession, code: str) -> Unit:
    """Return the unit with this code, or refuse naming it."""
    found = await units.get_by_code(session, code)
    if found is None:
        raise UserError("errors/unknown_unit", code=code)
    return found


async def top_unit(session: AsyncSession) -> Unit:
    """Return the root of the tree (the first one, when there are several)."""
    stmt = select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is None:
        raise UserError("errors/unknown_unit", code="-")
    return found


async def build(session: AsyncSession, *, root: Unit, phase: Phase, now: datetime,
                today: date) -> Scope:
    """Make a scope, noting whether its root covers the whole tree."""
    whole = False
    if root.parent_id is None:
        roots = await session.execute(select(func.count()).where(Unit.parent_id.is_(None)))
        whole = roots.scalar_one() == 1
    return Scope(root=root, phase=phase, now=now, today=today, whole_tree=whole)


async def resolve(session: AsyncSession, *, code: str | None, phase: int | None, now: datetime,
                  today: date) -> Scope:
    """Resolve a unit code (None: the whole tree) and a phase number into a scope."""
    root = await find_unit(session, code) if code else await top_unit(session)
    return await build(session, root=root, phase=await find_phase(session, phase), now=now,
                       today=today)

