"""The outbox sender's sends in flight: a window that narrows under 429s and slow answers, held
replies marked `sending` only when they can leave at once, and a graceful stop that leaves no row
`sending`. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.channel import RateLimited
from handlers.settings import PacingSettings
from handlers.types import ChannelLimits, ChatRef, Inbound, Outbound
from storage.db import unit_of_work
from storage.models import OutboxMessage
from storage.repositories import outbox
from tests.conftest import end_connections

ROOMY = PacingSettings(per_chat_per_second=100, chat_burst=10, per_group_per_minute=600,
                       group_burst=10, overall_per_second=1000, overall_burst=100,
                       max_wait_seconds=0.5, concurrency=8)


@dataclass
class GatedChannel:
    """Counts its sends in flight; each waits for `gate` (when closed) or `delay` seconds."""

    pacing: PacingSettings | None = ROOMY
    name: str = "gated"
    limits: ChannelLimits = field(default_factory=lambda: ChannelLimits(4096, False))
    delay: float = 0.0
    script: list[Exception] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    sent: list[str] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0

    def __post_init__(self) -> None:
        self.gate.set()

    async def send(self, message: Outbound) -> str | None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await self.gate.wait()
            await asyncio.sleep(self.delay)
            if self.script:
                raise self.script.pop(0)
            self.sent.append(message.text)
            return None
        finally:
            self.in_flight -= 1


@pytest.fixture
def gated(app: App) -> GatedChannel:
    channel = GatedChannel()
    app.add_channel(channel)
    return channel


async def queue(app: App, chat_id: str, text: str) -> int:
    async with unit_of_work(app.sessions) as session:
        row_id = await outbox.add(session, {
            "channel": "gated", "chat_id": chat_id, "text": text, "choices": [],
            "dedup_key": f"{chat_id}:{text}", "not_before": app.clock.now()})
    assert row_id is not None
    return row_id


async def statuses(app: App) -> dict[int, str]:
    async with app.sessions() as session:
        found = await session.execute(select(OutboxMessage.id, OutboxMessage.status))
        return dict(found.all())


async def until(check: Callable[[], Awaitable[bool] | bool], wait: float = 5.0) -> None:
    deadline = time.monotonic() + wait
    while True:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


def update(chat_id: str, update_id: str) -> Inbound:
    return Inbound(chat=ChatRef("gated", chat_id), user_id=chat_id, update_id=update_id,
                   text="/trogiup")


async def widen(app: App, gated: GatedChannel) -> None:
    """Waves of messages waiting for room widen the window to its cap (8)."""
    for n in range(10):
        if app.sender.window_size("gated") == 8:
            return
        await in_flight_of_a_wave(app, gated, f"busy {n}")
    raise AssertionError(f"the window stays at {app.sender.window_size('gated')}")


async def test_a_429_halves_the_sends_in_flight_and_busy_waves_widen_them_again(
        app: App, gated: GatedChannel) -> None:
    assert app.sender.window_size("gated") == 2  # a worker just started
    await widen(app, gated)
    gated.script.append(RateLimited(0.05))
    await app.sender.send_ids([await queue(app, "c0", "first")])
    assert app.sender.window_size("gated") == 4
    assert await in_flight_of_a_wave(app, gated, "after the 429") == 4  # not 8
    await widen(app, gated)
    assert await in_flight_of_a_wave(app, gated, "healthy again") == 8


async def test_light_traffic_does_not_widen_the_window(app: App, gated: GatedChannel) -> None:
    # One message at a time never fills the window, so it stays small: a slow phase or a kill
    # then finds few messages in flight.
    for n in range(10):
        await app.sender.send_ids([await queue(app, f"one {n}", "one at a time")])
    assert app.sender.window_size("gated") == 2
    assert await in_flight_of_a_wave(app, gated, "a sudden wave") == 2


async def test_a_burst_the_rate_holds_back_does_not_widen_the_window(app: App) -> None:
    # A job's wave to 12 chats, paced at 10 a second: each send holds room while it waits for
    # its turn, but the sends (a 10 ms call and its marks) never overlap. The window stays where
    # it started, so a slow phase that begins meanwhile finds two calls on their way, not eight.
    paced = GatedChannel(pacing=ROOMY.model_copy(update={"overall_per_second": 10,
                                                         "overall_burst": 1}), delay=0.01)
    app.add_channel(paced)
    ids = [await queue(app, f"p{n}", "paced") for n in range(12)]
    assert await app.sender.send_ids(ids) == 12
    assert app.sender.window_size("gated") == 2
    assert paced.most_in_flight == 1


async def in_flight_of_a_wave(app: App, gated: GatedChannel, text: str) -> int:
    """Send 8 messages to 8 chats, calls held until as many as may have started; count them."""
    gated.gate.clear()
    ids = [await queue(app, f"{text}:{n}", text) for n in range(8)]
    wave = asyncio.create_task(app.sender.send_ids(ids))
    await until(lambda: gated.in_flight > 0)
    await asyncio.sleep(0.2)  # time for every send the window lets in to start its call
    started = gated.in_flight
    gated.gate.set()
    assert await wave == 8
    return started


async def test_slow_answers_narrow_the_sends_in_flight_to_one(app: App,
                                                             gated: GatedChannel) -> None:
    app.sender.settings = app.sender.settings.model_copy(update={"slow_send_seconds": 0.1})
    gated.delay = 0.15
    await app.sender.send_ids([await queue(app, f"s{n}", "slow") for n in range(8)])
    assert app.sender.window_size("gated") == 1
    gated.most_in_flight = 0
    await app.sender.send_ids([await queue(app, f"t{n}", "still slow") for n in range(3)])
    assert gated.most_in_flight == 1  # each slow answer keeps the window at one
    assert len(gated.sent) == 11


async def test_a_graceful_stop_lets_the_sends_in_flight_finish_and_leaves_nothing_sending(
        app: App, gated: GatedChannel) -> None:
    ids = [await queue(app, f"c{n}", "before the stop") for n in range(20)]
    gated.gate.clear()
    stop = asyncio.Event()
    running = asyncio.create_task(app.sender.run(stop))
    window = app.sender.window_size("gated")
    await until(lambda: gated.in_flight == window)
    stop.set()
    await asyncio.sleep(0.05)
    gated.gate.set()
    await asyncio.wait_for(running, 5)
    found = await statuses(app)
    assert sorted(found) == ids
    assert sorted(found.values()) == ["pending"] * (20 - window) + ["sent"] * window
    assert len(gated.sent) == window


async def test_a_reply_is_held_sending_only_when_its_channel_has_room(
        app: App, federation: object) -> None:
    gated = GatedChannel(pacing=None)  # one send at a time
    app.add_channel(gated)
    gated.gate.clear()
    busy = asyncio.create_task(app.sender.send_ids([await queue(app, "other", "on its way")]))
    await until(lambda: gated.in_flight == 1)
    waiting = await app.router.handle(update("u1", "1"))
    assert [row.marked for row in waiting.held] == [False]
    assert set((await statuses(app)).values()) == {"sending", "claimed"}  # ours is claimed
    gated.gate.set()
    await busy
    assert await app.sender.send_held(waiting.held) == 1
    free = await app.router.handle(update("u2", "2"))
    assert [row.marked for row in free.held] == [True]
    assert (await statuses(app))[free.held[0].id] == "sending"
    assert await app.sender.send_held(free.held) == 1
    assert set((await statuses(app)).values()) == {"sent"}


async def test_a_held_reply_behind_a_message_to_its_chat_waits_one_call_and_keeps_the_order(
        app: App, federation: object) -> None:
    # A person writes after reading the last reply, so what is ahead in the chat is one call:
    # the held reply waits for it as it is (no extra transaction) and leaves right after.
    gated = GatedChannel()
    app.add_channel(gated)
    held = (await app.router.handle(update("u1", "1"))).held
    assert [row.marked for row in held] == [True]
    gated.gate.clear()
    first = asyncio.create_task(app.sender.send_ids([await queue(app, "u1", "queued earlier")]))
    await until(lambda: gated.in_flight == 1)
    reply = asyncio.create_task(app.sender.send_held(held))
    await asyncio.sleep(0.1)
    assert (await statuses(app))[held[0].id] == "sending" and gated.in_flight == 1
    gated.gate.set()
    assert (await first, await reply) == (1, 1)
    assert gated.sent[0] == "queued earlier" and len(gated.sent) == 2


async def test_a_held_reply_behind_a_slow_message_to_its_chat_waits_claimed(
        app: App, federation: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # The call ahead takes long (a slow platform): past HELD_WAIT_SECONDS the held reply goes
    # back to `claimed`, so a kill meanwhile cannot leave it `uncertain` unsent.
    monkeypatch.setattr("handlers.delivery.HELD_WAIT_SECONDS", 0.2)
    gated = GatedChannel()
    app.add_channel(gated)
    held = (await app.router.handle(update("u1", "1"))).held
    gated.gate.clear()
    first = asyncio.create_task(app.sender.send_ids([await queue(app, "u1", "queued earlier")]))
    await until(lambda: gated.in_flight == 1)
    reply = asyncio.create_task(app.sender.send_held(held))
    await until(lambda: _status_is(app, held[0].id, "claimed"))
    gated.gate.set()
    assert (await first, await reply) == (1, 1)
    assert gated.sent[0] == "queued earlier" and len(gated.sent) == 2


async def _status_is(app: App, row_id: int, status: str) -> bool:
    return (await statuses(app)).get(row_id) == status


async def test_a_sent_mark_outlives_a_connection_cut(app: App, gated: GatedChannel,
                                                     db_url: str) -> None:
    # The database ends every connection while a message is in its call: the `sent` mark that
    # follows runs again on a fresh connection, so the delivered message is not left `sending`
    # (where a live worker's lease would turn it `uncertain`).
    if not db_url.startswith("postgresql"):
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    gated.gate.clear()
    row_id = await queue(app, "c1", "across a cut")
    sending = asyncio.create_task(app.sender.send_ids([row_id]))
    await until(lambda: gated.in_flight == 1)
    killed = await end_connections(db_url)
    assert killed >= 1
    gated.gate.set()
    assert await sending == 1
    assert (await statuses(app))[row_id] == "sent"
