"""Chat accounts linked to members, and who wrote an update together with their dialog state."""

from __future__ import annotations

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
from storage.prepared import Prepared
from storage.types import UTCDateTime
from storage.work import Work

_WITH_MEMBER = (select(Identity, Member).join(Member, Member.id == Identity.member_id)
                .where(Identity.channel == bindparam("channel"),
                       Identity.user_id == bindparam("user_id")))


def _writer_statement(_dialect: str) -> Any:
    """One row: the account (or nothing), its member, and the dialog state in progress.

    The state's key is computed as the core keys it: `member:<id>` for a member in a private
    chat, else `<channel>:<chat_id>:<user_id>`.
    """
    one = select(literal(1).label("one")).subquery("writer")
    key = case((and_(_M.c.id.is_not(None), bindparam("is_group", type_=Boolean()).is_(False)),
                literal("member:") + cast(_M.c.id, String)), else_=bindparam("chat_key"))
    return (select(*_I.c, *_M.c, *_S.c).select_from(one)
            .outerjoin(_I, and_(_I.c.channel == bindparam("channel"),
                                _I.c.user_id == bindparam("user_id")))
            .outerjoin(_M, _M.c.id == _I.c.member_id)
            .outerjoin(_S, and_(_S.c.key == key, _S.c.status == DialogStatus.ACTIVE,
                                _S.c.expires_at > bindparam("now", type_=UTCDateTime()))))


_I, _M, _S = Identity.__table__, Member.__table__, DialogState.__table__
_WRITER = Prepared(_writer_statement)


async def get_with_member(
    session: AsyncSession, *, channel: str, user_id: str
) -> tuple[Identity, Member] | None:
    """Return the identity of a chat account and its member, or None for a stranger."""
    row = (await session.execute(_WITH_MEMBER, {"channel": channel, "user_id": user_id})).first()
    return (row[0], row[1]) if row else None


async def get_writer(work: Work, *, channel: str, user_id: str, chat_key: str, is_group: bool,
                     now: datetime) -> tuple[Identity | None, Member | None, dict[str, Any] | None]:
    """Return who wrote (account and member, None for a stranger) and their state in progress.

    The account and member are ORM objects the unit of work treats as loaded.
    """
    (row,) = await work.rows(_WRITER, {"channel": channel, "user_id": user_id,
                                       "chat_key": chat_key, "is_group": is_group, "now": now})
    identity = _build(Identity, _I, row[:_N_I])
    member = _build(Member, _M, row[_N_I:_N_I + _N_M])
    work.know(identity, member)
    state = row[_N_I + _N_M:]
    return identity, member, (dict(zip(_S.c.keys(), state, strict=True))
                              if state[0] is not None else None)


_N_I, _N_M = len(_I.c), len(_M.c)


def _build(model: Any, table: Any, values: Any) -> Any:
    if values[0] is None:
        return None
    return model(**dict(zip(table.c.keys(), values, strict=True)))


async def add(session: AsyncSession, identity: Identity) -> Identity:
    """Add an identity."""
    session.add(identity)
    await session.flush()
    return identity
