"""Planned outreach: messages to chats, trimmed to a per-channel budget, rendered and queued.

Budgets: a channel may allow only so many messages (Zalo's monthly quota). When it is short, the
most urgent messages (lagging units first) go, and the caller tells staff who was left out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.texts import Renderer
from handlers.types import ChannelLimits, ChatRef, utf16_len
from storage.models import OutboxStatus, Priority
from storage.repositories import outbox

log = logging.getLogger(__name__)

FALLBACK_LIMITS = ChannelLimits(max_text=2000, has_buttons=False)
"""For a channel this worker does not serve: the strictest limit we know (Zalo, 2,000)."""

Budgets = Mapping[str, int | None]
"""Messages each channel may still carry; a channel that is missing, or None, is unlimited."""


class QuotaSource(Protocol):
    """Tells how many messages a channel may still carry (None: no limit)."""

    async def remaining(self, session: AsyncSession, channel: str, now: datetime) -> int | None:
        """Return the channel's remaining budget."""
        ...


class Unlimited:
    """No channel has a limit."""

    async def remaining(self, session: AsyncSession, channel: str, now: datetime) -> int | None:
        """Return None: unlimited."""
        return None


@dataclass(frozen=True)
class FixedBudgets:
    """Fixed budgets per channel (for tests and operators' dry runs)."""

    budgets: Mapping[str, int | None] = field(default_factory=dict)

    async def remaining(self, session: AsyncSession, channel: str, now: datetime) -> int | None:
        """Return the configured budget of a channel."""
        return self.budgets.get(channel)


@dataclass(frozen=True)
class Planned:
    """One message a job or broadcast wants to send."""

    chat: ChatRef
    template: str
    data: dict[str, Any]
    dedup_key: str
    member_id: int | None = None
    urgency: float = 1.0
    """Lower goes first when a budget is short: the unit's share of its target."""
    unit_code: str = ""


async def budgets_for(session: AsyncSession, quota: QuotaSource, planned: Sequence[Planned],
                      now: datetime) -> dict[str, int | None]:
    """Ask the quota source about every channel the plan uses."""
    channels = sorted({p.chat.channel for p in planned})
    return {channel: await quota.remaining(session, channel, now) for channel in channels}


def apply_budget(planned: Sequence[Planned], budgets: Budgets
                 ) -> tuple[list[Planned], list[Planned]]:
    """Split a plan into what fits each channel's budget (most urgent first) and what is left out."""
    kept: list[Planned] = []
    left: list[Planned] = []
    by_channel: dict[str, list[Planned]] = {}
    for item in planned:
        by_channel.setdefault(item.chat.channel, []).append(item)
    for channel, items in by_channel.items():
        budget = budgets.get(channel)
        if budget is None or budget >= len(items):
            kept.extend(items)
            continue
        ordered = sorted(items, key=lambda p: (p.urgency, p.unit_code, p.dedup_key))
        kept.extend(ordered[:max(budget, 0)])
        left.extend(ordered[max(budget, 0):])
    if left:
        log.warning("budget short: %d message(s) left out (%s)", len(left),
                    ", ".join(f"{c}={budgets.get(c)}" for c in sorted({p.chat.channel for p in left})))
    return kept, left


@dataclass(frozen=True)
class Queuer:
    """Renders planned messages for their channel and queues them in the caller's transaction."""

    renderer: Renderer
    limits: Mapping[str, ChannelLimits]

    def rows(self, item: Planned, *, now: datetime, not_before: datetime,
             priority: int = Priority.OUTREACH) -> list[dict[str, Any]]:
        """Render one planned message into outbox rows (split when it is too long)."""
        limits = self.limits.get(item.chat.channel, FALLBACK_LIMITS)
        text = self.renderer.render(item.template, markup=limits.markup, **item.data)
        parts = split_text(text, limits.max_text)
        return [{"channel": item.chat.channel, "chat_id": item.chat.chat_id,
                 "is_group": item.chat.is_group, "member_id": item.member_id, "text": part,
                 "choices": [], "dedup_key": item.dedup_key if index == 0
                 else f"{item.dedup_key}:p{index + 1}",
                 "priority": priority, "not_before": not_before, "created_at": now,
                 "status": OutboxStatus.PENDING, "attempts": 0}
                for index, part in enumerate(parts)]

    async def queue(self, session: AsyncSession, planned: Sequence[Planned], *, now: datetime,
                    not_before: datetime, priority: int = Priority.OUTREACH) -> list[int]:
        """Queue every planned message; return the ids of the rows that were new."""
        rows = [row for item in planned
                for row in self.rows(item, now=now, not_before=not_before, priority=priority)]
        return await outbox.add_many(session, rows)


def split_text(text: str, limit: int) -> list[str]:
    """Split a text into parts of at most `limit` UTF-16 units, at line breaks where possible."""
    if utf16_len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while utf16_len(line) > limit:
            head, line = _cut(line, limit)
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
        candidate = f"{current}\n{line}" if current else line
        if utf16_len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def _cut(line: str, limit: int) -> tuple[str, str]:
    size = limit
    while utf16_len(line[:size]) > limit:
        size -= 1
    return line[:size], line[size:]
