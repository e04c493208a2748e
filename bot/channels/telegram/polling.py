"""Long polling that confirms an update only after it is handled and committed.

PTB's Updater confirms a batch as soon as it fetched it; here the next offset is asked for only
after `process(update)` returned for it and every update before it, so a crash never loses an
update (it comes again and the router's claim on its id drops the repeat). Different chats are
handled side by side; one chat's updates stay in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, TelegramError

from bot.channels.telegram.errors import describe
from bot.channels.telegram.inbound import ALLOWED_UPDATES
from handlers.backoff import Backoff

log = logging.getLogger(__name__)

T = TypeVar("T")


class TokenRefused(Exception):
    """Telegram answered 401/404: the token is wrong or revoked; polling cannot go on."""


class Poller:
    """getUpdates in a loop: fetch, handle each update fully, then confirm it with the offset."""

    def __init__(self, bot: Bot, process: Callable[[Update], Awaitable[None]], *, timeout: int,
                 parallel: int = 8, backoff: Backoff | None = None) -> None:
        self.bot = bot
        self.process = process
        self.timeout = timeout
        self.parallel = parallel
        self.backoff = backoff or Backoff()
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; raise TokenRefused on 401."""
        log.info("telegram: polling for updates (timeout %ss)", self.timeout)
        while not stop.is_set():
            updates = await self._fetch(stop)
            if updates:
                await self._handle(updates, stop)
        await self._confirm()

    async def _fetch(self, stop: asyncio.Event) -> tuple[Update, ...] | None:
        call = self.bot.get_updates(offset=self.offset, timeout=self.timeout,
                                    allowed_updates=ALLOWED_UPDATES)
        try:
            updates = await until_stopped(call, stop)
        except InvalidToken as exc:
            raise TokenRefused from exc
        except Conflict as exc:
            delay = self.backoff.next_delay()
            log.error("telegram: getUpdates conflict: another instance polls with this token, or "
                      "a webhook is set (%s); retrying in %.0fs", describe(exc), delay)
            await _sleep(delay, stop)
            return None
        except TelegramError as exc:
            delay = self.backoff.next_delay()
            log.warning("telegram: getUpdates failed (%s: %s); retrying in %.1fs",
                        type(exc).__name__, describe(exc), delay)
            await _sleep(delay, stop)
            return None
        if updates is not None and not updates:
            self.backoff.reset()
        return updates

    async def _handle(self, updates: tuple[Update, ...], stop: asyncio.Event) -> None:
        """Handle a batch: chats side by side, each chat's updates in order.

        The offset moves past an update only when it and every earlier one in the batch are
        handled; a failed update is fetched again (the ones after it come back as repeats).
        """
        lanes: dict[object, list[Update]] = {}
        for update in updates:
            chat = update.effective_chat
            lanes.setdefault(chat.id if chat else update.update_id, []).append(update)
        gate = asyncio.Semaphore(self.parallel)
        results = await asyncio.gather(*(self._lane(lane, gate, stop) for lane in lanes.values()))
        unhandled = [update_id for update_id, _ in results if update_id is not None]
        self.offset = min(unhandled) if unhandled else updates[-1].update_id + 1
        if any(failed for _, failed in results):
            delay = self.backoff.next_delay()
            log.warning("telegram: update %s failed; it will be fetched again in %.1fs",
                        self.offset, delay)
            await _sleep(delay, stop)
        else:
            self.backoff.reset()

    async def _lane(self, lane: list[Update], gate: asyncio.Semaphore,
                    stop: asyncio.Event) -> tuple[int | None, bool]:
        """Handle one chat's updates in order; return the first not handled and whether it failed.

        On stop, the update in hand is finished and the rest are left for the next start.
        """
        async with gate:
            for update in lane:
                if stop.is_set():
                    return update.update_id, False
                try:
                    await self.process(update)
                except Exception:
                    log.exception("telegram: update %s failed", update.update_id)
                    return update.update_id, True
        return None, False

    async def _confirm(self) -> None:
        """Tell Telegram which updates are done before stopping, so none comes back."""
        if self.offset is None:
            return
        try:
            await asyncio.wait_for(self.bot.get_updates(offset=self.offset, timeout=0, limit=1),
                                   timeout=5)
        except (TelegramError, TimeoutError) as exc:
            log.info("telegram: could not confirm the last updates (%s); they will be skipped "
                     "as repeats", type(exc).__name__)


async def until_stopped(call: Coroutine[Any, Any, T], stop: asyncio.Event) -> T | None:
    """Await `call`, or cancel it and return None as soon as `stop` is set."""
    task = asyncio.ensure_future(call)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


async def _sleep(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


__all__ = ["Backoff", "Poller", "TokenRefused", "until_stopped"]
