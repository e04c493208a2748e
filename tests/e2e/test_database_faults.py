"""The database fails for a while: nothing a person sent is lost or handled twice.

A webhook answers 500 while the database stays locked (the platform delivers the update again,
and the repeat is handled once); a PostgreSQL connection killed under the bot is replaced and the
update handled on the next try, without the person noticing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from storage.models import FailedUpdate, ProcessedUpdate
from tests.conftest import end_connections
from tests.fakes.telegram_harness import TelegramBot, running_bot


@pytest.fixture
async def tg(db_url: str) -> AsyncIterator[TelegramBot]:
    async with running_bot(db_url, "webhook", sections={"database": {"busy_seconds": 0.3}}) as bot:
        yield bot


async def count(tg: TelegramBot, model: type) -> int:
    assert tg.app is not None
    async with tg.app.sessions() as session:
        return (await session.execute(select(func.count(model.id)))).scalar_one()


async def test_a_locked_database_gets_500_and_the_redelivery_is_handled_once(
        tg: TelegramBot, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("a file lock held from outside is SQLite's case (PostgreSQL: the next test)")
    holder = sqlite3.connect(db_url.split(":///", 1)[1], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process holds the database
    an = tg.user(911)
    try:
        first = await an.says("/trogiup")
        assert first.status == 500
        assert not tg.fake.unread(an.chat)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert await count(tg, ProcessedUpdate) == 0  # nothing kept: Telegram delivers it again
    assert await tg.fake.post_webhook(first.update) == 200
    assert "Bạn có thể" in (await tg.fake.next_message(an.chat)).text or tg.fake.by_chat[an.chat]
    assert await tg.fake.post_webhook(first.update) == 200  # a second repeat: dropped
    assert not tg.fake.unread(an.chat)
    assert (await count(tg, ProcessedUpdate), await count(tg, FailedUpdate)) == (1, 0)


async def test_connections_killed_under_the_bot_are_replaced_and_nothing_is_lost(
        tg: TelegramBot, db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    an = tg.user(912)
    assert (await an.says("/trogiup")).status == 200  # the pool now holds live connections
    await tg.fake.next_message(an.chat)
    killed = await end_connections(db_url)
    assert killed >= 1
    assert (await an.says("/trogiup")).status == 200
    await tg.fake.next_message(an.chat)
    assert not tg.fake.unread(an.chat)
    assert (await count(tg, ProcessedUpdate), await count(tg, FailedUpdate)) == (2, 0)
