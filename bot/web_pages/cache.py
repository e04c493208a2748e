"""A short-lived cache of computed page data (overview, league) per unit, within one process.

Many people open the same district's overview at the start of a day; its figures change slowly, so
they are computed once per `web.cache_seconds` (0 turns this off) and the page says as of when.
One computation per key at a time: the others wait for it instead of running the same query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from handlers.clock import Clock

T = TypeVar("T")
MAX_ENTRIES = 512


class ViewCache:
    """Values by key until they are `ttl` old (by the app's clock)."""

    def __init__(self, *, seconds: float, clock: Clock) -> None:
        self.ttl = timedelta(seconds=seconds)
        self.clock = clock
        self._entries: dict[Hashable, tuple[datetime, Any]] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def get(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """Return the fresh value of `key`, computing it (once) when there is none."""
        if self.ttl <= timedelta(0):
            return await make()
        if (hit := self._fresh(key)) is not None:
            return hit
        async with self._locks.setdefault(key, asyncio.Lock()):
            if (hit := self._fresh(key)) is not None:
                return hit
            value = await make()
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (self.clock.now() + self.ttl, value)
            return value

    def _fresh(self, key: Hashable) -> Any:
        found = self._entries.get(key)
        return found[1] if found is not None and found[0] > self.clock.now() else None
