"""In-memory channel: keeps what it is asked to send, for tests, benchmarks and embedding."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from handlers.types import ChannelLimits, Outbound


class MemoryChannel:
    """Records every message per chat id; `wait_for` lets a driver read them as a queue."""

    def __init__(self, name: str = "memory", limits: ChannelLimits | None = None) -> None:
        self.name = name
        self.limits = limits or ChannelLimits(max_text=4096, has_buttons=False)
        self.sent: list[Outbound] = []
        self.by_chat: dict[str, list[Outbound]] = defaultdict(list)
        self._arrived = asyncio.Condition()

    async def send(self, message: Outbound) -> str | None:
        """Record the message and wake anyone waiting for it."""
        self.sent.append(message)
        self.by_chat[message.chat.chat_id].append(message)
        async with self._arrived:
            self._arrived.notify_all()
        return f"m{len(self.sent)}"
