"""The hot path's unit of work is one transaction, whatever runs in it (prepared or ORM)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text

from bot.app import App
from storage.models import ProcessedUpdate
from storage.repositories import updates
from storage.work import autocommit, begin
from tests.conftest import end_connections

AT = datetime(2026, 11, 24, 2, tzinfo=UTC)


async def count(app: App) -> int:
    async with app.sessions() as session:
        return (await session.execute(select(func.count(ProcessedUpdate.id)))).scalar_one()


async def test_prepared_and_orm_writes_commit_together(app: App) -> None:
    async with begin(app.engine) as work:
        assert await updates.claim(work, channel="t", update_id="1", at=AT)
        work.session.add(ProcessedUpdate(channel="t", update_id="2", received_at=AT))
    assert await count(app) == 2


async def failing(app: App, *, orm: bool) -> None:
    async with begin(app.engine) as work:
        assert await updates.claim(work, channel="t", update_id="1", at=AT)
        if orm:
            work.session.add(ProcessedUpdate(channel="t", update_id="2", received_at=AT))
            await work.session.flush()
        raise RuntimeError("the step failed")


async def test_an_error_rolls_back_prepared_and_orm_writes_alike(app: App) -> None:
    with pytest.raises(RuntimeError):
        await failing(app, orm=True)
    assert await count(app) == 0


async def test_a_prepared_write_alone_is_rolled_back_too(app: App) -> None:
    with pytest.raises(RuntimeError):
        await failing(app, orm=False)
    assert await count(app) == 0
    async with begin(app.engine) as work:
        assert await updates.claim(work, channel="t", update_id="1", at=AT)
        assert not await updates.claim(work, channel="t", update_id="1", at=AT)
    assert await count(app) == 1


async def test_writes_are_counted_whichever_way_they_go(app: App) -> None:
    async with begin(app.engine) as work:
        assert work.writes == 0 and not work.pending
        await updates.claim(work, channel="t", update_id="1", at=AT)
        assert work.writes == 1
        work.session.add(ProcessedUpdate(channel="t", update_id="2", received_at=AT))
        assert work.pending
        await work.session.flush()
        assert work.writes == 2 and not work.pending


async def test_a_worker_starting_while_the_database_ends_its_connections_still_starts(
        app: App, db_url: str) -> None:
    # A PostgreSQL restart (or a dropped network) as a worker starts: the start-up check meets a
    # connection the server has ended, and tries again on a fresh one instead of exiting.
    if not db_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    async with app.engine.connect():
        pass  # the pool keeps this connection for the check
    assert await end_connections(db_url) >= 1
    await app.check_database()


async def test_a_busy_moment_leaves_the_autocommit_connections_kept(app: App) -> None:
    # Twelve units of work at once fill every kept place for transactions; the one-statement
    # autocommit writes (bookings, marks) still find their own kept connection afterwards, not
    # a checkout from the pool each time.
    if app.engine.dialect.name != "postgresql":
        pytest.skip("autocommit connections serve PostgreSQL-only statements")
    gate = asyncio.Event()

    async def one(n: int) -> None:
        async with begin(app.engine) as work:
            assert await updates.claim(work, channel="t", update_id=str(n), at=AT)
            await gate.wait()

    async def statement() -> None:
        async with autocommit(app.engine) as conn:
            await conn.execute(text("SELECT 1"))

    busy = [asyncio.create_task(one(n)) for n in range(12)]
    await asyncio.sleep(0.1)
    gate.set()
    await asyncio.gather(*busy)  # every kept place for transactions is taken now
    await asyncio.gather(statement(), statement())  # two at once: both are kept afterwards
    checkouts: list[object] = []

    def checked_out(*args: object) -> None:
        checkouts.append(args)

    event.listen(app.engine.sync_engine, "checkout", checked_out)
    try:
        for _ in range(10):
            await asyncio.gather(statement(), statement())
    finally:
        event.remove(app.engine.sync_engine, "checkout", checked_out)
    assert checkouts == []
