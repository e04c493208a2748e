"""Fixtures shared by every test: databases on SQLite and PostgreSQL, config, clock, app, chat."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy import text

from bot.app import App
from bot.channels.memory import MemoryChannel
from bot.config import Config, load_config
from handlers.clock import ManualClock, local_today
from storage import migrate
from storage.db import DatabaseSettings
from storage.models import Base
from tests.factories import Federation, build_federation
from tests.fakes.driver import ChatDriver

T = TypeVar("T")
PG_ROOT = os.environ.get("SANGKIEN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
# 09:00 in Hanoi on 24/11/2026.
START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


async def end_connections(db_url: str) -> int:
    """End every connection to the PostgreSQL database of `db_url` (as a restart does)."""
    admin = await asyncpg.connect(PG_ROOT)
    try:
        return await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()", db_url.rsplit("/", 1)[1])
    finally:
        await admin.close()


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_ROOT, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even when a loop is running here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _pg_available() -> str | None:
    try:
        blocking(_pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of our own for the session, migrated once and dropped at the end."""
    problem = _pg_available()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and does not answer: {problem}")
        pytest.skip(f"PostgreSQL not available: {problem}")
    name = f"sangkien_test_{uuid.uuid4().hex[:10]}"
    blocking(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = PG_ROOT.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    migrate.upgrade(url)
    yield url
    blocking(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database: a copy of the SQLite template, or a truncated PG one."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("pg_database")
    yield url
    blocking(truncate_all(url))


async def truncate_all(url: str) -> None:
    """Empty every table of a PostgreSQL test database."""
    from storage.db import create_engine

    engine = create_engine(DatabaseSettings(url=url))
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh migrated SQLite database (for tests that need only one backend)."""
    path = tmp_path / "only.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


def make_config(url: str, **sections: dict[str, object]) -> Config:
    """Load the repository's config.yaml, aimed at `url`, with section overrides."""
    env = {"SANGKIEN__DATABASE__URL": url, "SANGKIEN__WEB__PORT": "0"}
    for section, values in sections.items():
        for key, value in values.items():
            env[f"SANGKIEN__{section.upper()}__{key.upper()}"] = str(value)
    return load_config(env=env)


@pytest.fixture
def clock() -> ManualClock:
    """A clock at 09:00 on 24/11/2026 in Hanoi."""
    return ManualClock(START)


@pytest.fixture
async def app(db_url: str, clock: ManualClock) -> AsyncIterator[App]:
    """An app on the test database with an in-memory channel named `memory`."""
    application = App.create(make_config(db_url), clock=clock, worker_id="test")
    application.add_channel(MemoryChannel())
    yield application
    await application.close()


@pytest.fixture
async def federation(app: App, clock: ManualClock) -> Federation:
    """A small federation: two blocks, four unions, members, phase 1 open with a sprint."""
    return await build_federation(app, today=local_today(clock, app.config.programme.tz))


@pytest.fixture
async def chat(app: App, federation: Federation) -> AsyncIterator[ChatDriver]:
    """A chat driver; a reply left unread fails the test."""
    driver = ChatDriver(app)
    yield driver
    if driver.app is not app:
        await driver.app.close()
    driver.assert_all_read()
