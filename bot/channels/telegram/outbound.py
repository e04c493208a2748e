"""The Telegram channel: an Outbound becomes sendMessage (split to fit), sendPhoto or sendDocument.

Translates only. Choices become an inline keyboard whose callback data is the choice number.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.channels import limits as channel_limits
from bot.channels.telegram.errors import send_error
from bot.channels.telegram.inbound import NAME
from handlers.channel import PermanentSendError
from handlers.settings import PacingSettings
from handlers.textsplit import split_text
from handlers.types import ChatRef, Outbound, utf16_len

log = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTONS = 100
BUTTON_TEXT = 60
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

Step = Callable[[], Awaitable[Any]]


class TelegramChannel:
    """Sends outbox rows through python-telegram-bot; paced by the core with `pacing`."""

    name = NAME
    limits = channel_limits.TELEGRAM

    def __init__(self, bot: Bot, *, pacing: PacingSettings) -> None:
        self.bot = bot
        self.pacing = pacing
        self._contact_keyboards: set[str] = set()

    async def send(self, message: Outbound) -> str | None:
        """Deliver one message (in parts when needed); return the last part's message id.

        The parts before `message.parts_done` left on an earlier try (on any worker): they are
        skipped. Each part but the last is reported through `message.part_sent` before the next.
        """
        steps = self._steps(message)
        sent = None
        for index in range(min(message.parts_done, len(steps) - 1), len(steps)):
            try:
                sent = await steps[index]()
            except TelegramError as exc:
                raise send_error(exc, message.chat) from exc
            if index + 1 < len(steps) and message.part_sent is not None:
                await message.part_sent(index + 1)
        return str(sent.message_id) if sent is not None else None

    def _steps(self, message: Outbound) -> list[Step]:
        attachment = message.attachment or {}
        if attachment.get("type") in ("photo", "document"):
            return self._file_steps(message, attachment)
        parts = split_text(message.text, MAX_TEXT)
        if not parts:
            raise PermanentSendError("empty text")
        markups = [None] * (len(parts) - 1) + [self._markup(message)]
        return [self._text_step(message.chat, part, markup)
                for part, markup in zip(parts, markups, strict=True)]

    def _text_step(self, chat: ChatRef, text: str, markup: Any) -> Step:
        return lambda: self.bot.send_message(chat_id=_chat_id(chat), text=text,
                                             parse_mode=ParseMode.HTML, reply_markup=markup,
                                             link_preview_options=NO_PREVIEW)

    def _markup(self, message: Outbound) -> Any:
        chat = message.chat
        attachment = message.attachment or {}
        if message.choices:
            return inline_keyboard(message.choices)
        if attachment.get("type") == "request_contact" and not chat.is_group:
            self._contact_keyboards.add(chat.chat_id)
            button = KeyboardButton(str(attachment.get("label", "")), request_contact=True)
            return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
        if chat.chat_id in self._contact_keyboards:
            # The "share my phone" keyboard has done its job: take it away.
            self._contact_keyboards.discard(chat.chat_id)
            return ReplyKeyboardRemove()
        return None

    def _file_steps(self, message: Outbound, attachment: dict[str, Any]) -> list[Step]:
        path = Path(str(attachment.get("path", "")))
        if not path.is_file():
            raise PermanentSendError(f"attachment file not found: {path.name}")
        caption, parse_mode = attachment.get("caption"), None
        steps: list[Step] = []
        if caption is None and message.text and utf16_len(message.text) <= MAX_CAPTION:
            caption, parse_mode = message.text, ParseMode.HTML
        elif message.text:
            steps = [self._text_step(message.chat, part, None)
                     for part in split_text(message.text, MAX_TEXT)]
        caption = _shorten(caption, MAX_CAPTION) if caption else None
        return [*steps, lambda: self._send_file(message, attachment, path, caption, parse_mode)]

    async def _send_file(self, message: Outbound, attachment: dict[str, Any], path: Path,
                         caption: str | None, parse_mode: str | None) -> Any:
        filename = str(attachment.get("filename") or path.name)
        markup = inline_keyboard(message.choices) if message.choices else None
        with path.open("rb") as handle:
            if attachment["type"] == "photo":
                return await self.bot.send_photo(chat_id=_chat_id(message.chat), photo=handle,
                                                 filename=filename, caption=caption,
                                                 parse_mode=parse_mode, reply_markup=markup)
            return await self.bot.send_document(chat_id=_chat_id(message.chat), document=handle,
                                                filename=filename, caption=caption,
                                                parse_mode=parse_mode, reply_markup=markup)


def inline_keyboard(choices: tuple[str, ...]) -> InlineKeyboardMarkup | None:
    """Lay numbered choices out as buttons; the callback data is the number (≤ 64 bytes)."""
    if not choices or len(choices) > MAX_BUTTONS:
        return None
    longest = max(len(choice) for choice in choices)
    width = 3 if longest <= 10 else 2 if longest <= 20 else 1
    buttons = [InlineKeyboardButton(_shorten(f"{n}. {choice}", BUTTON_TEXT), callback_data=str(n))
               for n, choice in enumerate(choices, start=1)]
    return InlineKeyboardMarkup([buttons[i:i + width] for i in range(0, len(buttons), width)])


def _chat_id(chat: ChatRef) -> int | str:
    # Telegram ids are integers (negative for groups); "@name" is kept as text.
    try:
        return int(chat.chat_id)
    except ValueError:
        return chat.chat_id


def _shorten(text: str, limit: int) -> str:
    if utf16_len(text) <= limit:
        return text
    return split_text(text, limit - 1)[0].rstrip() + "…"
