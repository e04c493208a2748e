"""Hands each translated update to the core, and acknowledges button presses on Telegram."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.channels.telegram.errors import describe
from bot.channels.telegram.files import FileFetcher
from bot.channels.telegram.inbound import (
    NAME,
    BotIdentity,
    ButtonPress,
    Membership,
    Migration,
    translate,
)
from handlers.port import Port
from handlers.types import ChatChange, ChatRef, Inbound

log = logging.getLogger(__name__)


class Dispatcher:
    """Processes one update completely: when `process` returns, it is committed."""

    def __init__(self, port: Port, bot: Bot, *, files: FileFetcher | None = None) -> None:
        self.port = port
        self.bot = bot
        self.files = files
        self.identity: BotIdentity | None = None

    async def process(self, update: Update, *, wait: bool = False) -> None:
        """Translate `update` and hand it to the core; committed when this returns.

        With `wait` its replies have left too (a webhook answers only then).
        """
        assert self.identity is not None, "the bot's identity (getMe) is not known yet"
        item = translate(update, self.identity)
        if isinstance(item, Inbound):
            if self.files is not None and "file_id" in item.payload:
                # Only what reached here is downloaded: private chats and what is addressed to
                # the bot in groups (translate drops the rest).
                item = await self.files.attach(item)
            await self.port.handle(item, wait=wait)
        elif isinstance(item, ButtonPress):
            await self._press(item, wait=wait)
        elif isinstance(item, Membership):
            await self.port.chat_changed(ChatChange(item.chat, item.update_id, present=item.present,
                                                    title=item.title))
        elif isinstance(item, Migration):
            await self.port.chat_changed(ChatChange(ChatRef(NAME, item.old_chat_id, is_group=True),
                                                    item.update_id, moved_to=item.new_chat_id))
        else:
            log.debug("telegram: update %s has nothing for the bot", update.update_id)

    async def _press(self, press: ButtonPress, *, wait: bool) -> None:
        # Answer at once so the client stops its spinner, and take the keyboard away so the same
        # question cannot be answered twice. Both are courtesies: a failure is only logged.
        courtesies = [self._courtesy("answerCallbackQuery",
                                     self.bot.answer_callback_query(press.query_id))]
        if press.message_id is not None:
            courtesies.append(self._courtesy("editMessageReplyMarkup",
                                             self.bot.edit_message_reply_markup(
                                                 chat_id=press.chat_id,
                                                 message_id=press.message_id, reply_markup=None)))
        await asyncio.gather(*courtesies)
        await self.port.handle(press.inbound, wait=wait)

    async def _courtesy(self, method: str, call: Awaitable[object]) -> None:
        try:
            await call
        except TelegramError as exc:
            log.info("telegram: %s failed (%s)", method, describe(exc))
