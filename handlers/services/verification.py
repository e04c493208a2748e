"""Proving that a chat account belongs to a roster member: one-time codes and officer confirmation.

An unverified account may draft and submit, but its initiatives count only once it is verified.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services import audit, scope
from storage.models import AuditEntry, Identity, Initiative, InitiativeStatus, LinkCode, Member
from storage.repositories import members

log = logging.getLogger(__name__)

CODE_TTL = timedelta(hours=72)
MAX_FAILURES_PER_HOUR = 5


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def issue_code(session: AsyncSession, *, phone: str, by: Member | None,
                     now: datetime) -> tuple[str, Member]:
    """Create a 6-digit code for the member with `phone`; earlier unused codes stop working."""
    member = await members.get_by_phone(session, phone)
    if member is None:
        raise UserError("verify/unknown_phone")
    if by is not None:
        await scope.require_unit(session, by, member.unit_id)
    await session.execute(update(LinkCode).where(LinkCode.member_id == member.id,
                                                 LinkCode.used_at.is_(None))
                          .values(expires_at=now))
    code = f"{secrets.randbelow(10**6):06d}"
    session.add(LinkCode(code_hash=_hash(code), member_id=member.id,
                         created_by_id=by.id if by else None, created_at=now,
                         expires_at=now + CODE_TTL))
    await audit.record(session, at=now, actor=by, action="link_code.issue",
                       subject=f"member:{member.id}")
    return code, member


@dataclass(frozen=True)
class Redeemed:
    """The outcome of typing a code: the member now linked, or the template saying why not."""

    member: Member | None
    refusal: str | None = None


async def redeem_code(session: AsyncSession, *, code: str, channel: str, user_id: str,
                      display_name: str, now: datetime) -> Redeemed:
    """Link this chat account to the code's member, verified; refuse wrong, used or old codes.

    A refusal is returned, not raised, so the failed attempt stays recorded (it limits guessing).
    """
    account = f"{channel}:{user_id}"
    if await _recent_failures(session, account, now) >= MAX_FAILURES_PER_HOUR:
        return Redeemed(None, "verify/too_many_tries")
    row = (await session.execute(select(LinkCode).where(LinkCode.code_hash == _hash(code))
                                 .order_by(LinkCode.id.desc()).limit(1))).scalar_one_or_none()
    problem = ("verify/wrong_code" if row is None else "verify/used_code" if row.used_at
               else "verify/expired_code" if row.expires_at <= now else None)
    if problem is not None or row is None:
        await audit.record(session, at=now, actor=None, action="link_code.failed", subject=account)
        log.info("link code refused for %s: %s", account, problem)
        return Redeemed(None, problem)
    row.used_at, row.used_by = now, account
    member = await members.get(session, row.member_id)
    assert member is not None
    await link_verified(session, member=member, channel=channel, user_id=user_id,
                        display_name=display_name, now=now, by=None, how="code")
    return Redeemed(member)


async def _recent_failures(session: AsyncSession, account: str, now: datetime) -> int:
    stmt = select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "link_code.failed", AuditEntry.subject == account,
        AuditEntry.at > now - timedelta(hours=1))
    return (await session.execute(stmt)).scalar_one()


async def link_verified(session: AsyncSession, *, member: Member, channel: str, user_id: str,
                        display_name: str, now: datetime, by: Member | None, how: str) -> None:
    """Point the chat account at `member`, mark it verified, and count the member's initiatives."""
    identity = (await session.execute(select(Identity).where(
        Identity.channel == channel, Identity.user_id == user_id))).scalar_one_or_none()
    if identity is None:
        identity = Identity(channel=channel, user_id=user_id, member_id=member.id,
                            display_name=display_name[:120])
        session.add(identity)
    before = {"member_id": identity.member_id, "verified": identity.verified}
    identity.member_id, identity.verified = member.id, True
    await session.flush()
    promoted = await promote_unverified(session, member_id=member.id, now=now)
    await audit.record(session, at=now, actor=by, action=f"identity.verify.{how}",
                       subject=f"identity:{identity.id}", before=before,
                       after={"member_id": member.id, "verified": True},
                       note=f"{promoted} initiatives now count")


async def promote_unverified(session: AsyncSession, *, member_id: int, now: datetime) -> int:
    """Turn a member's `unverified` initiatives into `submitted` ones; return how many."""
    result = await session.execute(
        update(Initiative).where(Initiative.member_id == member_id,
                                 Initiative.status == InitiativeStatus.UNVERIFIED)
        .values(status=InitiativeStatus.SUBMITTED, updated_at=now))
    return result.rowcount or 0


async def list_pending(session: AsyncSession, *, officer: Member) -> Sequence[tuple[Identity, Member]]:
    """List unverified chat accounts of members the officer looks after, oldest first."""
    stmt = (select(Identity, Member).join(Member, Member.id == Identity.member_id)
            .where(Identity.verified.is_(False),
                   Member.unit_id.in_(await scope.unit_ids(session, officer)))
            .order_by(Identity.created_at, Identity.id))
    return [tuple(row) for row in (await session.execute(stmt)).all()]  # type: ignore[misc]


async def decide_pending(session: AsyncSession, *, identity_id: int, officer: Member, accept: bool,
                         now: datetime) -> Member:
    """Confirm a pending account (it becomes verified) or refuse it (the link is removed)."""
    identity = await session.get(Identity, identity_id, with_for_update=True)
    if identity is None or identity.verified:
        raise UserError("verify/already_handled")
    member = await members.get(session, identity.member_id)
    assert member is not None
    await scope.require_unit(session, officer, member.unit_id)
    if accept:
        await link_verified(session, member=member, channel=identity.channel,
                            user_id=identity.user_id, display_name=identity.display_name,
                            now=now, by=officer, how="officer")
        return member
    await audit.record(session, at=now, actor=officer, action="identity.refuse",
                       subject=f"identity:{identity.id}",
                       before={"member_id": member.id, "channel": identity.channel})
    await session.delete(identity)
    await session.flush()
    return member


async def get_identity(session: AsyncSession, identity_id: int) -> Identity | None:
    """Return one chat account by id."""
    return await session.get(Identity, identity_id)
