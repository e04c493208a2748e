"""Long polling `getUpdates`: one update per call, no offset, HTTP 408 when idle (spec §5).

Only one poller per token may run (two would take updates from each other): a lease guards it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.channels.zalo.client import (
    PollTimeout,
    QuotaExceeded,
    Unauthorized,
    ZaloClient,
    ZaloError,
    ZaloUnavailable,
)
from handlers import backoff
from handlers.errors import Unavailable
from handlers.port import Lease

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollPolicy:
    """How long to poll and how to back off."""

    timeout: int = 30
    retry_base: float = 1.0
    retry_max: float = 60.0
    quota_retry: float = 900.0
    standby: float = 15.0
    min_idle_interval: float = 0.25
    """An idle answer sooner than this (a proxy answering 408 at once) waits out the rest."""


class Poller:
    """Polls while it holds the lease; hands each update to `handle` before the next poll."""

    def __init__(self, *, client: ZaloClient, lease: Lease, policy: PollPolicy,
                 handle: Callable[[dict[str, Any]], Awaitable[None]],
                 on_refused: Callable[[], Awaitable[Any]], rng: random.Random | None = None) -> None:
        self.client, self.lease, self.policy = client, lease, policy
        self.handle, self.on_refused = handle, on_refused
        self.rng = rng or random.Random()
        self.failures = 0
        self.polls = 0
        self.refused = False

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set or Zalo refuses the token."""
        waiting_logged = False
        while not stop.is_set() and not self.refused:
            try:
                acquired = await self.lease.acquire()
            except Exception as exc:
                log.exception("Zalo poll lease unavailable")
                await self._back_off(stop, exc)
                continue
            if not acquired:
                if not waiting_logged:
                    log.info("another process polls this Zalo bot (lease %s); standing by",
                             self.lease.name)
                    waiting_logged = True
                await _sleep(stop, self.policy.standby)
                continue
            log.info("polling Zalo (lease %s)", self.lease.name)
            waiting_logged = False
            try:
                await self._poll_while_held(stop)
            except Exception as exc:
                # The database went away (lease, or the update could not even be apologised
                # for): stop polling a while, since every update taken now would be lost.
                log.exception("Zalo polling interrupted")
                await self._back_off(stop, exc)
            finally:
                with contextlib.suppress(Exception):
                    await self.lease.release()

    async def _poll_while_held(self, stop: asyncio.Event) -> None:
        while not stop.is_set() and not self.refused:
            if not await self.lease.renew():
                log.warning("lost lease %s; polling stops until it is free again", self.lease.name)
                return
            update = await self._poll_once(stop)
            if update is not None:
                # Never cancelled by `stop`: the update in hand is finished (and committed).
                await self._handle_until_kept(update, stop)
                self.failures = 0

    async def _handle_until_kept(self, update: dict[str, Any], stop: asyncio.Event) -> None:
        """Hand an update to the core; while the database is unavailable, keep it and try again.

        Zalo has no offset: an update it handed out is not delivered again, so it is held here
        (not polled past) until the core has kept it, or the process stops.
        """
        waiting = backoff.Backoff(base=self.policy.retry_base, cap=self.policy.retry_max,
                                  rng=self.rng)
        while True:
            try:
                await self.handle(update)
                return
            except Unavailable:
                if stop.is_set():
                    log.error("stopping with a Zalo update not handled (database unavailable)")
                    raise
                delay = waiting.next_delay()
                log.warning("database unavailable; the Zalo update in hand is tried again in "
                            "%.1fs", delay)
                await _sleep(stop, delay)

    async def _poll_once(self, stop: asyncio.Event) -> dict[str, Any] | None:
        self.polls += 1
        started = time.monotonic()
        try:
            update = await _unless_stopped(stop, self.client.get_updates(wait=self.policy.timeout))
        except PollTimeout:
            # Idle: poll again at once; the server's long wait keeps the CPU idle.
            self.failures = 0
            await _sleep(stop, self.policy.min_idle_interval - (time.monotonic() - started))
            return None
        except Unauthorized:
            log.error("Zalo refused the bot token (401): polling stops; set a new token")
            self.refused = True
            await self.on_refused()
            return None
        except (ZaloError, ZaloUnavailable) as exc:
            await self._back_off(stop, exc)
            return None
        self.failures = 0
        return update

    async def _back_off(self, stop: asyncio.Event, exc: Exception) -> None:
        self.failures += 1
        if isinstance(exc, QuotaExceeded):
            delay = self.policy.quota_retry * self.rng.uniform(0.5, 1.5)
        else:
            delay = backoff.delay(self.failures, base=self.policy.retry_base,
                                  cap=self.policy.retry_max, rng=self.rng)
        log.warning("Zalo getUpdates failed (%s); retrying in %.1fs", exc, delay)
        await _sleep(stop, delay)


async def _unless_stopped(stop: asyncio.Event, call: Awaitable[Any]) -> Any:
    """Await `call`, or cancel it when `stop` is set (then return None)."""
    poll = asyncio.ensure_future(call)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({poll, stopped}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        poll.cancel()
        raise
    finally:
        stopped.cancel()
    if poll in done:
        return poll.result()
    # Cancelling a poll in flight may lose an update the server already handed out (spec §5 [?]).
    poll.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await poll
    return None


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    if seconds <= 0:
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
