"""The seam between the core and a chat platform: the Channel protocol and send errors."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from handlers.types import ChannelLimits, Outbound


class SendError(Exception):
    """Base of the errors an adapter raises when a send fails."""


class RateLimited(SendError):
    """The platform asked us to wait `retry_after` seconds (scoped to a chat or the bot)."""

    def __init__(self, retry_after: float, *, whole_bot: bool = False) -> None:
        super().__init__(f"rate limited, retry after {retry_after}s")
        self.retry_after = retry_after
        self.whole_bot = whole_bot


class RecipientGone(SendError):
    """The recipient blocked the bot, or the bot left the group: stop sending there."""


class TransientSendError(SendError):
    """A 5xx, a time-out or a dropped connection: worth another try."""


class DeliveryUnknown(SendError):
    """The request reached the platform but no answer came: it may have been delivered.

    Neither platform has an idempotency key, so trying again could send it twice: the sender
    records the row `uncertain` at once and an operator decides (`sangkien outbox`).
    """


class PermanentSendError(SendError):
    """The platform refused this message for good (a 400): record the reason."""


class ChatMigrated(SendError):
    """The group moved to a new id; the sender stores it and sends again once."""

    def __init__(self, new_chat_id: str) -> None:
        super().__init__("chat migrated")
        self.new_chat_id = new_chat_id


class ChannelPaused(SendError):
    """The whole channel may not send until `until` (a monthly quota ran out): keep rows pending."""

    def __init__(self, until: datetime, reason: str = "paused") -> None:
        super().__init__(f"channel paused until {until.isoformat()}: {reason}")
        self.until = until


class Channel(Protocol):
    """A chat platform as the core sees it: a name, its limits and a way to send."""

    name: str
    limits: ChannelLimits

    async def send(self, message: Outbound) -> str | None:
        """Deliver one message; return the platform's message id when it gives one."""
        ...
