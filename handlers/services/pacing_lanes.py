"""Pacing shared by every worker of a bot token: its lanes live in PostgreSQL.

A booking (all of a message's lanes) and a 429's pause are one statement each. What a worker
learns from them (when a chat is free again, the pauses) it keeps, so `chat_wait` and
`paused_for` cost nothing. SQLite runs one worker and paces in memory (`pacing_for`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from handlers.pacing import MemoryPacing, Pacer, Pacing, Slot, lane_limits, pause_key
from handlers.services.transactions import autocommit, is_disconnect, is_transient, retry_transient
from handlers.settings import PacingSettings
from handlers.types import ChatRef
from storage.repositories import pacing_lanes as repo

log = logging.getLogger(__name__)

T = TypeVar("T")

IDLE_SECONDS = 60.0
"""A lane untouched this long is the same as none: it is deleted, and forgotten here."""


class SharedPacing:
    """`Pacing` on PostgreSQL: every worker books from the same lanes, honours the same 429s.

    `clock` (epoch seconds) replaces the database's clock and this worker's, for tests.
    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], float] | None = None) -> None:
        self.engine = engine
        self._db_clock = clock
        self._now = clock or time.monotonic
        self._free_at: dict[str, float] = {}
        """A chat's own lanes (chat, group): when its next message may go, in this worker's time."""
        self._held: dict[str, float] = {}
        """Pauses (429) known here, by lane: until when, in this worker's time."""
        self._fallback = Pacer(monotonic=self._now)
        self._ensured: set[str] = set()
        self._pruned_at = self._now()

    def chat_wait(self, settings: PacingSettings, chat: ChatRef) -> float:
        """Return how long `chat` must wait, as far as this worker's last bookings tell."""
        name = _name(pause_key(chat, whole_bot=False))
        return max(0.0, self._free_at.get(name, 0.0) - self._now(), self.paused_for(chat))

    def paused_for(self, chat: ChatRef) -> float:
        """Return how long a known 429 (ours, or found by a booking) still holds the chat."""
        now = self._now()
        return max(0.0, *(self._held.get(_name(pause_key(chat, whole_bot=whole)), 0.0) - now
                          for whole in (False, True)))

    async def reserve(self, settings: PacingSettings, chat: ChatRef) -> Slot:
        """Book the chat's next slot in its lanes and its bot's, in one statement."""
        own, bot = lane_limits(settings, chat)
        lanes = [repo.Lane(limit.name, limit.interval, limit.tolerance, own=True) for limit in own]
        lanes.append(repo.Lane(bot.name, bot.interval, bot.tolerance, own=False))
        try:
            if bot.name not in self._ensured:
                await self._run(lambda conn: repo.ensure(conn, bot.name))
                self._ensured.add(bot.name)
            booking = await self._run(lambda conn: repo.book(
                conn, lanes, max_wait=settings.max_wait_seconds, now=self._db_now()))
        except Exception as exc:
            if not _database_gone(exc):
                raise
            # Better paced alone than not sent: this worker's own buckets until the database is back.
            log.warning("pacing: booking for %s failed (%s); paced in this worker only", chat.key,
                        type(exc).__name__)
            return Slot(self._fallback.reserve(settings, chat))
        self._learn(chat, booking)
        await self._prune()
        return Slot(booking.wait, booking.booked)

    async def hold(self, chat: ChatRef, seconds: float, *, whole_bot: bool) -> None:
        """Pause the chat (or its whole bot) for every worker; here at once, even if that fails."""
        name = _name(pause_key(chat, whole_bot=whole_bot))
        self._held[name] = max(self._held.get(name, 0.0), self._now() + seconds)
        self._fallback.hold(chat, seconds, whole_bot=whole_bot)
        try:
            await self._run(lambda conn: repo.hold(conn, name, seconds, now=self._db_now()))
        except Exception as exc:
            if not _database_gone(exc):
                raise
            log.warning("pacing: pause of %s kept in this worker only (%s)", name,
                        type(exc).__name__)
        log.info("pacing: %s paused for %.1fs (all workers)", name, seconds)

    def _learn(self, chat: ChatRef, booking: repo.Booking) -> None:
        now = self._now()
        chat_lane, bot_lane = (_name(pause_key(chat, whole_bot=w)) for w in (False, True))
        self._free_at[chat_lane] = now + booking.own_next
        for lane, left in ((chat_lane, booking.chat_blocked), (bot_lane, booking.bot_blocked)):
            if left > 0:
                self._held[lane] = max(self._held.get(lane, 0.0), now + left)

    async def _prune(self) -> None:
        now = self._now()
        if now - self._pruned_at < IDLE_SECONDS:
            return
        self._pruned_at = now
        for known in (self._free_at, self._held):
            for lane in [lane for lane, until in known.items() if until <= now]:
                del known[lane]
        try:
            await self._run(lambda conn: repo.prune(conn, idle_seconds=IDLE_SECONDS,
                                                    now=self._db_now()))
        except Exception as exc:
            if not _database_gone(exc):
                raise
            log.warning("pacing: idle lanes not pruned (%s)", type(exc).__name__)

    def _db_now(self) -> float | None:
        return self._db_clock() if self._db_clock else None

    async def _run(self, call: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        # One autocommit statement: no BEGIN or COMMIT round trips. Once more after a transient
        # error (a connection the server dropped, a deadlock with another worker).
        async def once() -> T:
            async with autocommit(self.engine) as conn:
                return await call(conn)

        return await retry_transient(once, attempts=2, base=0.0, cap=0.0)


def pacing_for(engine: AsyncEngine) -> Pacing:
    """Return the pacing for this database: shared on PostgreSQL, in memory on SQLite (one worker)."""
    if engine.dialect.name == "postgresql":
        return SharedPacing(engine)
    return MemoryPacing()


def _name(key: tuple[str, str, str]) -> str:
    return ":".join(key)


def _database_gone(exc: BaseException) -> bool:
    return is_transient(exc) or is_disconnect(exc) or isinstance(exc, OSError)
