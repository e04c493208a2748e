"""Staff broadcasts: who an audience reaches, the preview count, scheduling and cancelling.

Delivery is the `broadcasts` job's (every minute): it resolves the audience with the same
function the preview used, so the count staff confirmed is the count that is queued.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services import recipients, reminders, standings
from handlers.services.outreach import Planned
from storage.models import Audience, Broadcast, BroadcastStatus, Member, Role, Unit, UnitLevel
from storage.repositories import members, units
from storage.upsert import dialect_name

log = logging.getLogger(__name__)

DEFAULT_PREFER = ("telegram", "zalo", "console")


@dataclass(frozen=True)
class Rules:
    """What resolving an audience needs to know about the programme."""

    today: date
    tz: ZoneInfo
    statuses: Sequence[str]
    lagging_share: float
    prefer: Sequence[str] = DEFAULT_PREFER


@dataclass(frozen=True)
class Recipient:
    """One chat a broadcast goes to, with the unit that makes it urgent."""

    chat: recipients.ChatRef
    unit_code: str
    urgency: float
    member_id: int | None = None


async def parse_audience(session: AsyncSession, text: str) -> tuple[Audience, str | None]:
    """Parse `all`, `lagging`, `silent`, `block:CODE` or `unit:CODE` (the CLI's --to)."""
    kind, _, code = text.strip().partition(":")
    try:
        audience = Audience(kind.lower())
    except ValueError as exc:
        raise UserError("broadcast/bad_audience", text=text) from exc
    needs_code = audience in (Audience.BLOCK, Audience.UNIT)
    if needs_code != bool(code.strip()):
        raise UserError("broadcast/bad_audience", text=text)
    if needs_code:
        unit = await units.get_by_code(session, code)
        if unit is None or (audience == Audience.BLOCK) != (unit.level == UnitLevel.BLOCK):
            raise UserError("errors/unknown_unit", code=code.strip())
        return audience, unit.code
    return audience, None


async def resolve(session: AsyncSession, *, audience: str, code: str | None, rules: Rules,
                  scope: Unit | None = None) -> list[Recipient]:
    """List the chats an audience reaches now, within `scope` (a staff member's district)."""
    snap = await standings.snapshot(session, today=rules.today, tz=rules.tz,
                                    statuses=rules.statuses, lagging_share=rules.lagging_share)
    unit_rows = await _grassroots_in_scope(session, scope)
    ratio = {u.id: ((snap.units[u.id].ratio or 0.0) if snap and u.id in snap.units else 1.0)
             for u in unit_rows}
    code_of = {u.id: u.code for u in unit_rows}
    if audience == Audience.SILENT:
        return await _silent(session, snap, rules, ratio, code_of)
    wanted = await _units_for(session, audience, code, unit_rows, snap)
    chats = await recipients.group_chats(session, unit_ids=wanted)
    return [Recipient(ref, code_of[unit_id], ratio[unit_id])
            for unit_id in sorted(chats, key=lambda i: (ratio[i], code_of[i])) for ref in chats[unit_id]]


async def _grassroots_in_scope(session: AsyncSession, scope: Unit | None) -> list[Unit]:
    stmt = select(Unit).where(Unit.level == UnitLevel.GRASSROOTS)
    if scope is not None:
        stmt = stmt.where(Unit.path.startswith(scope.path))
    return list((await session.execute(stmt)).scalars().all())


async def _units_for(session: AsyncSession, audience: str, code: str | None, rows: list[Unit],
                     snap: standings.Snapshot | None) -> list[int]:
    if audience == Audience.ALL:
        return [u.id for u in rows]
    if audience == Audience.LAGGING:
        return [u.id for u in rows if snap and u.id in snap.units and snap.units[u.id].lagging]
    target = await units.get_by_code(session, code or "")
    if target is None:
        raise UserError("errors/unknown_unit", code=code or "")
    return [u.id for u in rows if u.path.startswith(target.path)]


async def _silent(session: AsyncSession, snap: standings.Snapshot | None, rules: Rules,
                  ratio: dict[int, float], code_of: dict[int, str]) -> list[Recipient]:
    if snap is None:
        return []
    silent = await reminders.silent_member_ids(session, phase_id=snap.phase.id,
                                               unit_ids=list(code_of))
    people = await recipients.people(session, prefer=rules.prefer, member_ids=silent,
                                     reminders_only=True)
    ordered = sorted(people.values(), key=lambda p: (ratio.get(p.unit_id, 1.0), p.member_id))
    return [Recipient(p.chat, code_of.get(p.unit_id, ""), ratio.get(p.unit_id, 1.0), p.member_id)
            for p in ordered]


def plan(broadcast: Broadcast, found: Sequence[Recipient], *, sender: str) -> list[Planned]:
    """Turn a broadcast's recipients into planned messages (one per chat)."""
    data = {"text": broadcast.text, "sender": sender, "number": broadcast.id}
    return [Planned(r.chat, "broadcast/message", data, member_id=r.member_id,
                    dedup_key=f"broadcast:{broadcast.id}:{r.chat.channel}:{r.chat.chat_id}",
                    urgency=r.urgency, unit_code=r.unit_code)
            for r in found]


async def create(session: AsyncSession, *, audience: str, code: str | None, text: str,
                 send_at: datetime, expected: int, created_by_id: int | None,
                 now: datetime) -> Broadcast:
    """Schedule a broadcast (the `broadcasts` job sends it once `send_at` has come)."""
    row = Broadcast(audience=audience, audience_code=code, text=text, send_at=send_at,
                    expected=expected, created_by_id=created_by_id, created_at=now,
                    status=BroadcastStatus.SCHEDULED)
    session.add(row)
    await session.flush()
    log.info("broadcast %s scheduled for %s: %s (%s), %d recipient(s)", row.id, send_at.isoformat(),
             audience, code or "-", expected)
    return row


async def list_scheduled(session: AsyncSession, *, created_by_id: int | None = None) -> list[Broadcast]:
    """List broadcasts not sent yet, soonest first (one person's, or everyone's)."""
    stmt = (select(Broadcast).where(Broadcast.status == BroadcastStatus.SCHEDULED)
            .order_by(Broadcast.send_at, Broadcast.id))
    if created_by_id is not None:
        stmt = stmt.where(Broadcast.created_by_id == created_by_id)
    return list((await session.execute(stmt)).scalars().all())


async def cancel(session: AsyncSession, broadcast_id: int, *, now: datetime,
                 created_by_id: int | None = None) -> Broadcast:
    """Cancel a broadcast that was not sent yet; refuse otherwise."""
    stmt = update(Broadcast).where(Broadcast.id == broadcast_id,
                                   Broadcast.status == BroadcastStatus.SCHEDULED)
    if created_by_id is not None:
        stmt = stmt.where(Broadcast.created_by_id == created_by_id)
    changed = await session.execute(stmt.values(status=BroadcastStatus.CANCELLED, cancelled_at=now))
    if not changed.rowcount:
        raise UserError("broadcast/cannot_cancel", number=broadcast_id)
    row = await session.get(Broadcast, broadcast_id)
    assert row is not None
    await session.refresh(row)
    log.info("broadcast %s cancelled", broadcast_id)
    return row


async def list_due(session: AsyncSession, now: datetime) -> list[Broadcast]:
    """Lock and return the broadcasts whose time has come (other workers skip locked ones)."""
    stmt = (select(Broadcast).where(Broadcast.status == BroadcastStatus.SCHEDULED,
                                    Broadcast.send_at <= now).order_by(Broadcast.send_at, Broadcast.id))
    if dialect_name(session) == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list((await session.execute(stmt)).scalars().all())


async def sender_name(session: AsyncSession, broadcast: Broadcast) -> str:
    """Return who the broadcast is from: the author's unit, or empty when sent from the shell."""
    if broadcast.created_by_id is None:
        return ""
    return await author_unit_name(session, await members.get(session, broadcast.created_by_id))


async def author_unit_name(session: AsyncSession, author: Member | None) -> str:
    """Return the name of the author's unit (the broadcast's signature)."""
    unit = await units.get(session, author.unit_id) if author else None
    return unit.name if unit else ""


async def author_scope(session: AsyncSession, row: Broadcast) -> Unit | None:
    """Return the unit a broadcast may reach under: its author's (None: everywhere, an admin's)."""
    author = await members.get(session, row.created_by_id) if row.created_by_id else None
    if author is None or author.role == Role.ADMIN:
        return None
    return await units.get(session, author.unit_id)


async def mark_sent(session: AsyncSession, row: Broadcast, *, sent: int, left_out_units: list[str],
                    left_out: int, now: datetime) -> None:
    """Record that a broadcast went out: how many messages, and who a short budget left out."""
    row.status, row.sent_at, row.sent_count = BroadcastStatus.SENT, now, sent
    row.left_out = {"count": left_out, "units": left_out_units}
    await session.flush()
