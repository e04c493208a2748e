"""Chat accounts linked to members, and who wrote an update together with their dialog state."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    String,
    and_,
    bindparam,
    case,
    cast,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogState, DialogStatus, Identity, Member
from storage.prepared import Prepared, constant
from storage.repositories import updates
from storage.types import UTCDateTime
from storage.work import Work

_WITH_MEMBER = (select(Identity, Member).join(Member, Member.id == Identity.member_id)
                .where(Identity.channel == bindparam("channel"),
                       Identity.user_id == bindparam("user_id")))


@dataclass(frozen=True, slots=True)
class AccountRow:
    """A chat account as the hot path reads it: plain values, no ORM object to build."""

    id: int
    channel: str
    user_id: str
    member_id: int
    verified: bool
    display_name: str


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A member as the hot path reads it (what dialogs and services read of `Member`)."""

    id: int
    unit_id: int
    name: str
    phone: str | None
    role: str
    reminders_enabled: bool


_I, _M, _S = Identity.__table__, Member.__table__, DialogState.__table__
_ACCOUNT = tuple(_I.c[f.name] for f in fields(AccountRow))
_MEMBER = tuple(_M.c[f.name] for f in fields(MemberRow))
_STATE = tuple(c for c in _S.c if c.key != "created_at")


def _writer_statement(_dialect: str, *first: Any) -> Any:
    """One row: the account (or nothing), its member, and the dialog state in progress.

    The state's key is computed as the core keys it: `member:<id>` for a member in a private
    chat, else `<channel>:<chat_id>:<user_id>`. `first` columns come before them.
    """
    one = select(literal(1).label("one")).subquery("writer")
    key = case((and_(_M.c.id.is_not(None), bindparam("is_group", type_=Boolean()).is_(False)),
                literal("member:") + cast(_M.c.id, String)), else_=bindparam("chat_key"))
    return (select(*first, *_ACCOUNT, *_MEMBER, *_STATE).select_from(one)
            .outerjoin(_I, and_(_I.c.channel == bindparam("channel"),
                                _I.c.user_id == bindparam("user_id")))
            .outerjoin(_M, _M.c.id == _I.c.member_id)
            .outerjoin(_S, and_(_S.c.key == key, _S.c.status == constant(DialogStatus.ACTIVE),
                                _S.c.expires_at > bindparam("now", type_=UTCDateTime()))))


def _claiming_writer_statement(dialect: str) -> Any:
    """The claim and the writer in one statement: the INSERT runs in a CTE (PostgreSQL only)."""
    claim = updates.claim_statement(dialect).cte("claim")
    return _writer_statement(dialect, select(claim.c.id).scalar_subquery().label("claimed"))


_WRITER = Prepared(_writer_statement)
_CLAIMING_WRITER = Prepared(_claiming_writer_statement)


async def get_with_member(
    session: AsyncSession, *, channel: str, user_id: str
) -> tuple[Identity, Member] | None:
    """Return the identity of a chat account and its member, or None for a stranger."""
    row = (await session.execute(_WITH_MEMBER, {"channel": channel, "user_id": user_id})).first()
    return (row[0], row[1]) if row else None


Writer = tuple[AccountRow | None, MemberRow | None, dict[str, Any] | None]


async def get_writer(work: Work, *, channel: str, user_id: str, chat_key: str, is_group: bool,
                     now: datetime) -> Writer:
    """Return who wrote (account and member, None for a stranger) and their state in progress."""
    (row,) = await work.rows(_WRITER, {"channel": channel, "user_id": user_id,
                                       "chat_key": chat_key, "is_group": is_group, "now": now})
    return _writer(row)


async def claim_and_get_writer(work: Work, *, channel: str, update_id: str, user_id: str,
                               chat_key: str, is_group: bool, now: datetime) -> Writer | None:
    """Claim an update and read its writer; None when the update was claimed before.

    One round trip on PostgreSQL (the claim runs in a CTE); two statements on SQLite, where a
    statement costs microseconds.
    """
    if work.dialect.name != "postgresql":
        if not await updates.claim(work, channel=channel, update_id=update_id, at=now):
            return None
        return await get_writer(work, channel=channel, user_id=user_id, chat_key=chat_key,
                                is_group=is_group, now=now)
    (row,) = await work.write(_CLAIMING_WRITER, {
        "channel": channel, "update_id": update_id, "at": now, "user_id": user_id,
        "chat_key": chat_key, "is_group": is_group, "now": now})
    return _writer(row[1:]) if row[0] is not None else None


def _writer(row: tuple[Any, ...]) -> Writer:
    account = AccountRow(*row[:_N_A]) if row[0] is not None else None
    member = MemberRow(*row[_N_A:_N_A + _N_M]) if row[_N_A] is not None else None
    state = row[_N_A + _N_M:]
    return account, member, (dict(zip(_STATE_KEYS, state, strict=True))
                             if state[0] is not None else None)


_N_A, _N_M = len(_ACCOUNT), len(_MEMBER)
_STATE_KEYS = tuple(c.key for c in _STATE)


async def add(session: AsyncSession, identity: Identity) -> Identity:
    """Add an identity."""
    session.add(identity)
    await session.flush()
    return identity
