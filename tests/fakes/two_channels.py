"""One app serving Telegram and Zalo at once, each against its fake Bot API, as `sangkien run` does.

Both platforms, the outbox sender and the one aiohttp server share one App and one database;
people write on either fake: `both.tg_user(801)`, `both.zalo_person("6ede9a…")`.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web as aioweb

from bot import web
from bot.app import App
from bot.channels.telegram import create as create_telegram
from bot.channels.zalo import create as create_zalo
from bot.config import Config
from bot.runtime import Platform
from handlers.clock import SystemClock, local_today
from tests.factories import Federation, build_federation
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_harness import telegram_config
from tests.fakes.telegram_people import TgUser
from tests.fakes.zalo_api import FakeZalo, WebhookDriver
from tests.fakes.zalo_bot import SECRET as ZALO_SECRET
from tests.fakes.zalo_bot import ZaloPerson


@dataclass
class ZaloSide:
    """The Zalo half, shaped as ZaloPerson expects its bot (`fake`, `deliver`)."""

    fake: FakeZalo
    mode: str
    webhook: WebhookDriver | None = None

    async def deliver(self, body: dict[str, Any]) -> None:
        """Hand one event to the bot as Zalo would in this mode."""
        if self.webhook is None:
            await self.fake.push(body)
            return
        status, _ = await self.webhook.post(body)
        assert status == 200


@dataclass
class BothChannels:
    """The running app; `stop()` ends every task and closes both platforms."""

    telegram: FakeTelegram
    zalo: ZaloSide
    config: Config
    app: App | None = None
    federation: Federation | None = None
    platforms: list[Platform] = field(default_factory=list)
    _runner: aioweb.AppRunner | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> BothChannels:
        self.app = app = App.create(self.config, clock=SystemClock(), worker_id="both")
        self.platforms = [create_telegram(app.gateway, app.config.telegram),
                          create_zalo(app.gateway, app.config.zalo)]
        server = web.build(app)
        for platform in self.platforms:
            platform.routes(server)
        self._runner = await web.start(server, host="127.0.0.1", port=self.config.web.port)
        for platform in self.platforms:
            await platform.start()
        if self.zalo.mode == "webhook":
            self.zalo.webhook = WebhookDriver(
                f"http://{web.bound_address(self._runner)}{self.config.zalo.webhook_path}",
                ZALO_SECRET)
        self._tasks = [asyncio.create_task(app.sender.run(self._stop)),
                       *(asyncio.create_task(p.run(self._stop)) for p in self.platforms)]
        return self

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 15)
        for platform in self.platforms:
            await platform.close()
        assert self._runner is not None and self.app is not None
        await self._runner.cleanup()
        await self.app.close()

    def tg_user(self, user_id: int, first_name: str = "Lan") -> TgUser:
        return TgUser(self.telegram, user_id, first_name)

    def zalo_person(self, user_id: str, name: str = "Lan") -> ZaloPerson:
        return ZaloPerson(self.zalo, user_id, name)  # type: ignore[arg-type]


@contextlib.asynccontextmanager
async def both_channels(db_url: str, mode: str = "polling") -> AsyncIterator[BothChannels]:
    """Both fakes and the app serving them, with the test federation; every message is read."""
    tg_fake, zalo_fake = FakeTelegram(), FakeZalo()
    await tg_fake.start()
    await zalo_fake.start()
    media = tempfile.TemporaryDirectory(prefix="both-media-")
    zalo = {"token": zalo_fake.token, "base_url": zalo_fake.base_url, "poll_timeout": 1,
            "mode": mode, "retry_max_seconds": 0.2, "media_hosts": "[127.0.0.1]",
            "media_dir": media.name}
    if mode == "webhook":
        zalo["webhook_secret"] = ZALO_SECRET
    config = telegram_config(db_url, tg_fake, mode=mode, media_dir=media.name,
                             sections={"zalo": zalo})
    both = BothChannels(tg_fake, ZaloSide(zalo_fake, mode), config)
    try:
        await both.start()
        assert both.app is not None
        both.federation = await build_federation(
            both.app, today=local_today(SystemClock(), both.app.config.programme.tz))
        yield both
    finally:
        await both.stop()
        await tg_fake.close()
        await zalo_fake.close()
        media.cleanup()
    tg_fake.assert_all_read()
    zalo_fake.assert_all_read()
