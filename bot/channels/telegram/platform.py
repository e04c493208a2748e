"""The Telegram platform for `sangkien run`: python-telegram-bot as transport, polling or webhook.

No PTB Updater or handlers: our own loop (polling.py) or route (webhook.py) hands updates to the
core, and the outbox sender sends through TelegramChannel.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.channels.telegram import webhook
from bot.channels.telegram.dispatch import Dispatcher
from bot.channels.telegram.errors import describe
from bot.channels.telegram.files import FileFetcher
from bot.channels.telegram.inbound import ALLOWED_UPDATES, NAME, BotIdentity
from bot.channels.telegram.outbound import TelegramChannel
from bot.channels.telegram.polling import Backoff, Poller, TokenRefused
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.telegram.transport import AiohttpRequest
from handlers.port import Port

log = logging.getLogger(__name__)


def build_application(settings: TelegramSettings) -> Application:  # type: ignore[type-arg]
    """Build PTB's Application as a bare transport: no Updater, no rate limiter (we pace).

    Its HTTP goes through aiohttp (transport.py); long polls get a request object of their own,
    as PTB does, so a waiting getUpdates never holds a connection a send needs.
    """
    return (ApplicationBuilder().token(settings.token).base_url(settings.base_url)
            .base_file_url(settings.base_file_url).updater(None)
            .request(AiohttpRequest(pool_size=settings.pacing.concurrency + 4))
            .get_updates_request(AiohttpRequest(pool_size=1))
            .build())


class TelegramPlatform:
    """Connects (getMe), receives updates by polling or webhook, and registers the channel."""

    name = NAME

    def __init__(self, port: Port, settings: TelegramSettings) -> None:
        self.port = port
        self.settings = settings
        self.application = build_application(self.settings)
        self.bot = self.application.bot
        self.channel = TelegramChannel(self.bot, pacing=self.settings.pacing)
        self.dispatcher = Dispatcher(port, self.bot, files=FileFetcher(
            self.bot, root=Path(self.settings.media_dir), max_bytes=self.settings.max_file_bytes))
        self.backoff = Backoff()
        self.refused = False

    def routes(self, server: web.Application) -> None:
        """Add the webhook route when running in webhook mode."""
        if self.settings.mode == "webhook":
            server.router.add_post(webhook.PATH, webhook.handler(
                bot=self.bot, secret=self.settings.webhook_secret, process=self._answer))

    async def start(self) -> None:
        """Register the channel and try to connect once (run() retries)."""
        self.port.serve(self.channel)
        try:
            await self._try_connect()
        except TokenRefused:
            self.refused = True

    async def run(self, stop: asyncio.Event) -> None:
        """Connect (with back-off), then poll, or wait while the webhook route works.

        A refused token (401) stops the whole run: nothing can work until it is fixed.
        """
        try:
            if self.refused:
                raise TokenRefused
            while self.dispatcher.identity is None and not stop.is_set():
                await _wait(stop, self.backoff.next_delay())
                await self._try_connect()
            if self.settings.mode == "webhook":
                await stop.wait()
                return
            await Poller(self.bot, self._process, timeout=self.settings.poll_timeout,
                         parallel=self.port.lanes).run(stop)
        except TokenRefused:
            log.error("telegram refused the bot token (401 Unauthorized): check "
                      "SANGKIEN__TELEGRAM__TOKEN; stopping")
            stop.set()

    async def close(self) -> None:
        """Close PTB's HTTP connections."""
        try:
            await self.application.shutdown()
        except (TelegramError, RuntimeError) as exc:
            log.info("telegram: shutdown: %s", describe(exc))

    async def _process(self, update: Update, *, wait: bool = False) -> None:
        if self.dispatcher.identity is None:
            await self._connect()
        await self.dispatcher.process(update, wait=wait)

    async def _answer(self, update: Update) -> None:
        """A webhook's update: handled, committed and answered before the route says 200."""
        await self._process(update, wait=True)

    async def _try_connect(self) -> None:
        try:
            await self._connect()
        except InvalidToken as exc:
            raise TokenRefused from exc
        except TelegramError as exc:
            log.warning("telegram: cannot reach the Bot API yet (%s: %s)", type(exc).__name__,
                        describe(exc))

    async def _connect(self) -> None:
        await self.application.initialize()  # getMe: checks the token, learns our username
        me = self.bot.bot
        username = (self.settings.bot_username or me.username or "").lstrip("@")
        self.port.serve(self.channel, bot_names=[username])
        await self._receive_mode()
        await self._publish_commands()
        self.dispatcher.identity = BotIdentity(me.id, username)
        self.backoff.reset()
        log.info("telegram: connected as @%s (%s mode)", username, self.settings.mode)

    async def _receive_mode(self) -> None:
        if self.settings.mode == "polling":
            # A webhook left from another deployment would make getUpdates fail with 409.
            # Pending updates are kept, never dropped.
            await self.bot.delete_webhook(drop_pending_updates=False)
        elif self.settings.webhook_url:
            await self.bot.set_webhook(url=self.settings.webhook_url,
                                       secret_token=self.settings.webhook_secret,
                                       allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)

    async def _publish_commands(self) -> None:
        """Fill Telegram's "/" menu with the commands members and groups use (best effort)."""
        menu = self.port.command_menu()
        private = [BotCommand(entry.name, entry.label) for entry in menu if entry.private]
        group = [BotCommand(entry.name, entry.label) for entry in menu if entry.group]
        try:
            await self.bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
            await self.bot.set_my_commands(group, scope=BotCommandScopeAllGroupChats())
        except TelegramError as exc:
            log.info("telegram: setMyCommands failed (%s)", describe(exc))


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return
