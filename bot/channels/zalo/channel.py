"""The Zalo channel as the core sees it: Outbound → sendMessage, errors → send outcomes.

Zalo has no buttons (choices are already numbered in the text) and takes 1 to 2,000 characters,
so long texts go out as several messages, in order.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.channels import limits
from bot.channels.zalo.client import (
    AnswerLost,
    NotFound,
    QuotaExceeded,
    Unauthorized,
    ZaloClient,
    ZaloError,
    ZaloUnavailable,
)
from handlers.channel import (
    ChannelPaused,
    DeliveryUnknown,
    PermanentSendError,
    TransientSendError,
)
from handlers.clock import Clock
from handlers.textsplit import split_text
from handlers.types import Outbound

log = logging.getLogger(__name__)

NAME = "zalo"
LIMITS = limits.ZALO
PAUSE_RECHECK = timedelta(seconds=60)

PauseHook = Callable[[], Awaitable[datetime]]
PauseSource = Callable[[], Awaitable[datetime | None]]


class ZaloChannel:
    """Sends through the Zalo Bot API; pauses itself when Zalo says the quota ran out."""

    name = NAME
    limits = LIMITS

    def __init__(self, client: ZaloClient, *, clock: Clock, on_quota: PauseHook,
                 on_refused: PauseHook, pause_source: PauseSource) -> None:
        self.client, self.clock = client, clock
        self.on_quota, self.on_refused, self.pause_source = on_quota, on_refused, pause_source
        self.paused_until: datetime | None = None
        self._checked_at: datetime | None = None

    async def send(self, message: Outbound) -> str | None:
        """Send the text in parts of at most 2,000 UTF-16 units; return the last message id.

        The parts before `message.parts_done` left on an earlier try (on any worker): they are
        skipped. Each part but the last is reported through `message.part_sent` before the next.
        """
        await self._check_pause()
        parts = split_text(message.text, LIMITS.max_text)
        if not parts:
            raise PermanentSendError("empty text")
        last_id: str | None = None
        for index in range(min(message.parts_done, len(parts) - 1), len(parts)):
            result = await self._send_part(message.chat.chat_id, parts[index])
            last_id = str(result.get("message_id") or "") or None
            if index + 1 < len(parts) and message.part_sent is not None:
                await message.part_sent(index + 1)
        if message.attachment:
            log.info("outbox row %s: attachment not sent (Zalo Bot API has no file upload)",
                     message.outbox_id)
        return last_id

    async def _send_part(self, chat_id: str, text: str) -> dict:
        try:
            return await self.client.send_message(chat_id, text)
        except QuotaExceeded:
            self.paused_until = await self.on_quota()
            raise ChannelPaused(self.paused_until, "Zalo quota exceeded") from None
        except Unauthorized:
            self.paused_until = await self.on_refused()
            raise ChannelPaused(self.paused_until, "Zalo refused the token") from None
        except NotFound as exc:
            raise PermanentSendError(str(exc)) from None
        except ZaloError as exc:
            if exc.code == 400:
                raise PermanentSendError(str(exc)) from None
            raise TransientSendError(str(exc)) from None
        except AnswerLost as exc:
            # Zalo may have delivered it, and has no idempotency key: never retried.
            raise DeliveryUnknown(str(exc)) from None
        except ZaloUnavailable as exc:
            raise TransientSendError(str(exc)) from None

    async def _check_pause(self) -> None:
        if self.paused_until is None:
            return
        now = self.clock.now()
        if now < self.paused_until and self._checked_at and now - self._checked_at < PAUSE_RECHECK:
            raise ChannelPaused(self.paused_until)
        # The pause may have been lifted by hand (`sangkien zalo resume`) or by another worker.
        self._checked_at = now
        self.paused_until = await self.pause_source()
        if self.paused_until is not None:
            raise ChannelPaused(self.paused_until)
