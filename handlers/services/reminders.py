"""Personal reminders to silent members: who is due, and the opt-out (/tatnhacnho, /batnhacnho)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services import recipients
from handlers.services.recipients import Person
from storage.models import Initiative, Member, Role
from storage.repositories import reminders

REMINDED_ROLES = (Role.MEMBER, Role.OFFICER)


@dataclass(frozen=True)
class ReminderRules:
    """At most once every `interval_days`, at most `max_count` times a phase."""

    interval_days: int
    max_count: int


async def silent_member_ids(session: AsyncSession, *, phase_id: int,
                            unit_ids: Sequence[int] | None = None) -> set[int]:
    """Return members (not staff) with no initiative in the phase who did not opt out."""
    has_one = exists().where(Initiative.member_id == Member.id, Initiative.phase_id == phase_id)
    stmt = select(Member.id).where(~has_one, Member.reminders_enabled.is_(True),
                                   Member.role.in_(REMINDED_ROLES))
    if unit_ids is not None:
        stmt = stmt.where(Member.unit_id.in_(list(unit_ids)))
    return set((await session.execute(stmt)).scalars().all())


async def due(session: AsyncSession, *, phase_id: int, today: date, tz: ZoneInfo,
              rules: ReminderRules, prefer: Sequence[str]) -> list[Person]:
    """List the silent members reachable by DM whose next reminder is due today."""
    if rules.max_count == 0:
        return []
    silent = await silent_member_ids(session, phase_id=phase_id)
    reachable = await recipients.people(session, prefer=prefer, roles=REMINDED_ROLES,
                                        reminders_only=True)
    history = await reminders.list_for_phase(session, phase_id)
    found = []
    for member_id in sorted(silent & reachable.keys()):
        count, last = history.get(member_id, (0, None))
        if count >= rules.max_count:
            continue
        if last is not None and last.astimezone(tz).date() + timedelta(days=rules.interval_days) > today:
            continue
        found.append(reachable[member_id])
    return found


async def record_sent(session: AsyncSession, *, member_ids: Sequence[int], phase_id: int,
                      at: datetime) -> None:
    """Count the reminders just queued."""
    await reminders.record_sent(session, member_ids=member_ids, phase_id=phase_id, at=at)


async def set_enabled(session: AsyncSession, member_id: int, *, enabled: bool) -> bool:
    """Stop or resume a member's personal reminders; return whether it changed."""
    return await reminders.set_enabled(session, member_id, enabled=enabled)
