"""The outbox sender: claims rows, marks each `sending` just before its platform call, records it.

Every step commits: `claimed` (a row found so after a crash was never tried: it goes back to
pending), `sending` right before the call (after every wait), `sent` right after it. It never
resends a row left `sending` by a crash, or whose answer was lost: such rows become `uncertain`.
At most a channel's send window of calls is in flight, and it narrows when the platform slows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial

from handlers import backoff
from handlers.channel import (
    Channel,
    ChannelPaused,
    ChatMigrated,
    DeliveryUnknown,
    PermanentSendError,
    RateLimited,
    RecipientGone,
    TransientSendError,
)
from handlers.clock import Clock
from handlers.metrics import Metrics
from handlers.pacing import MemoryPacing, Pacing
from handlers.sendmarks import StatusMarks
from handlers.sendoutcomes import Outcomes
from handlers.sendwindow import SendWindow, Slot
from handlers.services import outgoing
from handlers.services.outgoing import Claimed
from handlers.services.transactions import Sessions, unit_of_work
from handlers.settings import OutboxSettings, PacingSettings
from handlers.types import ChatRef, Outbound

log = logging.getLogger(__name__)

MARKED_WAIT_SECONDS = 0.05
HELD_WAIT_SECONDS = 0.5
"""How long a held reply may wait `sending` for the message ahead of it in its chat (one call,
normally): past that it goes back to `claimed` first, so a kill cannot leave it `uncertain`."""


class OutboxSender:
    """Delivers outbox rows through the channels this worker serves."""

    def __init__(self, *, sessions: Sessions,
                 channels: Mapping[str, Channel], clock: Clock, settings: OutboxSettings,
                 worker_id: str, rng: random.Random | None = None,
                 pacer: Pacing | None = None, metrics: Metrics | None = None) -> None:
        self.sessions = sessions
        self.channels = dict(channels)
        self.clock = clock
        self.settings = settings
        self.worker_id = worker_id
        self.rng = rng or random.Random()
        self.pacer = pacer or MemoryPacing()
        self.metrics = metrics or Metrics()
        self._windows: dict[str, SendWindow] = {}
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._marks = StatusMarks(sessions, clock=clock, worker=worker_id)
        self.outcomes = Outcomes(sessions, clock=clock, worker=worker_id)
        self.stopping = False
        """Set at a graceful stop: no new call starts; the rows not yet sent go back to pending."""

    def hold_room(self, chat: ChatRef) -> bool:
        """Keep room for a reply to `chat` if it can leave at once; False when it must wait.

        With room the router queues it `sending` (held); without, `claimed`. There is no room
        when this worker is stopping, or the channel's send window is full (room kept for held
        replies included) or cooling after a 429. A message to the same chat ahead of it is no
        reason: it is one call ahead, and a held reply waits for nothing else.
        """
        channel = self.channels.get(chat.channel)
        if channel is None or self.stopping:
            return False
        return self._window(channel.name, getattr(channel, "pacing", None)).promise()

    def window_size(self, channel: str) -> int:
        """Return how many sends of `channel` may be in flight now."""
        return self._window(channel, getattr(self.channels[channel], "pacing", None)).size

    def begin_stop(self) -> None:
        """Start no new call from now on; the calls in flight finish and are recorded."""
        if not self.stopping:
            log.debug("outbox sender %s stopping: no new sends", self.worker_id)
        self.stopping = True

    async def send_ids(self, ids: Sequence[int]) -> int:
        """Send the rows an update or job just committed, at once; return how many were sent."""
        if not ids:
            return 0
        return await self._deliver(await self._claim(list(ids)))

    async def send_held(self, rows: Sequence[Claimed]) -> int:
        """Send rows this worker already holds (claimed, or marked `sending` with the update)."""
        return await self._deliver(list(rows)) if rows else 0

    async def drain_once(self, limit: int = 50) -> int:
        """Send every due pending row (up to `limit`); return how many were sent."""
        return await self._deliver(await self._claim(None, limit))

    async def run(self, stop: asyncio.Event) -> None:
        """Drain the outbox until `stop` is set, flagging rows left `sending` by a crash.

        Replies and jobs' messages leave at once through `send_ids`; this loop finds the rest
        (rows queued by another process, retries that fell due). Idle, it backs off: after each
        empty round its wait doubles from `drain_interval_seconds` to `idle_max_seconds`, and a
        row it postponed wakes it when due. Stale `sending` rows are looked for every fifth of
        their lease. Once `stop` is set no new call starts (`begin_stop`); it returns when the
        calls in flight of its drain have been recorded.
        """
        watcher = asyncio.create_task(stop.wait())
        watcher.add_done_callback(lambda task: task.cancelled() or self._stop_asked())
        try:
            await self._loop(stop)
        finally:
            watcher.cancel()

    def _stop_asked(self) -> None:
        log.info("outbox sender %s stopping: the sends in flight finish, no new ones start",
                 self.worker_id)
        self.begin_stop()

    async def _loop(self, stop: asyncio.Event) -> None:
        empty_rounds = 0
        flagged_at: float | None = None
        while not stop.is_set():
            try:
                # A database outage must not end the loop: the next round tries again soon.
                if flagged_at is None or (time.monotonic() - flagged_at
                                          >= self.settings.sending_lease_seconds / 5):
                    await self.flag_stale()
                    flagged_at = time.monotonic()
                sent = await self.drain_once()
                empty_rounds = 0 if sent else empty_rounds + 1
            except Exception:
                log.exception("outbox drain failed (worker %s)", self.worker_id)
                sent, empty_rounds = 0, 1
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._idle_seconds(empty_rounds))

    def _idle_seconds(self, empty_rounds: int = 1) -> float:
        """Back off after empty rounds; wake sooner when a postponed row falls due."""
        base = self.settings.drain_interval_seconds
        wait = min(max(base, self.settings.idle_max_seconds),
                   base * 2 ** min(max(empty_rounds - 1, 0), 16))
        if self.outcomes.next_due is not None:
            wait = min(wait, max(0.05, (self.outcomes.next_due - self.clock.now()).total_seconds()))
            self.outcomes.next_due = None
        return wait

    async def flag_stale(self) -> list[int]:
        """Mark rows `sending` for longer than the lease as `uncertain`, and report them."""
        before = self.clock.now() - timedelta(seconds=self.settings.sending_lease_seconds)
        async with unit_of_work(self.sessions) as session:
            ids = await outgoing.flag_stale(session, before=before)
        if ids:
            log.warning("outbox rows %s were left 'sending' and are now 'uncertain'", ids)
        return ids

    async def _claim(self, ids: list[int] | None, limit: int = 50) -> list[Claimed]:
        async with unit_of_work(self.sessions) as session:
            return await outgoing.claim(session, ids=ids, worker=self.worker_id,
                                        now=self.clock.now(), limit=limit,
                                        channels=list(self.channels))

    async def _deliver(self, claimed: list[Claimed]) -> int:
        # Chats are served side by side (each channel's pacing says how many at once); within a
        # chat, messages keep their order: once one waits, the later ones wait behind it.
        queues: dict[tuple[str, str], list[Claimed]] = {}
        for row in claimed:
            queues.setdefault((row.message.chat.channel, row.message.chat.chat_id), []).append(row)
        sent: list[int] = []
        await asyncio.gather(*(self._deliver_chat(rows, sent) for rows in queues.values()))
        return len(sent)

    async def _deliver_chat(self, rows: list[Claimed], sent: list[int]) -> int:
        # One delivery at a time per chat, in the order they were asked for (a lock is first come,
        # first served): replies to two updates of one chat leave in the updates' order.
        chat = rows[0].message.chat.key
        lock = self._chat_locks.setdefault(chat, asyncio.Lock())
        try:
            if not await self._lock_soon(lock, rows):
                # What is ahead in this chat is taking long: a held reply waits `claimed`.
                rows = [await self.outcomes.unmark(row) if row.marked else row for row in rows]
                await lock.acquire()
            try:
                for index, row in enumerate(rows):
                    resume_at = await self._paced_send(row, sent)
                    if resume_at is not None:
                        await self.outcomes.postpone([r.id for r in rows[index + 1:]],
                                                     until=resume_at)
                        return index
                return len(rows)
            finally:
                lock.release()
        finally:
            if not lock.locked() and self._chat_locks.get(chat) is lock:
                del self._chat_locks[chat]

    @staticmethod
    async def _lock_soon(lock: asyncio.Lock, rows: list[Claimed]) -> bool:
        """Take the chat's lock; for held replies, give up after `HELD_WAIT_SECONDS`."""
        if not any(row.marked for row in rows):
            await lock.acquire()
            return True
        # In this task (`asyncio.timeout`, not `wait_for`'s task of its own): a free lock is
        # taken at once, before a reply queued after this one can take it first.
        try:
            async with asyncio.timeout(HELD_WAIT_SECONDS):
                await lock.acquire()
        except TimeoutError:
            return False
        return True

    async def _paced_send(self, row: Claimed, sent: list[int]) -> datetime | None:
        """Send one row when its chat and bot may; None when sent, else when the chat may go on."""
        channel = self.channels[row.message.chat.channel]
        pacing: PacingSettings | None = getattr(channel, "pacing", None)
        if self.stopping:
            return await self.outcomes.put_back(row)
        if pacing is not None:
            wait = self.pacer.chat_wait(pacing, row.message.chat)
            if wait > pacing.max_wait_seconds:
                until = self.clock.now() + timedelta(seconds=wait)
                await self.outcomes.postpone([row.id], until=until)
                return until
        window = self._window(channel.name, pacing)
        if row.marked and (not window.redeem() or not window.room_kept()):
            # Its room lapsed (its update took long), or the window narrowed or a 429 came
            # meanwhile: it waits `claimed`.
            row = await self.outcomes.unmark(row)
        async with window.slot(promised=row.marked) as slot:
            if pacing is not None:
                booking = await self.pacer.reserve(pacing, row.message.chat)
                if not booking.booked:
                    # Another worker's messages to this chat came first (shared pacing).
                    until = self.clock.now() + timedelta(seconds=booking.wait)
                    await self.outcomes.postpone([row.id], until=until)
                    return until
                if row.marked and booking.wait > MARKED_WAIT_SECONDS:
                    row = await self.outcomes.unmark(row)
                await window.pace(booking.wait)  # the rate holds it back, not the window
                if paused := self.pacer.paused_for(row.message.chat):
                    # A 429 arrived for this chat or bot while we waited for the slot.
                    until = self.clock.now() + timedelta(seconds=paused)
                    await self.outcomes.postpone([row.id], until=until)
                    return until
            return await self._send_one(row, sent, slot)

    def _window(self, name: str, pacing: PacingSettings | None) -> SendWindow:
        # A channel without pacing sends one message at a time, as it always did.
        if name not in self._windows:
            self._windows[name] = SendWindow(pacing.concurrency if pacing else 1, name=name,
                                             slow_seconds=self.settings.slow_send_seconds)
        return self._windows[name]

    async def _send_one(self, row: Claimed, sent: list[int], slot: Slot) -> datetime | None:
        if self.stopping:
            return await self.outcomes.put_back(row)
        channel = self.channels[row.message.chat.channel]
        if not row.marked and not await self._marks.sending(row.id):
            # Held past the lease and taken back: another worker sends it (or sent it).
            log.info("outbox row %s was taken back before it was sent; left to others", row.id)
            return None
        if getattr(channel, "pacing", None) is not None and (
                paused := self.pacer.paused_for(row.message.chat)):
            # A 429 for the whole bot arrived while this row was being marked: not sent, so safe
            # to put back.
            return await self.outcomes.retry_at(row, delay=paused, error="paused after a 429", counts=False)
        return await self._call_and_record(channel, row, sent, slot)

    async def _call_and_record(self, channel: Channel, row: Claimed, sent: list[int],
                               slot: Slot) -> datetime | None:
        try:
            platform_id = await self._call(channel, self._with_progress(row), slot)
        except RateLimited as exc:
            slot.throttled = True
            self._windows[channel.name].cool(exc.retry_after)
            if getattr(channel, "pacing", None) is not None:
                await self.pacer.hold(row.message.chat, exc.retry_after, whole_bot=exc.whole_bot)
            return await self.outcomes.retry_at(row, delay=exc.retry_after, error=str(exc), counts=False)
        except ChannelPaused as exc:
            delay = max(0.0, (exc.until - self.clock.now()).total_seconds())
            return await self.outcomes.retry_at(row, delay=delay, error=str(exc), counts=False)
        except DeliveryUnknown as exc:
            await self.outcomes.uncertain(row, str(exc))
        except RecipientGone as exc:
            await self.outcomes.gone(row, str(exc))
        except ChatMigrated as exc:
            await self.outcomes.migrate(row, exc.new_chat_id)
        except PermanentSendError as exc:
            await self.outcomes.fail(row.id, str(exc))
        except TransientSendError as exc:
            return await self._transient(row, str(exc))
        except Exception as exc:
            log.exception("channel %s failed on outbox row %s", channel.name, row.id)
            return await self._transient(row, f"{type(exc).__name__}")
        else:
            await self._marks.sent(row.id, platform_id)
            sent.append(row.id)
            return None
        return self.clock.now()

    async def _call(self, channel: Channel, message: Outbound, slot: Slot) -> str | None:
        """Send through the channel, timing and counting it (the error goes on to the caller)."""
        started = time.monotonic()
        try:
            platform_id = await channel.send(message)
        except Exception as exc:
            self.metrics.sent(channel.name, exc)
            raise
        finally:
            slot.seconds = time.monotonic() - started
        self.metrics.sent(channel.name)
        return platform_id

    def _with_progress(self, row: Claimed) -> Outbound:
        """The row's message, with the hook that records each part of a split text as it leaves."""
        return replace(row.message, part_sent=partial(self.outcomes.part_sent, row.id))

    async def _transient(self, row: Claimed, error: str) -> datetime:
        if row.attempts >= self.settings.max_attempts:
            log.warning("outbox row %s failed after %d attempts: %s", row.id, row.attempts, error)
            await self.outcomes.fail(row.id, error)
            return self.clock.now()
        delay = backoff.delay(row.attempts, base=self.settings.backoff_base_seconds,
                              cap=self.settings.backoff_max_seconds, rng=self.rng)
        return await self.outcomes.retry_at(row, delay=delay, error=error, counts=True)
