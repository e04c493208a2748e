"""Pacing of outgoing messages: per chat, per group chat and per bot, as a platform asks.

Each limit is a token bucket kept as a theoretical arrival time (GCRA), so booking a slot is
O(1) and needs no timer. `Pacing` is what the sender sees; `MemoryPacing` keeps the buckets in
this process (SQLite runs one worker), `handlers/services/pacing_lanes.py` in the database, shared
by every worker of a bot token. Knows no platform.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from handlers.settings import PacingSettings
from handlers.types import ChatRef

log = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 30.0


@dataclass
class _Lane:
    """One bucket: the next message's theoretical arrival time, and a platform-imposed pause."""

    tat: float = 0.0
    blocked_until: float = 0.0


@dataclass(frozen=True)
class Limit:
    """One lane's rate: a message every `interval` seconds, `burst` of them at once."""

    key: tuple[str, str, str]
    interval: float
    burst: int

    @property
    def tolerance(self) -> float:
        """Return how far ahead of its steady rate the lane may book (the burst)."""
        return (self.burst - 1) * self.interval

    @property
    def name(self) -> str:
        """Return the lane's key as one string: `chat:telegram:42`, `bot:telegram:`."""
        return ":".join(self.key)


@dataclass(frozen=True)
class Slot:
    """A booking's answer: wait `wait` seconds, then send; or, not `booked`, requeue for `wait`."""

    wait: float
    booked: bool = True


class Pacing(Protocol):
    """Where the sender books send slots and records a platform's pauses (429)."""

    def chat_wait(self, settings: PacingSettings, chat: ChatRef) -> float:
        """Return how long `chat` must wait, as far as this worker knows (no I/O)."""
        ...

    def paused_for(self, chat: ChatRef) -> float:
        """Return how long a known 429 still holds this chat or its whole bot (no I/O)."""
        ...

    async def reserve(self, settings: PacingSettings, chat: ChatRef) -> Slot:
        """Book the next slot for `chat` and its bot."""
        ...

    async def hold(self, chat: ChatRef, seconds: float, *, whole_bot: bool) -> None:
        """Pause a chat (or every chat of its bot) for `seconds`, as a platform's 429 asks."""
        ...


class Pacer:
    """Books send slots so that no chat, group or bot exceeds its rate."""

    def __init__(self, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._now = monotonic
        self._lanes: dict[tuple[str, str, str], _Lane] = {}
        self._pruned_at = monotonic()

    def chat_wait(self, settings: PacingSettings, chat: ChatRef) -> float:
        """Return how long `chat` must wait: its own limits, or a pause of its whole bot.

        The bot's steady rate is left out: a slot for it is booked by `reserve`.
        """
        now = self._now()
        bot = self._lanes.get(("bot", chat.channel, ""))
        paused = bot.blocked_until if bot else 0.0
        return max(0.0, paused - now,
                   *(self._earliest(limit) - now for limit in _chat_limits(settings, chat)))

    def paused_for(self, chat: ChatRef) -> float:
        """Return how long a platform's pause (429) still holds this chat or its whole bot."""
        now = self._now()
        lanes = (self._lanes.get(("bot", chat.channel, "")),
                 self._lanes.get(("chat", chat.channel, chat.chat_id)))
        return max(0.0, *(lane.blocked_until - now for lane in lanes if lane is not None))

    def reserve(self, settings: PacingSettings, chat: ChatRef) -> float:
        """Book the next slot for `chat` and its bot; return how many seconds to wait before it."""
        now = self._now()
        limits = [*_chat_limits(settings, chat), _bot_limit(settings, chat.channel)]
        at = max(now, *(self._earliest(limit) for limit in limits))
        for limit in limits:
            lane = self._lanes.setdefault(limit.key, _Lane())
            lane.tat = max(lane.tat, at) + limit.interval
        self._prune(now)
        return at - now

    def hold(self, chat: ChatRef, seconds: float, *, whole_bot: bool) -> None:
        """Pause a chat (or every chat of its bot) for `seconds`, as a platform's 429 asks."""
        lane = self._lanes.setdefault(pause_key(chat, whole_bot=whole_bot), _Lane())
        lane.blocked_until = max(lane.blocked_until, self._now() + seconds)
        log.info("pacing: %s paused for %.1fs", "bot " + chat.channel if whole_bot else chat.key,
                 seconds)

    def _earliest(self, limit: Limit) -> float:
        lane = self._lanes.get(limit.key)
        if lane is None:
            return 0.0
        return max(lane.tat - limit.tolerance, lane.blocked_until)

    def _prune(self, now: float) -> None:
        # A lane whose time has passed is the same as a fresh one: forget it to bound memory.
        if now - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = now
        idle = [key for key, lane in self._lanes.items()
                if lane.tat <= now and lane.blocked_until <= now]
        for key in idle:
            del self._lanes[key]


class MemoryPacing:
    """`Pacing` with the buckets in this process: right for one worker (SQLite)."""

    def __init__(self, pacer: Pacer | None = None) -> None:
        self.pacer = pacer or Pacer()

    def chat_wait(self, settings: PacingSettings, chat: ChatRef) -> float:
        """Return how long `chat` must wait for its own limits or a pause of its bot."""
        return self.pacer.chat_wait(settings, chat)

    def paused_for(self, chat: ChatRef) -> float:
        """Return how long a 429 still holds this chat or its whole bot."""
        return self.pacer.paused_for(chat)

    async def reserve(self, settings: PacingSettings, chat: ChatRef) -> Slot:
        """Book the next slot (always booked: `chat_wait` said the chat was free)."""
        return Slot(self.pacer.reserve(settings, chat))

    async def hold(self, chat: ChatRef, seconds: float, *, whole_bot: bool) -> None:
        """Pause a chat or its whole bot for `seconds`."""
        self.pacer.hold(chat, seconds, whole_bot=whole_bot)


def pause_key(chat: ChatRef, *, whole_bot: bool) -> tuple[str, str, str]:
    """Return the lane a 429 pauses: the chat's own, or its bot's (every chat of the bot)."""
    return ("bot", chat.channel, "") if whole_bot else ("chat", chat.channel, chat.chat_id)


def lane_limits(settings: PacingSettings, chat: ChatRef) -> tuple[list[Limit], Limit]:
    """Return the chat's own lanes (chat, and group when a group) and its bot's lane."""
    return _chat_limits(settings, chat), _bot_limit(settings, chat.channel)


def _chat_limits(settings: PacingSettings, chat: ChatRef) -> list[Limit]:
    limits = [Limit(("chat", chat.channel, chat.chat_id), 1 / settings.per_chat_per_second,
                     settings.chat_burst)]
    if chat.is_group:
        limits.append(Limit(("group", chat.channel, chat.chat_id),
                             60 / settings.per_group_per_minute, settings.group_burst))
    return limits


def _bot_limit(settings: PacingSettings, channel: str) -> Limit:
    return Limit(("bot", channel, ""), 1 / settings.overall_per_second, settings.overall_burst)
