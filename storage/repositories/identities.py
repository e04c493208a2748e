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
from storage.types import UTCDateTime

_WITH_MEMBER = (select(Identity, Member).join(Member, Member.id == Identity.member_id)
                .where(Identity.channel == bindparam("channel"),
                       Identity.user_id == bindparam("user_id")))


def _writer_statement() -> Any:
    """One row: the account (or nothing), its member, and the dialog state in progress.

    The state's key is computed as the core keys it: `member:<id>` for a member in a private
    chat, else `<channel>:<chat_id>:<user_id>`. Built once: statements cost more to build than
    to run on SQLite.
    """
    state = DialogState.__table__
    one = select(literal(1).label("one")).subquery("writer")
    key = case((and_(Member.id.is_not(None), bindparam("is_group", type_=Boolean()).is_(False)),
                literal("member:") + cast(Member.id, String)), else_=bindparam("chat_key"))
    return (select(Identity, Member, *(c.label(f"state_{c.key}") for c in state.c))
            .select_from(one)
            .outerjoin(Identity, and_(Identity.channel == bindparam("channel"),
                                      Identity.user_id == bindparam("user_id")))
            .outerjoin(Member, Member.id == Identity.member_id)
            .outerjoin(state, and_(state.c.key == key, state.c.status == DialogStatus.ACTIVE,
                                   state.c.expires_at > bindparam("now", type_=UTCDateTime()))))


_WRITER = _writer_statement()


async def get_with_member(
    session: AsyncSession, *, channel: str, user_id: str
) -> tuple[Identity, Member] | None:
    """Return the identity of a chat account and its member, or None for a stranger."""
    row = (await session.execute(_WITH_MEMBER, {"channel": channel, "user_id": user_id})).first()
    return (row[0], row[1]) if row else None


async def get_writer(session: AsyncSession, *, channel: str, user_id: str, chat_key: str,
                     is_group: bool, now: datetime) -> tuple[Identity | None, Member | None,
                                                         dict[str, Any] | None]:
    """Return who wrote (account and member, None for a stranger) and their state in progress."""
    row = (await session.execute(_WRITER, {"channel": channel, "user_id": user_id,
                                           "chat_key": chat_key, "is_group": is_group,
                                           "now": now})).first()
    assert row is not None  # the one-row subquery always gives a row
    mapping = row._mapping
    state = None
    if mapping["state_id"] is not None:
        state = {c.key: mapping[f"state_{c.key}"] for c in DialogState.__table__.c}
    return row[0], row[1], state


async def add(session: AsyncSession, identity: Identity) -> Identity:
    """Add an identity."""
    session.add(identity)
    await session.flush()
    return identity
