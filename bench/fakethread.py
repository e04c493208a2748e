"""Fake servers in a thread of their own, so a bench can tell their CPU time from the bot's."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Spent:
    """CPU milliseconds per update: the whole process's, and without the fake servers' thread."""

    whole: float
    bot: float


class FakeThread:
    """An event loop in a daemon thread; `await fakes.run(coro)` runs `coro` there."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fakes", daemon=True)
        self.thread.start()

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the fakes' loop and wait for it from the caller's loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    async def cpu(self) -> float:
        """Return the fakes' thread CPU time so far, in seconds."""
        return await self.run(_thread_time())

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


async def _thread_time() -> float:
    return time.thread_time()


@dataclass
class Meter:
    """The process's CPU time and the fakes' thread's, from `start` to `stop`."""

    fakes: FakeThread | None
    process: float
    fake: float

    @classmethod
    async def start(cls, fakes: FakeThread | None) -> Meter:
        fake = await fakes.cpu() if fakes else 0.0
        return cls(fakes, time.process_time(), fake)

    async def stop(self, count: int) -> Spent:
        """Return the CPU milliseconds per update over `count` updates."""
        process = time.process_time() - self.process
        fake = (await self.fakes.cpu()) - self.fake if self.fakes else 0.0
        return Spent(whole=1000 * process / count, bot=1000 * (process - fake) / count)
