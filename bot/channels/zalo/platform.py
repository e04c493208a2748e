"""The Zalo platform as `sangkien run` drives it: routes, start, run (poll or idle), close.

Translates only: events go to `translate`, then to the core's port; what a quota or a refused
token means (a pause, a notice to staff) is the core's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.zalo import translate
from bot.channels.zalo.channel import NAME, ZaloChannel
from bot.channels.zalo.client import Unauthorized, ZaloClient, ZaloError, ZaloUnavailable
from bot.channels.zalo.media import MediaFetcher, MediaRefused
from bot.channels.zalo.polling import Poller, PollPolicy
from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.webhook import make_handler
from handlers.port import Port
from handlers.types import Inbound, InboundKind

log = logging.getLogger(__name__)


class ZaloPlatform:
    """One Zalo bot: its client, channel, poller or webhook route."""

    name = NAME

    def __init__(self, port: Port, settings: ZaloSettings) -> None:
        self.port = port
        self.settings = settings
        self.client = ZaloClient(base_url=settings.base_url, token=settings.token,
                                 request_timeout=settings.request_timeout)
        self.channel = ZaloChannel(self.client, clock=port.clock, on_quota=self.quota_exceeded,
                                   on_refused=self.token_refused, pause_source=self.current_pause)
        self.media = MediaFetcher(hosts=settings.media_hosts, max_bytes=settings.max_image_bytes,
                                  root=Path(settings.media_dir), timeout=settings.request_timeout)
        self.bot_names: set[str] = {settings.bot_name} - {""}
        self.policy = PollPolicy(timeout=settings.poll_timeout, retry_max=settings.retry_max_seconds,
                                 quota_retry=settings.quota_retry_seconds)
        self.refused = False
        self.poller: Poller | None = None

    @property
    def lease_name(self) -> str:
        """Name the poller's lease after the bot id (the token's public part), never the token."""
        bot_id, sep, _ = self.settings.token.partition(":")
        if not (sep and bot_id.isdigit()):
            bot_id = hashlib.sha256(self.settings.token.encode()).hexdigest()[:16]
        return f"zalo-poller:{bot_id}"

    def routes(self, server: web.Application) -> None:
        """Add the webhook route in webhook mode."""
        if self.settings.mode == "webhook":
            server.router.add_post(self.settings.webhook_path, make_handler(
                secret=self.settings.webhook_secret, max_bytes=self.settings.webhook_max_bytes,
                process=self.answer))

    async def start(self) -> None:
        """Register the channel, load a pause, learn the bot's name, align the webhook."""
        self.port.serve(self.channel)
        self.channel.paused_until = await self.current_pause()
        await self._learn_bot()
        if not self.refused:
            await self._align_webhook()

    async def run(self, stop: Any) -> None:
        """Poll until `stop` (one poller per token), or idle while the webhook route works."""
        if self.settings.mode == "webhook" or self.refused:
            await stop.wait()
            return
        poll_window = self.settings.poll_timeout + 10
        lease = self.port.lease(self.lease_name, ttl=timedelta(seconds=max(60, 3 * poll_window)))
        self.poller = Poller(client=self.client, lease=lease, policy=self.policy,
                             handle=self.process, on_refused=self.token_refused)
        await self.poller.run(stop)
        self.refused = self.refused or self.poller.refused

    async def close(self) -> None:
        """Close the HTTP sessions."""
        await self.client.close()
        await self.media.close()

    async def answer(self, body: Any) -> None:
        """A webhook's event: handled, committed and answered before the route says 200."""
        await self.process(body, wait=True)

    async def process(self, body: Any, *, wait: bool = False) -> None:
        """Handle one event body (envelope or bare); committed (and answered, with `wait`)."""
        event = translate.unwrap(body)
        if event is None:
            log.warning("Zalo body without an event ignored")
            return
        if event.name == translate.WEBHOOK_TEST:
            log.info("Zalo webhook test received")
            return
        inbound = translate.to_inbound(event, bot_names=self.bot_names)
        if inbound is None:
            log.info("Zalo event %s ignored", event.name)
            return
        if inbound.kind == InboundKind.PHOTO:
            inbound = await self._with_photo(inbound)
        await self.port.handle(inbound, wait=wait)

    async def _with_photo(self, inbound: Inbound) -> Inbound:
        url = inbound.payload.get("photo_url")
        extra: dict[str, Any]
        try:
            if not url:
                raise MediaRefused("unavailable")
            extra = {"attachment": (await self.media.fetch(url)).as_payload()}
        except MediaRefused as refused:
            extra = {"attachment_error": refused.reason}
        return dataclasses.replace(inbound, payload=inbound.payload | extra)

    async def _learn_bot(self) -> None:
        try:
            me = await self.client.get_me()
        except Unauthorized:
            log.error("Zalo refused the bot token (401) at start-up; the Zalo channel stays off")
            self.refused = True
            await self.token_refused()
            return
        except (ZaloError, ZaloUnavailable) as exc:
            log.warning("Zalo getMe failed (%s); going on", exc)
            return
        names = {str(me.get(key) or "") for key in ("account_name", "display_name", "name")}
        self.bot_names |= names - {""}
        log.info("Zalo bot %s ready (%s mode)", me.get("account_name", "?"), self.settings.mode)

    async def _align_webhook(self) -> None:
        """Set or delete the webhook only when it differs from the configuration (spec §6)."""
        wanted = self.settings.webhook_url if self.settings.mode == "webhook" else ""
        if self.settings.mode == "webhook" and not wanted:
            return  # set by hand (`sangkien zalo webhook set`) or by another deployment
        try:
            current = ((await self.client.get_webhook_info()) or {}).get("url") or ""
            if current == wanted:
                return
            if wanted:
                await self.client.set_webhook(wanted, self.settings.webhook_secret)
                log.info("Zalo webhook set to the configured URL")
            else:
                await self.client.delete_webhook()
                log.info("Zalo webhook deleted: polling mode")
        except (ZaloError, ZaloUnavailable) as exc:
            log.warning("Zalo webhook not aligned (%s)", exc)

    async def current_pause(self) -> datetime | None:
        """Return when Zalo sends may resume, or None when they are not paused."""
        return await self.port.paused_until(NAME)

    async def quota_exceeded(self) -> datetime:
        """Zalo said the monthly quota ran out: the core pauses sends (rows stay pending)."""
        until = await self.port.quota_exceeded(NAME, pause_minutes=self.settings.quota_pause_minutes,
                                               monthly_quota=self.settings.monthly_quota)
        self.channel.paused_until = until
        return until

    async def token_refused(self) -> datetime:
        """Zalo refused the token: the core pauses sends a while and tells staff."""
        until = await self.port.token_refused(NAME)
        self.channel.paused_until = until
        return until
