"""Hands each translated update to the core, and acknowledges button presses on Telegram."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.app import App
from bot.channels.telegram.errors import describe
from bot.channels.telegram.files import FileFetcher
from bot.channels.telegram.inbound import (
    BotIdentity,
    ButtonPress,
    Membership,
    Migration,
    translate,
)
from handlers.services import chats as chat_service
from handlers.types import Inbound
from storage.db import unit_of_work

log = logging.getLogger(__name__)


class Dispatcher:
    """Processes one update completely: when `process` returns, it is committed."""

    def __init__(self, app: App, bot: Bot, *, files: FileFetcher | None = None) -> None:
        self.app = app
        self.bot = bot
        self.files = files
        self.identity: BotIdentity | None = None

    async def process(self, update: Update) -> None:
        """Translate `update` and hand it to the core (replies are sent before this returns)."""
        assert self.identity is not None, "the bot's identity (getMe) is not known yet"
        item = translate(update, self.identity)
        if isinstance(item, Inbound):
            if self.files is not None and "file_id" in item.payload:
                # Only what reached here is downloaded: private chats and what is addressed to
                # the bot in groups (translate drops the rest).
                item = await self.files.attach(item)
            await self.app.handle(item)
        elif isinstance(item, ButtonPress):
            await self._press(item)
        elif isinstance(item, Membership):
            await self._membership(item)
        elif isinstance(item, Migration):
            await self._migration(item)
        else:
            log.debug("telegram: update %s has nothing for the bot", update.update_id)

    async def _press(self, press: ButtonPress) -> None:
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
        await self.app.handle(press.inbound)

    async def _courtesy(self, method: str, call: Awaitable[object]) -> None:
        try:
            await call
        except TelegramError as exc:
            log.info("telegram: %s failed (%s)", method, describe(exc))

    async def _membership(self, change: Membership) -> None:
        async with unit_of_work(self.app.sessions) as session:
            if change.present:
                await chat_service.mark_reachable(session, change.chat, title=change.title)
            else:
                await chat_service.mark_unreachable(session, change.chat, title=change.title)

    async def _migration(self, move: Migration) -> None:
        async with unit_of_work(self.app.sessions) as session:
            await chat_service.migrate(session, channel="telegram", old_chat_id=move.old_chat_id,
                                       new_chat_id=move.new_chat_id)
