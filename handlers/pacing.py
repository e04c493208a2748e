"""Pacing of outgoing messages: per chat, per group chat and per bot, as a platform asks.

Each limit is a token bucket kept as a theoretical arrival time (GCRA), so booking a slot is
O(1) and needs no timer. State lives in memory, per worker. Knows no platform.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

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
class _Limit:
    key: tuple[str, str, str]
    interval: float
    burst: int

    @property
    def tolerance(self) -> float:
        return (self.burst - 1) * self.interval


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
        key = ("bot", chat.channel, "") if whole_bot else ("chat", chat.channel, chat.chat_id)
        lane = self._lanes.setdefault(key, _Lane())
        lane.blocked_until = max(lane.blocked_until, self._now() + seconds)
        log.info("pacing: %s paused for %.1fs", "bot " + chat.channel if whole_bot else chat.key,
                 seconds)

    def _earliest(self, limit: _Limit) -> float:
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


def _chat_limits(settings: PacingSettings, chat: ChatRef) -> list[_Limit]:
    limits = [_Limit(("chat", chat.channel, chat.chat_id), 1 / settings.per_chat_per_second,
                     settings.chat_burst)]
    if chat.is_group:
        limits.append(_Limit(("group", chat.channel, chat.chat_id),
                             60 / settings.per_group_per_minute, settings.group_burst))
    return limits


def _bot_limit(settings: PacingSettings, channel: str) -> _Limit:
    return _Limit(("bot", channel, ""), 1 / settings.overall_per_second, settings.overall_burst)
