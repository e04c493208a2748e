"""Finding units and people, and linking chat accounts to members."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.parsing import mask_phone
from handlers.services import scope
from handlers.textnorm import fold
from handlers.types import ChatRef
from storage.models import Chat, Identity, Initiative, Member, Role, Unit, UnitLevel
from storage.repositories import chats, identities, members, units

log = logging.getLogger(__name__)

MIN_UNIT_SCORE = 60.0


@dataclass(frozen=True)
class UnitMatch:
    """A grassroots union that matches what someone typed, with a score out of 100."""

    unit_id: int
    code: str
    name: str
    score: float


async def find_units(session: AsyncSession, typed: str, *, limit: int = 5) -> list[UnitMatch]:
    """Find grassroots unions by code or by name typed with or without diacritics."""
    exact = await units.get_by_code(session, typed)
    if exact is not None:
        return [UnitMatch(exact.id, exact.code, exact.name, 100.0)]
    rows = await units.list_grassroots_names(session)
    query = fold(typed)
    if not query:
        return []
    by_id = {row[0]: row for row in rows}
    found = process.extract(query, {row[0]: row[3] for row in rows}, scorer=fuzz.WRatio,
                            limit=limit, score_cutoff=MIN_UNIT_SCORE)
    return [UnitMatch(key, by_id[key][1], by_id[key][2], score) for _, score, key in found]


async def onboard(
    session: AsyncSession, *, channel: str, user_id: str, unit_id: int, name: str, phone: str,
    display_name: str = "", verified: bool = False,
) -> tuple[Member, bool]:
    """Link a chat account to the roster member with this phone, or add a new member.

    Returns the member and whether it was already on the roster.
    """
    existing = await members.get_by_phone(session, phone)
    if existing is not None and await _has_verified_account(session, existing.id, channel):
        raise UserError("verify/phone_taken")
    member = existing or await members.add(
        session, Member(unit_id=unit_id, name=name, phone=phone, role=Role.MEMBER))
    await identities.add(session, Identity(channel=channel, user_id=user_id, member_id=member.id,
                                           verified=verified, display_name=display_name[:120]))
    log.info("onboarded %s:%s as member %s (phone %s, on roster: %s)", channel, user_id,
             member.id, mask_phone(phone), existing is not None)
    return member, existing is not None


async def _has_verified_account(session: AsyncSession, member_id: int, channel: str) -> bool:
    stmt = select(Identity.id).where(Identity.member_id == member_id, Identity.channel == channel,
                                     Identity.verified.is_(True)).limit(1)
    return (await session.execute(stmt)).first() is not None


def console_user_id(phone: str) -> str:
    """Return the console's stable user id for a phone, without the phone in it."""
    return "tel-" + hashlib.sha256(phone.encode()).hexdigest()[:12]


async def link_console(session: AsyncSession, phone: str) -> Member | None:
    """Make the console user for `phone` that roster member (the operator is trusted)."""
    member = await members.get_by_phone(session, phone)
    if member is None:
        return None
    user_id = console_user_id(phone)
    if await identities.get_with_member(session, channel="console", user_id=user_id) is None:
        await identities.add(session, Identity(channel="console", user_id=user_id,
                                               member_id=member.id, verified=True))
    return member


async def unit_of(session: AsyncSession, member: Member) -> Unit:
    """Return a member's unit."""
    unit = await units.get(session, member.unit_id)
    if unit is None:  # a foreign key guarantees it; this guards against a broken database
        raise LookupError(f"member {member.id} has no unit {member.unit_id}")
    return unit


async def block_of(session: AsyncSession, unit: Unit) -> Unit | None:
    """Return the block a unit belongs to."""
    return await units.block_of(session, unit)


async def list_silent(session: AsyncSession, *, unit_id: int, phase_id: int) -> list[Member]:
    """List the members of a unit with no initiative in a phase."""
    has_one = exists().where(Initiative.member_id == Member.id, Initiative.phase_id == phase_id)
    stmt = select(Member).where(Member.unit_id == unit_id, ~has_one).order_by(Member.name)
    return list((await session.execute(stmt)).scalars().all())


async def link_chat(session: AsyncSession, *, chat: ChatRef, unit: Unit, title: str = "") -> Chat:
    """Link a group chat to a unit (creating the chat row the first time).

    Checks nothing and records nothing: `/lienket` goes through `group_links.link_group`.
    """
    row = await chats.get(session, channel=chat.channel, chat_id=chat.chat_id)
    if row is None:
        row = await chats.add(session, Chat(channel=chat.channel, chat_id=chat.chat_id,
                                            is_group=chat.is_group, title=title[:255]))
    row.unit_id, row.reachable = unit.id, True
    if title:
        row.title = title[:255]
    await session.flush()
    return row


async def get(session: AsyncSession, member_id: int) -> Member | None:
    """Return one member by id."""
    return await session.get(Member, member_id)


async def get_by_phone(session: AsyncSession, phone: str) -> Member | None:
    """Return the roster member with this (normalised) phone."""
    return await members.get_by_phone(session, phone)


async def list_covered(session: AsyncSession, person: Member) -> list[Member]:
    """List the members of every unit `person` covers (an officer their union, staff their tree)."""
    unit_ids = await scope.unit_ids(session, person)
    stmt = select(Member).where(Member.unit_id.in_(unit_ids))
    return list((await session.execute(stmt)).scalars().all())


async def get_unit(session: AsyncSession, unit_id: int) -> Unit | None:
    """Return one unit by id."""
    return await units.get(session, unit_id)


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    """Return the unit with this code (any level), or None."""
    return await units.get_by_code(session, code)


async def blocks_under(session: AsyncSession, scope: Unit | None) -> list[Unit]:
    """List the blocks inside `scope` (all of them for None: the whole federation)."""
    found = await units.list_by_level(session, UnitLevel.BLOCK)
    return [b for b in found if scope is None or b.path.startswith(scope.path)]
