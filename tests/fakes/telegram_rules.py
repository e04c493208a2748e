"""Rules the fake Bot API enforces as Telegram does: HTML entities, text length, flood limits."""

from __future__ import annotations

import html
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ALLOWED_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code",
                          "pre", "tg-spoiler", "span", "blockquote", "tg-emoji"})
_TOKEN = re.compile(r"<(/?)([a-zA-Z-]+)(?:\s[^<>]*)?>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[<>&]")
_ENTITIES = frozenset({"lt", "gt", "amp", "quot"})


class EntityError(ValueError):
    """The text is not valid Telegram HTML."""


def parse_html(text: str) -> str:
    """Return the text a user sees (tags removed, entities decoded); raise EntityError."""
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(text[pos:match.start()])
        pos = match.end()
        closing, tag, entity = match.group(1), match.group(2), match.group(3)
        if tag:
            _tag(stack, tag.lower(), closing=bool(closing), offset=match.start())
        elif entity:
            if not entity.startswith("#") and entity not in _ENTITIES:
                raise EntityError(f"Unsupported HTML entity at byte offset {match.start()}")
            out.append(html.unescape(match.group(0)))
        else:
            raise EntityError(f"Unsupported start tag at byte offset {match.start()}")
    if stack:
        raise EntityError(f"Can't find end tag corresponding to start tag \"{stack[-1]}\"")
    out.append(text[pos:])
    return "".join(out)


def _tag(stack: list[str], tag: str, *, closing: bool, offset: int) -> None:
    if tag not in ALLOWED_TAGS:
        raise EntityError(f"Unsupported start tag \"{tag}\" at byte offset {offset}")
    if not closing:
        stack.append(tag)
    elif not stack or stack.pop() != tag:
        raise EntityError(f"Unexpected end tag at byte offset {offset}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Bucket:
    """One GCRA token bucket: `rate` per second with a burst of `burst` messages."""

    rate: float
    burst: int
    tat: float = 0.0

    def take(self, now: float) -> float:
        """Take a token; return 0 when allowed, else the seconds until one is free."""
        interval = 1 / self.rate
        earliest = self.tat - (self.burst - 1) * interval
        if now < earliest:
            return earliest - now
        self.tat = max(self.tat, now) + interval
        return 0.0


@dataclass
class FloodLimits:
    """Telegram's flood limits (Bots FAQ); beyond them the fake answers 429 with retry_after.

    Bursts are tolerated as the FAQ says ("short bursts"): `*_burst` messages at once.
    """

    overall_per_second: float = 30.0
    overall_burst: int = 30
    per_chat_per_second: float = 1.0
    chat_burst: int = 5
    per_group_per_minute: float = 20.0
    group_burst: int = 5


@dataclass
class FloodControl:
    """Applies FloodLimits per chat, per group and overall; counts every 429 it answers."""

    limits: FloodLimits
    clock: Callable[[], float] = time.monotonic
    buckets: dict[tuple[str, int | str], Bucket] = field(default_factory=dict)
    refused: int = 0

    def check(self, chat_id: int | str, *, is_group: bool) -> int:
        """Return 0 when a message may go now, else retry_after in whole seconds (≥ 1)."""
        now = self.clock()
        keys = [("all", 0, self.limits.overall_per_second, self.limits.overall_burst),
                ("chat", chat_id, self.limits.per_chat_per_second, self.limits.chat_burst)]
        if is_group:
            keys.append(("group", chat_id, self.limits.per_group_per_minute / 60,
                         self.limits.group_burst))
        buckets = [self.buckets.setdefault((kind, key), Bucket(rate, burst))
                   for kind, key, rate, burst in keys]
        # Check every bucket before taking from any, so a refused message costs nothing.
        snapshot = [b.tat for b in buckets]
        waits = [b.take(now) for b in buckets]
        if any(waits):
            for bucket, tat in zip(buckets, snapshot, strict=True):
                bucket.tat = tat
            self.refused += 1
            return max(1, math.ceil(max(waits)))
        return 0
