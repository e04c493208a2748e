"""How many sends of one channel may be in flight at once: a window that shrinks under trouble.

Additive increase, multiplicative decrease (as TCP does): a 429 or a call slower than
`slow_seconds` halves the window; a success widens it by one, up to `most`, but only when the
traffic needs it: the window was full as the call began, or sends are waiting for room (TCP's
window validation, RFC 7661), and no send holding room is waiting for its pacing slot (then the
rate, not the window, holds the traffic back: a paced burst opens the window only as far as the
calls themselves overlap, not as far as the queue is long); and room not needed for
`DECAY_SECONDS` goes back, one at each later success, down to `START`. It starts at `START`.
Every send in flight is a row marked `sending`, which a kill would leave `uncertain`: so light
or paced traffic keeps few in flight, calls that overlap open the window within a few sends,
and when the platform slows down fewer go out. Knows no platform and no database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

log = logging.getLogger(__name__)

START = 2
"""The window before any traffic (a worker just started): it widens as sends need it."""

DECAY_SECONDS = 1.0
"""A window not needed for this long narrows by one (not below `START`) at its next success."""

PROMISE_SECONDS = 2.0
"""How long room promised to a held reply is kept for it (its update may be rolled back)."""


@dataclass
class Slot:
    """One send's place in the window; the sender says how the call went."""

    seconds: float | None = None
    """How long the platform call took; None when no call was made (the window is unchanged)."""
    throttled: bool = False
    """The platform answered 429."""
    full: bool = False
    """The window was full as this send began (only then may its success widen it)."""


class SendWindow:
    """An AIMD limit on the sends in flight of one channel."""

    def __init__(self, most: int, *, slow_seconds: float, name: str = "") -> None:
        self.most = max(1, most)
        self.size = min(self.most, START)
        self.slow_seconds = slow_seconds
        self.name = name
        self.busy = 0
        self.pacing = 0
        """Sends holding room that wait for their pacing slot (`pace`)."""
        self._cool_until = 0.0
        self._needed_at = 0.0
        """When a send last needed the window (it was full, or sends were waiting)."""
        self._waiting = 0
        self._promised: deque[float] = deque()
        self._changed = asyncio.Condition()

    def has_room(self) -> bool:
        """Tell whether a send could start now: not full, nobody waiting, no 429 pause running."""
        return self._fits() and self._waiting == 0 and not self.cooling

    def promise(self) -> bool:
        """Keep room for a reply held `sending` with its update, if there is room now.

        The room counts as taken until the reply enters (`redeem`) or `PROMISE_SECONDS` pass, so
        replies held by updates handled side by side never outnumber the window.
        """
        if not self.has_room():
            return False
        self._promised.append(time.monotonic() + PROMISE_SECONDS)
        return True

    def redeem(self) -> bool:
        """A held reply has come for the room promised to it; False when the promise lapsed."""
        self._fits()  # drops lapsed promises
        if not self._promised:
            return False
        self._promised.popleft()
        return True

    def room_kept(self) -> bool:
        """Tell whether a redeemed promise may send now.

        The window did not narrow under it (sends waiting do not count: the room was kept for
        it) and no 429 pause runs.
        """
        return self.busy + len(self._promised) < self.size and not self.cooling

    @property
    def cooling(self) -> bool:
        """Tell whether a 429's pause is running."""
        return time.monotonic() < self._cool_until

    def _fits(self) -> bool:
        now = time.monotonic()
        while self._promised and self._promised[0] <= now:
            self._promised.popleft()
        return self.busy + len(self._promised) < self.size

    def cool(self, seconds: float) -> None:
        """Note a 429's pause: `has_room` says no until it ends (the pacer holds the sends)."""
        self._cool_until = max(self._cool_until, time.monotonic() + seconds)

    @asynccontextmanager
    async def slot(self, *, promised: bool = False) -> AsyncIterator[Slot]:
        """Wait for room, hold it for one send, then resize by how the call went.

        A held reply whose promised room was just redeemed (`promised`) does not wait: the room
        was kept for it, so the sends waiting meanwhile do not go first.
        """
        async with self._changed:
            self._waiting += 0 if promised else 1
            try:
                while not promised and not self._fits():
                    # A promise that lapses wakes nobody: look again now and then.
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), PROMISE_SECONDS)
            finally:
                self._waiting -= 0 if promised else 1
            self.busy += 1
            # Room held by sends waiting for their pacing slot is not what fills it.
            slot = Slot(full=self.busy - self.pacing + len(self._promised) >= self.size)
        try:
            yield slot
        finally:
            self.busy -= 1
            if slot.throttled or slot.seconds is not None:
                needed = (slot.full or self._waiting > 0) and self.pacing == 0
                self._resize(slot.throttled, slot.seconds or 0.0, needed=needed)
            async with self._changed:
                self._changed.notify_all()

    async def pace(self, seconds: float) -> None:
        """Wait `seconds` for a pacing slot, holding room but not counting as needing more."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        self.pacing += 1
        try:
            await asyncio.sleep(seconds)
        finally:
            self.pacing -= 1

    def _resize(self, throttled: bool, seconds: float, *, needed: bool) -> None:
        now = time.monotonic()
        if throttled or seconds >= self.slow_seconds:
            if self.size > 1:
                self.size = max(1, self.size // 2)
                log.info("send window %s shrinks to %d (%s)", self.name, self.size,
                         "429" if throttled else f"a call took {seconds:.1f}s")
        elif needed:
            self._needed_at = now
            self.size = min(self.most, self.size + 1)
        elif self.size > START and now - self._needed_at >= DECAY_SECONDS:
            # Room unused for a while goes back (RFC 7661): a window opened by a burst does not
            # stay wide for the next slow phase to fill with calls a kill would catch.
            self._needed_at = now
            self.size -= 1
