"""A channel whose sends fail on a script: rate limits, outages, blocked users, migrations."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from handlers.channel import SendError
from handlers.types import ChannelLimits, Outbound


@dataclass
class FlakyChannel:
    """Raises the scripted errors in order, then delivers."""

    name: str = "flaky"
    limits: ChannelLimits = field(default_factory=lambda: ChannelLimits(4096, False))
    script: deque[SendError] = field(default_factory=deque)
    delivered: list[Outbound] = field(default_factory=list)
    calls: int = 0

    async def send(self, message: Outbound) -> str | None:
        self.calls += 1
        if self.script:
            raise self.script.popleft()
        self.delivered.append(message)
        return f"p{len(self.delivered)}"
