"""One-time sign-in links and browser sessions of the web page, looked up by token hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Member, Unit, WebSession, WebSignIn

_SESSION = (select(WebSession, Member, Unit)
            .join(Member, Member.id == WebSession.member_id)
            .join(Unit, Unit.id == Member.unit_id)
            .where(WebSession.token_hash == bindparam("token_hash")))


async def get_sign_in(session: AsyncSession, token_hash: str) -> tuple[WebSignIn, Member] | None:
    """Return a sign-in link and its member."""
    stmt = (select(WebSignIn, Member).join(Member, Member.id == WebSignIn.member_id)
            .where(WebSignIn.token_hash == token_hash))
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def claim_sign_in(session: AsyncSession, link_id: int, now: datetime) -> bool:
    """Mark a link used if it still was not and has not expired; False when another use won."""
    result = await session.execute(
        update(WebSignIn).where(WebSignIn.id == link_id, WebSignIn.used_at.is_(None),
                                WebSignIn.expires_at > now).values(used_at=now))
    return (result.rowcount or 0) == 1


async def get_session(session: AsyncSession, token_hash: str
                      ) -> tuple[WebSession, Member, Unit] | None:
    """Return a browser session with its member and the member's unit."""
    row = (await session.execute(_SESSION, {"token_hash": token_hash})).first()
    return (row[0], row[1], row[2]) if row else None


async def touch(session: AsyncSession, session_id: int, now: datetime) -> None:
    """Record that a session was just used (it idles out counting from here)."""
    await session.execute(update(WebSession).where(WebSession.id == session_id)
                          .values(last_seen_at=now))


async def end(session: AsyncSession, token_hash: str, now: datetime) -> int:
    """End a session (log out); return how many were still open."""
    result = await session.execute(
        update(WebSession).where(WebSession.token_hash == token_hash,
                                 WebSession.ended_at.is_(None)).values(ended_at=now))
    return result.rowcount or 0


async def purge(session: AsyncSession, before: datetime) -> None:
    """Delete links and sessions that ended or expired before `before`."""
    await session.execute(delete(WebSignIn).where(WebSignIn.expires_at < before))
    await session.execute(delete(WebSession).where(
        or_(WebSession.expires_at < before, WebSession.ended_at < before)))
