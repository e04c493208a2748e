"""The outbox sender: claims rows (`sending`, committed), calls the channel, records the outcome.

It never resends a row that was left `sending` by a crash: such rows become `uncertain`.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.channel import (
    Channel,
    ChannelPaused,
    ChatMigrated,
    PermanentSendError,
    RateLimited,
    RecipientGone,
    TransientSendError,
)
from handlers.clock import Clock
from handlers.settings import OutboxSettings
from handlers.types import ChatRef, Outbound
from storage.db import unit_of_work
from storage.models import Chat, OutboxMessage, OutboxStatus
from storage.repositories import chats
from storage.repositories import outbox as outbox_repo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Claimed:
    """A row claimed for sending, copied out of its session."""

    id: int
    attempts: int
    message: Outbound


class OutboxSender:
    """Delivers outbox rows through the channels this worker serves."""

    def __init__(self, *, sessions: async_sessionmaker[AsyncSession],
                 channels: Mapping[str, Channel], clock: Clock, settings: OutboxSettings,
                 worker_id: str, rng: random.Random | None = None) -> None:
        self.sessions = sessions
        self.channels = dict(channels)
        self.clock = clock
        self.settings = settings
        self.worker_id = worker_id
        self.rng = rng or random.Random()

    async def send_ids(self, ids: Sequence[int]) -> int:
        """Send the rows an update or job just committed, at once; return how many were sent."""
        if not ids:
            return 0
        return await self._deliver(await self._claim(list(ids)))

    async def drain_once(self, limit: int = 50) -> int:
        """Send every due pending row (up to `limit`); return how many were sent."""
        return await self._deliver(await self._claim(None, limit))

    async def run(self, stop: asyncio.Event) -> None:
        """Drain the outbox until `stop` is set, flagging rows left `sending` by a crash."""
        await self.flag_stale()
        while not stop.is_set():
            try:
                sent = await self.drain_once()
            except Exception:
                log.exception("outbox drain failed (worker %s)", self.worker_id)
                sent = 0
            if sent == 0:
                try:
                    await asyncio.wait_for(stop.wait(), self.settings.drain_interval_seconds)
                except TimeoutError:
                    await self.flag_stale()

    async def flag_stale(self) -> list[int]:
        """Mark rows `sending` for longer than the lease as `uncertain`, and report them."""
        before = self.clock.now() - timedelta(seconds=self.settings.sending_lease_seconds)
        async with unit_of_work(self.sessions) as session:
            ids = list(await outbox_repo.flag_stale_sending(session, before=before))
        if ids:
            log.warning("outbox rows %s were left 'sending' and are now 'uncertain'", ids)
        return ids

    async def _claim(self, ids: list[int] | None, limit: int = 50) -> list[Claimed]:
        async with unit_of_work(self.sessions) as session:
            rows = await outbox_repo.claim(session, ids=ids, worker=self.worker_id,
                                           now=self.clock.now(), limit=limit,
                                           channels=list(self.channels))
            return [Claimed(row.id, row.attempts, _outbound(row)) for row in rows]

    async def _deliver(self, claimed: list[Claimed]) -> int:
        sent = 0
        held: set[tuple[str, str]] = set()
        for row in claimed:
            chat = (row.message.chat.channel, row.message.chat.chat_id)
            if chat in held:
                # Keep a chat's messages in order: once one waits, the later ones wait too.
                await self._release(row.id, note="held behind an earlier message")
                continue
            if await self._send_one(row):
                sent += 1
            else:
                held.add(chat)
        return sent

    async def _send_one(self, row: Claimed) -> bool:
        channel = self.channels[row.message.chat.channel]
        try:
            platform_id = await channel.send(row.message)
        except RateLimited as exc:
            await self._retry_at(row, delay=exc.retry_after, error=str(exc), counts=False)
        except ChannelPaused as exc:
            delay = max(0.0, (exc.until - self.clock.now()).total_seconds())
            await self._retry_at(row, delay=delay, error=str(exc), counts=False)
        except RecipientGone as exc:
            await self._gone(row, str(exc))
        except ChatMigrated as exc:
            await self._migrate(row, exc.new_chat_id)
        except PermanentSendError as exc:
            await self._finish(row.id, OutboxStatus.FAILED, error=str(exc))
        except TransientSendError as exc:
            await self._transient(row, str(exc))
        except Exception as exc:
            log.exception("channel %s failed on outbox row %s", channel.name, row.id)
            await self._transient(row, f"{type(exc).__name__}")
        else:
            await self._finish(row.id, OutboxStatus.SENT, platform_id=platform_id)
            return True
        return False

    async def _transient(self, row: Claimed, error: str) -> None:
        if row.attempts >= self.settings.max_attempts:
            log.warning("outbox row %s failed after %d attempts: %s", row.id, row.attempts, error)
            await self._finish(row.id, OutboxStatus.FAILED, error=error)
            return
        base = self.settings.backoff_base_seconds * 2 ** (row.attempts - 1)
        delay = min(base, self.settings.backoff_max_seconds) * self.rng.uniform(0.5, 1.5)
        await self._retry_at(row, delay=delay, error=error, counts=True)

    async def _retry_at(self, row: Claimed, *, delay: float, error: str, counts: bool) -> None:
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING, "last_error": error[:500],
            "not_before": self.clock.now() + timedelta(seconds=delay)}
        if not counts:
            values["attempts"] = OutboxMessage.attempts - 1
        await self._update(row.id, values)

    async def _release(self, row_id: int, *, note: str) -> None:
        await self._update(row_id, {"status": OutboxStatus.PENDING,
                                    "attempts": OutboxMessage.attempts - 1})
        log.debug("outbox row %s released: %s", row_id, note)

    async def _gone(self, row: Claimed, error: str) -> None:
        chat = row.message.chat
        async with unit_of_work(self.sessions) as session:
            await self._set(session, row.id, {"status": OutboxStatus.GONE, "last_error": error})
            await chats.mark_unreachable(session, channel=chat.channel, chat_id=chat.chat_id)
        log.info("chat %s is gone (%s); outbox row %s kept as gone", chat.key, error, row.id)

    async def _migrate(self, row: Claimed, new_chat_id: str) -> None:
        old = row.message.chat
        async with unit_of_work(self.sessions) as session:
            await session.execute(update(Chat).where(Chat.channel == old.channel,
                                                     Chat.chat_id == old.chat_id)
                                  .values(chat_id=new_chat_id))
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.channel == old.channel, OutboxMessage.chat_id == old.chat_id,
                       OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
                .values(chat_id=new_chat_id))
            await self._set(session, row.id, {"status": OutboxStatus.PENDING,
                                              "attempts": OutboxMessage.attempts - 1})
        log.info("chat %s migrated to %s:%s", old.key, old.channel, new_chat_id)

    async def _finish(self, row_id: int, status: OutboxStatus, *, error: str | None = None,
                      platform_id: str | None = None) -> None:
        values: dict[str, Any] = {"status": status, "last_error": error}
        if status == OutboxStatus.SENT:
            values |= {"sent_at": self.clock.now(), "platform_message_id": platform_id}
        await self._update(row_id, values)

    async def _update(self, row_id: int, values: dict[str, Any]) -> None:
        async with unit_of_work(self.sessions) as session:
            await self._set(session, row_id, values)

    @staticmethod
    async def _set(session: AsyncSession, row_id: int, values: dict[str, Any]) -> None:
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


def _outbound(row: OutboxMessage) -> Outbound:
    return Outbound(chat=ChatRef(row.channel, row.chat_id, row.is_group), text=row.text,
                    choices=tuple(row.choices or ()), outbox_id=row.id,
                    attachment=row.attachment)
