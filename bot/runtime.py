"""`sangkien run` and `sangkien console`: start the app, its channels and its servers; stop gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
import sys
from typing import Protocol, TextIO

from aiohttp import web as aioweb

from bot import scheduling, web
from bot.app import App
from bot.channels.console import DEFAULT_PHONE, ConsoleChannel, ConsoleSession
from bot.config import Config

log = logging.getLogger(__name__)

PLATFORMS = {
    "telegram": "bot.channels.telegram:create",
    "zalo": "bot.channels.zalo:create",
}
"""Where each chat platform's factory lives: `create(port, settings) -> Platform`, imported only
when used; its settings are the configuration section of the same name."""


class Platform(Protocol):
    """A chat platform as the runtime drives it."""

    name: str

    def routes(self, server: aioweb.Application) -> None:
        """Add webhook routes to the one aiohttp server (before it starts)."""

    async def start(self) -> None:
        """Connect, and register the channel on the app."""

    async def run(self, stop: asyncio.Event) -> None:
        """Receive updates (polling, or idle while the webhook route works) until `stop`."""

    async def close(self) -> None:
        """Release connections."""


def load_platform(name: str, app: App) -> Platform | None:
    """Create the platform `name` for `app`, or None when this build has no such channel."""
    module_name, _, factory = PLATFORMS[name].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            log.error("a %s token is configured but this build has no %s channel", name, name)
            return None
        raise
    return getattr(module, factory)(app.gateway, getattr(app.config, name))


async def serve(config: Config, *, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run every configured channel, the outbox sender and the web server until stopped."""
    app = App.create(config)
    try:
        await app.check_database()
        stop = asyncio.Event()
        _on_signals(stop)
        tasks = [asyncio.create_task(app.sender.run(stop), name="outbox")]
        server = web.build(app)
        platforms = [p for p in (load_platform(n, app) for n in config.chat_tokens) if p]
        for platform in platforms:
            platform.routes(server)
        runner = await web.start(server, host=config.web.host,
                                 port=config.web.port) if config.web.enabled else None
        if runner is not None:
            app.serve_at(web.bound_address(runner))
        for platform in platforms:
            await platform.start()
            tasks.append(asyncio.create_task(platform.run(stop), name=platform.name))
        if config.console_wanted:
            tasks.append(asyncio.create_task(_console_then_stop(app, stop, stdin, stdout)))
        scheduler = app.scheduler = await scheduling.start(app)
        await stop.wait()
        log.info("stopping: finishing the work in hand")
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await _finish(tasks)
        for platform in platforms:
            await platform.close()
        if runner is not None:
            await runner.cleanup()
        return 0
    finally:
        await app.close()


async def _console_then_stop(app: App, stop: asyncio.Event, stdin: TextIO | None,
                             stdout: TextIO | None) -> None:
    try:
        await console(app, phone=None, where="dm", stdin=stdin, stdout=stdout)
    finally:
        stop.set()


async def console(app: App, *, phone: str | None, where: str, stdin: TextIO | None = None,
                  stdout: TextIO | None = None, with_jobs: bool = False) -> None:
    """Run a console chat on `app` until end of input (with the scheduler if `with_jobs`)."""
    channel = ConsoleChannel(app.renderer.render, stdout or sys.stdout)
    app.add_channel(channel)
    if scheduling.RUN_KEY not in app.jobs:
        scheduling.attach(app)
    session = ConsoleSession(port=app.gateway, desk=app.gateway, channel=channel)
    chosen = phone or await _default_phone(app)
    await session.become(chosen)
    if where != "dm" and not await session.enter(where):
        return
    if (stdin or sys.stdin).isatty():
        session.say("console/banner", member=await app.gateway.person(chosen), phone=chosen)
    scheduler = await scheduling.start(app) if with_jobs else None
    try:
        await session.loop(stdin)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)


async def _default_phone(app: App) -> str | None:
    return DEFAULT_PHONE if await app.gateway.person(DEFAULT_PHONE) else None


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)


async def _finish(tasks: list[asyncio.Task[None]], grace: float = 10.0) -> None:
    done, pending = await asyncio.wait(tasks, timeout=grace)
    for task in pending:
        task.cancel()
    for task in (*done, *pending):
        with contextlib.suppress(asyncio.CancelledError):
            if (exc := await asyncio.gather(task, return_exceptions=True)) and isinstance(
                    exc[0], Exception):
                log.error("task %s ended with %r", task.get_name(), exc[0])
