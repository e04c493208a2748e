"""python-telegram-bot errors mapped to the core's send errors (Bot API notes §4)."""

from __future__ import annotations

import logging
import re
import warnings
from datetime import timedelta

from telegram import error as tg
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram.transport import AnswerLost
from handlers.channel import (
    ChatMigrated,
    DeliveryUnknown,
    PermanentSendError,
    RateLimited,
    RecipientGone,
    SendError,
    TransientSendError,
)
from handlers.types import ChatRef

log = logging.getLogger(__name__)

# PTB 22 warns (even inside its own RetryAfter constructor) that `retry_after` will become a
# timedelta; retry_after_seconds() below takes both, so the warning says nothing to us.
warnings.filterwarnings("ignore", message=".*attribute `retry_after`.*",
                        category=PTBDeprecationWarning)

_BOT_TOKEN = re.compile(r"bot[0-9]+:[A-Za-z0-9_-]+")
# 400s that mean the chat itself is unreachable, not that this message was bad.
_GONE_400 = ("chat not found", "user not found", "peer_id_invalid", "group chat was deactivated")


def retry_after_seconds(exc: tg.RetryAfter) -> float:
    """Return a RetryAfter's wait in seconds, whichever type this PTB version gives."""
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def send_error(exc: tg.TelegramError, chat: ChatRef) -> SendError:
    """Translate a failed Bot API call into the outcome the outbox sender acts on.

    PTB classifies by HTTP status; `parameters` (migration, retry_after) are checked first.
    """
    reason = describe(exc)
    if isinstance(exc, tg.RetryAfter):
        # Telegram does not say which limit a 429 is for. Our pacing keeps private chats within
        # their own limit, so a 429 there is taken as the bot's overall limit; in a group it is
        # most likely the 20-a-minute group limit, so only that group waits.
        return RateLimited(retry_after_seconds(exc), whole_bot=not chat.is_group)
    if isinstance(exc, tg.ChatMigrated):
        return ChatMigrated(str(exc.new_chat_id))
    if isinstance(exc, tg.Forbidden):
        return RecipientGone(reason)
    if isinstance(exc, tg.BadRequest):
        if any(text in reason.lower() for text in _GONE_400):
            return RecipientGone(reason)
        return PermanentSendError(reason)
    if isinstance(exc, tg.InvalidToken):
        log.error("telegram refused the bot token (401/404): check SANGKIEN__TELEGRAM__TOKEN")
        return TransientSendError(reason)
    if isinstance(exc, AnswerLost):
        # Telegram may have delivered it, and the Bot API has no idempotency key: never retried.
        return DeliveryUnknown(reason)
    if isinstance(exc, tg.NetworkError | tg.Conflict):
        return TransientSendError(reason)
    return PermanentSendError(reason)


def describe(exc: BaseException) -> str:
    """Return the error's text for logs and `last_error`, with any bot token removed."""
    text = getattr(exc, "message", "") or str(exc) or type(exc).__name__
    return _BOT_TOKEN.sub("bot***", text)[:500]
