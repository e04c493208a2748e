"""The whole app serving Telegram (real python-telegram-bot) against the fake Bot API.

Polling or webhook mode, with the outbox sender and the one aiohttp server, as `sangkien run`
wires them; `restart()` replaces the app on the same database.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web as aioweb

from bot import web
from bot.app import App
from bot.channels.telegram import TelegramPlatform, create
from bot.config import Config
from handlers.clock import Clock, SystemClock, local_today
from tests.conftest import make_config
from tests.factories import Federation, build_federation
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_people import TgUser

SECRET = "s3cret_Webhook-token"
# A test types far faster than a person; pacing has its own tests with Telegram's real limits.
FAST_PACING = {"per_chat_per_second": 100, "chat_burst": 20, "per_group_per_minute": 6000,
               "group_burst": 20, "overall_per_second": 1000, "overall_burst": 50}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def telegram_config(db_url: str, fake: FakeTelegram, *, mode: str = "polling",
                    pacing: dict[str, float] | None = None,
                    sections: dict[str, dict[str, Any]] | None = None, **telegram: Any) -> Config:
    """A config that points python-telegram-bot at the fake (short polls keep tests quick).

    `sections` sets other parts of the config (e.g. `{"zalo": {...}}` to serve Zalo as well).
    """
    port = free_port()
    values: dict[str, Any] = {"token": fake.token, "base_url": fake.base_url, "mode": mode,
                              "base_file_url": fake.base_file_url, "poll_timeout": 2}
    if mode == "webhook":
        values |= {"webhook_url": f"http://127.0.0.1:{port}/telegram/webhook",
                   "webhook_secret": SECRET}
    values |= telegram
    config = make_config(db_url, **(sections or {}), telegram=values)
    tg = config.telegram
    tg = tg.model_copy(update={"pacing": tg.pacing.model_copy(update=pacing or FAST_PACING)})
    return config.model_copy(update={
        "telegram": tg, "web": config.web.model_copy(update={"port": port}),
        "outbox": config.outbox.model_copy(update={"drain_interval_seconds": 0.1,
                                                   "idle_max_seconds": 1.0,
                                                   "backoff_base_seconds": 0.2})})


@dataclass
class TelegramBot:
    """A running app on Telegram; `stop()` and `restart()` as an operator would."""

    fake: FakeTelegram
    config: Config
    clock: Clock = field(default_factory=SystemClock)
    app: App | None = None
    platform: TelegramPlatform | None = None
    federation: Federation | None = None
    _runner: aioweb.AppRunner | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _generation: int = 0

    async def start(self) -> TelegramBot:
        self._generation += 1
        self.app = App.create(self.config, clock=self.clock, worker_id=f"tg{self._generation}")
        self.platform = create(self.app.gateway, self.app.config.telegram)
        server = web.build(self.app)
        self.platform.routes(server)
        self._runner = await web.start(server, host="127.0.0.1", port=self.config.web.port)
        await self.platform.start()
        self._stop = asyncio.Event()
        self._tasks = [asyncio.create_task(self.platform.run(self._stop)),
                       asyncio.create_task(self.app.sender.run(self._stop))]
        return self

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 10)
        assert self.platform is not None and self.app is not None and self._runner is not None
        await self.platform.close()
        await self._runner.cleanup()
        await self.app.close()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def user(self, user_id: int, first_name: str = "An") -> TgUser:
        return TgUser(self.fake, user_id, first_name)


@contextlib.asynccontextmanager
async def running_bot(db_url: str, mode: str = "polling", *, federation: bool = True,
                      fake: FakeTelegram | None = None,
                      **settings: Any) -> AsyncIterator[TelegramBot]:
    """A fake Bot API and the app serving it, with the test federation; every message is read.

    Files people send are stored in a temporary `media_dir` unless one is given.
    """
    fake = fake or FakeTelegram()
    await fake.start()
    media = tempfile.TemporaryDirectory(prefix="tg-media-")
    settings.setdefault("media_dir", media.name)
    bot = TelegramBot(fake, telegram_config(db_url, fake, mode=mode, **settings))
    try:
        await bot.start()
        assert bot.app is not None
        if federation:
            bot.federation = await build_federation(
                bot.app, today=local_today(bot.clock, bot.app.config.programme.tz))
        yield bot
    finally:
        if not bot.stopped:
            await bot.stop()
        await fake.close()
        media.cleanup()
    fake.assert_all_read()
