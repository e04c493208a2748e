"""The whole app with its Zalo platform running against a FakeZalo, by polling or by webhook."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web as aioweb

from bot import web
from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.channels.zalo import ZaloPlatform, create
from handlers.clock import Clock, ManualClock
from tests.conftest import make_config
from tests.factories import Federation
from tests.fakes import zalo_events
from tests.fakes.zalo_api import FakeZalo, WebhookDriver

SECRET = "s3cret-webhook-token"


@dataclass
class ZaloBot:
    """A running app: `person(...)` talks to it through the fake Zalo server."""

    fake: FakeZalo
    db_url: str
    clock: Clock
    mode: str = "polling"
    media_dir: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    memory: MemoryChannel | None = None
    app: App = field(init=False)
    platform: ZaloPlatform = field(init=False)
    runner: aioweb.AppRunner | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    webhook: WebhookDriver | None = None

    def config(self) -> Any:
        zalo = {"token": self.fake.token, "base_url": self.fake.base_url, "poll_timeout": 1,
                "mode": self.mode, "retry_max_seconds": 0.2, "media_hosts": "[127.0.0.1]",
                "media_dir": str(self.media_dir or Path("data/media"))}
        if self.mode == "webhook":
            zalo["webhook_secret"] = SECRET
        return make_config(self.db_url, zalo=zalo | self.settings)

    async def start(self) -> ZaloBot:
        """Create the app (with a memory channel when asked), start the server and the platform."""
        self.app = App.create(self.config(), clock=self.clock, worker_id=f"zalo-test-{id(self)}")
        if self.memory is not None:
            self.app.add_channel(self.memory)
        self.platform = create(self.app.gateway, self.app.config.zalo)
        server = web.build(self.app)
        self.platform.routes(server)
        self.runner = await web.start(server, host="127.0.0.1", port=0)
        await self.platform.start()
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.platform.run(self.stop))
        url = f"http://{web.bound_address(self.runner)}{self.app.config.zalo.webhook_path}"
        self.webhook = WebhookDriver(url, SECRET)
        return self

    async def shutdown(self) -> None:
        """Stop polling, close the platform, the server and the database connections."""
        self.stop.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, 15)
        await self.platform.close()
        if self.runner is not None:
            await self.runner.cleanup()
        await self.app.close()

    async def restart(self) -> None:
        """A new process on the same database and the same Zalo bot."""
        await self.shutdown()
        await self.start()

    def person(self, user_id: str, *, name: str = "") -> ZaloPerson:
        return ZaloPerson(self, user_id, name)

    async def deliver(self, body: dict[str, Any]) -> None:
        """Hand one event to the bot as Zalo would in this mode."""
        if self.mode == "polling":
            await self.fake.push(body)
            return
        assert self.webhook is not None
        status, _ = await self.webhook.post(body)
        assert status == 200


@dataclass
class ZaloPerson:
    """One Zalo user: writes in their private chat or in a group, reads what the bot sent."""

    bot: ZaloBot
    user_id: str
    name: str = ""

    async def sends(self, kind: str, *, group: str | None = None, **fields: Any) -> str:
        """Send a fixture event (`text`, `image_photo_url`, `sticker`, ...); return its message id."""
        body = zalo_events.event(kind, user=self.user_id, chat=group, group=group is not None,
                                 display_name=self.name, **fields)
        await self.bot.deliver(body)
        return body["result"]["message"]["message_id"]

    async def says(self, words: str, *, group: str | None = None) -> str:
        return await self.sends("text", group=group, text=words)

    async def next_reply(self, *, chat: str | None = None, within: float = 10.0) -> str:
        return (await self.bot.fake.next_message(chat or self.user_id, within)).text

    def no_reply(self, *, chat: str | None = None) -> None:
        assert not self.bot.fake.unread(chat or self.user_id)


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    """A fake Zalo Bot API server on 127.0.0.1 (idle polls answer 408 after 0.3 s)."""
    fake = FakeZalo()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def start_zalo(fake_zalo: FakeZalo, db_url: str, clock: ManualClock, federation: Federation,
                     tmp_path: Path) -> AsyncIterator[Callable[..., Awaitable[ZaloBot]]]:
    """Start the app with its Zalo platform on the test database holding the small federation.

    `await start_zalo(mode="webhook", memory=MemoryChannel(), quota_pause_minutes=0)`; at the end
    every bot is shut down and every message the bot sent must have been read.
    """
    started: list[ZaloBot] = []

    async def start(mode: str = "polling", *, memory: MemoryChannel | None = None,
                    **settings: Any) -> ZaloBot:
        bot = ZaloBot(fake_zalo, db_url, clock, mode=mode, media_dir=tmp_path / "media",
                      settings=settings, memory=memory)
        started.append(await bot.start())
        return bot

    yield start
    for bot in started:
        if not bot.stop.is_set():
            await bot.shutdown()
    fake_zalo.assert_all_read()
