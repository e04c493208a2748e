"""Signing in to the web page from the chat: one-time links, browser sessions, who sees what.

Tokens are random (32 bytes, URL-safe) and only their SHA-256 is stored. A link works once, for
`link_ttl`; a session ends after `idle` without a request, at `max_age`, at log-out, or as soon
as its member no longer has a role that may use the page (officer, staff, admin).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services import audit
from handlers.services.roles import RANK, allows
from storage.models import Member, Role, Unit, WebSession, WebSignIn
from storage.repositories import members
from storage.repositories import web_access as repo

log = logging.getLogger(__name__)

MINIMUM_ROLE = Role.OFFICER
TOUCH_EVERY = timedelta(minutes=1)
"""A session's last-seen time is written at most this often (a page view is otherwise a read)."""
PURGE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class SignInPolicy:
    """Where links point and how long links and sessions live."""

    base_url: str
    link_ttl: timedelta = timedelta(minutes=10)
    idle: timedelta = timedelta(hours=12)
    max_age: timedelta = timedelta(days=7)

    @property
    def secure(self) -> bool:
        """Tell whether the page is served over HTTPS (cookies are then Secure)."""
        return self.base_url.startswith("https://")

    def url_for(self, token: str) -> str:
        """Return the sign-in URL of a link token."""
        return f"{self.base_url.rstrip('/')}/dang-nhap/{token}"


@dataclass(frozen=True)
class Viewer:
    """A signed-in person as the pages see them: their own unit is what they may look at."""

    session_id: int
    member_id: int
    name: str
    role: str
    unit: Unit
    csrf: str

    @property
    def is_staff(self) -> bool:
        """Tell whether the person sees a subtree (staff, admin) rather than one unit."""
        return RANK[Role(self.role)] >= RANK[Role.STAFF]

    def may_see(self, unit: Unit) -> bool:
        """Tell whether a unit is the viewer's own (officer) or under it (staff)."""
        if self.is_staff:
            return unit.path.startswith(self.unit.path)
        return unit.id == self.unit.id


@dataclass(frozen=True)
class SignedIn:
    """The outcome of using a link: the new session's token and its member, or why not."""

    token: str | None
    member: Member | None
    refusal: str | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(session_token: str) -> str:
    """Return the session's anti-forgery token (derived from the cookie, never stored)."""
    return hmac.new(session_token.encode(), b"sangkien-web-csrf", hashlib.sha256).hexdigest()


def csrf_matches(expected: str, given: str) -> bool:
    """Compare two anti-forgery tokens in constant time."""
    return hmac.compare_digest(expected.encode(), given.encode())


async def issue_link(session: AsyncSession, *, member: Member, policy: SignInPolicy, now: datetime,
                     via: str) -> str:
    """Create a one-time link for `member`; refuse people whose role may not use the page."""
    if not allows(member.role, MINIMUM_ROLE):
        raise UserError("signin/not_allowed")
    token = secrets.token_urlsafe(32)
    session.add(WebSignIn(token_hash=_hash(token), member_id=member.id, created_at=now,
                          expires_at=now + policy.link_ttl, issued_via=via[:32]))
    await audit.record(session, at=now, actor=member, action="web.link.issue",
                       subject=f"member:{member.id}", note=via)
    log.info("web sign-in link issued for member %s via %s", member.id, via)
    return policy.url_for(token)


async def issue_link_for_phone(session: AsyncSession, *, phone: str, policy: SignInPolicy,
                               now: datetime) -> tuple[str, Member]:
    """Create a link for the member with this phone (the operators' CLI)."""
    member = await members.get_by_phone(session, phone)
    if member is None:
        raise UserError("signin/unknown_phone")
    return await issue_link(session, member=member, policy=policy, now=now, via="cli"), member


def _refusal(link: WebSignIn, member: Member, now: datetime) -> str | None:
    if link.used_at is not None:
        return "used"
    if link.expires_at <= now:
        return "expired"
    return None if allows(member.role, MINIMUM_ROLE) else "no_role"


async def check_link(session: AsyncSession, token: str, now: datetime) -> str | None:
    """Return why a link cannot be used (`unknown`, `used`, `expired`, `no_role`), None if it can."""
    found = await repo.get_sign_in(session, _hash(token))
    return "unknown" if found is None else _refusal(*found, now)


async def redeem_link(session: AsyncSession, token: str, *, policy: SignInPolicy, now: datetime,
                      replacing: str | None = None) -> SignedIn:
    """Use a link once: end the browser's earlier session, if any, and open a new one."""
    found = await repo.get_sign_in(session, _hash(token))
    if found is None:
        return SignedIn(None, None, "unknown")
    link, member = found
    if (refusal := _refusal(link, member, now)) is not None:
        return SignedIn(None, None, refusal)
    if not await repo.claim_sign_in(session, link.id, now):
        return SignedIn(None, None, "used")
    if replacing:
        await repo.end(session, _hash(replacing), now)
    new = secrets.token_urlsafe(32)
    session.add(WebSession(token_hash=_hash(new), member_id=member.id, created_at=now,
                           last_seen_at=now, expires_at=now + policy.max_age))
    await repo.purge(session, now - PURGE_AFTER)
    await audit.record(session, at=now, actor=member, action="web.sign_in",
                       subject=f"member:{member.id}")
    log.info("web session opened for member %s", member.id)
    return SignedIn(new, member)


async def viewer_for(session: AsyncSession, token: str, *, policy: SignInPolicy,
                     now: datetime) -> Viewer | None:
    """Return who a session cookie belongs to, or None when it is unknown, over or not allowed."""
    found = await repo.get_session(session, _hash(token))
    if found is None:
        return None
    row, member, unit = found
    over = (row.ended_at is not None or now >= row.expires_at
            or now - row.last_seen_at >= policy.idle)
    if over:
        return None
    if not allows(member.role, MINIMUM_ROLE):
        await repo.end(session, row.token_hash, now)
        log.info("web session of member %s ended: the role no longer allows it", member.id)
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        await repo.touch(session, row.id, now)
    return Viewer(row.id, member.id, member.name, member.role, unit, csrf_for(token))


async def sign_out(session: AsyncSession, token: str, now: datetime) -> bool:
    """End a session; True when it was open."""
    return await repo.end(session, _hash(token), now) > 0
