"""Wiring: the only place where config, engine, services, channels and the scheduler meet."""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels import limits as channel_limits
from bot.config import Config
from handlers.channel import Channel
from handlers.clock import Clock, SystemClock
from handlers.delivery import OutboxSender
from handlers.exports.links import Exports
from handlers.exports.links import create as create_exports
from handlers.gateway import Gateway
from handlers.metrics import Metrics
from handlers.router import Router
from handlers.services.pacing_lanes import pacing_for
from handlers.services.transactions import retry_transient
from handlers.services.web_access import SignInPolicy
from handlers.texts import Renderer
from handlers.types import Inbound
from storage.db import counts, create_engine, create_sessionmaker
from storage.migrate import head_revision, upgrade
from storage.work import release as release_connections

log = logging.getLogger(__name__)


class DatabaseUnavailable(Exception):
    """The database cannot be reached or has no current schema; the message is one line."""


@dataclass
class App:
    """A running bot: router, sender and the channels it serves, on one database."""

    config: Config
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    renderer: Renderer
    router: Router
    sender: OutboxSender
    clock: Clock
    gateway: Gateway
    """The port chat adapters are handed (`handlers.port.Port`)."""
    channels: dict[str, Channel] = field(default_factory=dict)
    jobs: dict[str, Any] = field(default_factory=dict)
    exports: Exports | None = None
    metrics: Metrics = field(default_factory=Metrics)
    scheduler: Any = None
    """The running APScheduler, when this process runs one (/healthz reports on it)."""

    @classmethod
    def create(cls, config: Config, *, clock: Clock | None = None,
               worker_id: str | None = None) -> App:
        """Build the app (no I/O yet); add channels with `add_channel`."""
        clock = clock or SystemClock()
        engine = create_engine(config.database)
        sessions = create_sessionmaker(engine)
        renderer = Renderer(tz=config.programme.tz)
        exports = create_exports(config.reports, public_url=config.web.public_url)
        metrics = Metrics()
        database = counts(engine)
        metrics.watch_database(lambda: (database.statements, database.commits))
        router = Router(sessions=sessions, renderer=renderer, settings=config.programme,
                        clock=clock, limits=channel_limits.KNOWN, exports=exports,
                        signin=sign_in_policy(config), metrics=metrics)
        sender = OutboxSender(sessions=sessions, channels={}, clock=clock, settings=config.outbox,
                              worker_id=worker_id or f"{socket.gethostname()}:{os.getpid()}",
                              pacer=pacing_for(engine), metrics=metrics)
        channels: dict[str, Channel] = {}
        gateway = Gateway(router=router, sender=sender, sessions=sessions, renderer=renderer,
                          clock=clock, tz=config.programme.tz, channels=channels)
        return cls(config, engine, sessions, renderer, router, sender, clock, gateway,
                   channels=channels, exports=exports, metrics=metrics)

    @property
    def signin(self) -> SignInPolicy | None:
        """Return where sign-in links point and how long they last (None: no web page)."""
        return self.router.signin

    def serve_at(self, address: str) -> None:
        """Point sign-in links at the address the server bound, when no public URL is set."""
        if self.router.signin is not None and not self.config.web.public_url:
            self.router.signin = dataclasses.replace(self.router.signin,
                                                     base_url=f"http://{address}")

    def add_channel(self, channel: Channel) -> None:
        """Serve a channel: the router learns its limits, the sender may send through it."""
        self.gateway.serve(channel)

    async def handle(self, inbound: Inbound) -> None:
        """Handle one update and wait until its replies have left (for the console and tests)."""
        await self.gateway.handle(inbound, wait=True)

    async def check_database(self) -> None:
        """Fail with one clear line when the database is unreachable or not upgraded."""
        head = head_revision()

        async def read_version() -> str | None:
            async with self.engine.connect() as conn:
                return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()

        try:
            # A connection the server ended (a restart as this worker starts) is tried again.
            current = await retry_transient(read_version, attempts=4, base=0.2, cap=2.0)
        except (OperationalError, DBAPIError, OSError) as exc:
            reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else ""
            if "alembic_version" in reason:
                raise DatabaseUnavailable("database has no schema yet: run `sangkien db upgrade`") from exc
            url = self.engine.url.render_as_string(hide_password=True)
            raise DatabaseUnavailable(f"cannot reach the database {url}: {reason}") from exc
        if current != head:
            raise DatabaseUnavailable(
                f"database schema is at {current}, the code needs {head}: run `sangkien db upgrade`")

    async def close(self) -> None:
        """Start no new send, let the ones in flight be recorded, release the database."""
        self.sender.begin_stop()
        await self.gateway.settle(grace=10)
        await release_connections(self.engine)
        await self.engine.dispose()


def upgrade_database(config: Config) -> None:
    """Bring the configured database to the newest schema (`sangkien db upgrade`)."""
    upgrade(config.database.url)


def sign_in_policy(config: Config) -> SignInPolicy | None:
    """Return the web page's sign-in policy, or None when the web server is off."""
    web = config.web
    if not web.enabled:
        return None
    return SignInPolicy(base_url=web.base_url, link_ttl=timedelta(minutes=web.link_minutes),
                        idle=timedelta(hours=web.session_idle_hours),
                        max_age=timedelta(days=web.session_max_days))
