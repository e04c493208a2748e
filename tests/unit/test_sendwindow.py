"""The send window: halved by a 429 or a slow call, widened by one per success the traffic needed."""

from __future__ import annotations

import asyncio

from handlers.sendwindow import SendWindow


async def finish(window: SendWindow, *, seconds: float = 0.01, throttled: bool = False) -> None:
    async with window.slot() as slot:
        await asyncio.sleep(0)  # the call: sends begun together are in flight together
        slot.seconds, slot.throttled = seconds, throttled


async def fill(window: SendWindow) -> None:
    """Send as many at once as the window holds (traffic that fills it)."""
    await asyncio.gather(*(finish(window) for _ in range(window.size)))


async def test_light_traffic_keeps_the_window_as_it_started() -> None:
    window = SendWindow(8, slow_seconds=1.0)
    for _ in range(20):
        await finish(window)  # one at a time: the window is never full, nobody waits
    assert window.size == 2


async def test_sends_waiting_for_room_widen_the_window_and_a_429_halves_it() -> None:
    window = SendWindow(8, slow_seconds=1.0)
    await asyncio.gather(*(finish(window) for _ in range(20)))  # a busy outbox
    assert window.size == 8
    await finish(window, throttled=True)
    assert window.size == 4
    await fill(window)
    assert window.size == 5  # one more: the send that filled it
    for _ in range(20):
        await finish(window)
    assert window.size == 5  # light traffic again: no wider


async def test_sends_waiting_for_their_pacing_slot_do_not_widen_the_window() -> None:
    # A paced burst: every send holds room while it waits for its turn (one every 50 ms: a turn
    # much longer than a busy machine's stalls of the loop), and each call is over before the
    # next turn. The queue is long; the calls never overlap.
    window = SendWindow(8, slow_seconds=1.0)
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def paced(turn: int) -> None:
        async with window.slot() as slot:
            await window.pace(start + turn * 0.05 - loop.time())
            slot.seconds = 0.001

    await asyncio.gather(*(paced(turn) for turn in range(12)))
    assert window.size == 2


async def test_slow_calls_halve_the_window_down_to_one() -> None:
    window = SendWindow(8, slow_seconds=1.0)
    for _ in range(5):
        await finish(window, seconds=1.5)
    assert window.size == 1


async def test_a_slot_given_back_without_a_call_leaves_the_window_as_it_was() -> None:
    window = SendWindow(8, slow_seconds=1.0)
    await finish(window, throttled=True)
    async with window.slot():
        pass
    assert window.size == 1


async def test_a_full_window_makes_the_next_send_wait_and_says_there_is_no_room() -> None:
    window = SendWindow(2, slow_seconds=1.0)
    release = asyncio.Event()

    async def hold() -> None:
        async with window.slot():
            await release.wait()

    holders = [asyncio.create_task(hold()) for _ in range(3)]
    await asyncio.sleep(0.01)
    assert (window.busy, window.has_room()) == (2, False)
    release.set()
    await asyncio.gather(*holders)
    assert (window.busy, window.has_room()) == (0, True)


async def test_no_room_while_a_429_pause_runs() -> None:
    window = SendWindow(8, slow_seconds=1.0)
    window.cool(0.05)
    assert not window.has_room()
    await asyncio.sleep(0.06)
    assert window.has_room()


async def test_room_promised_to_held_replies_counts_until_they_come_or_it_lapses(
        monkeypatch) -> None:
    window = SendWindow(2, slow_seconds=1.0)
    assert window.promise() and window.promise()
    assert not window.promise() and not window.has_room()
    window.redeem()
    assert window.has_room()
    monkeypatch.setattr("handlers.sendwindow.PROMISE_SECONDS", 0.01)
    window = SendWindow(1, slow_seconds=1.0)
    assert window.promise() and not window.has_room()
    await asyncio.sleep(0.02)
    assert window.has_room()  # the update that asked was rolled back, say: the room comes back


async def test_a_redeemed_promise_takes_its_room_before_the_sends_waiting() -> None:
    window = SendWindow(2, slow_seconds=1.0)
    assert window.promise()
    release = asyncio.Event()

    async def hold() -> None:
        async with window.slot():
            await release.wait()

    holder, waiter = asyncio.create_task(hold()), asyncio.create_task(hold())
    await asyncio.sleep(0.01)
    assert (window.busy, window.has_room()) == (1, False)  # one sends, one waits
    assert window.redeem()
    assert not window.has_room()  # a send waits: an unpromised one would queue behind it
    assert window.room_kept()
    async with asyncio.timeout(0.5), window.slot(promised=True):
        assert window.busy == 2
    assert not window.redeem()  # nothing promised any more
    release.set()
    await asyncio.gather(holder, waiter)


async def test_a_lapsed_promise_is_not_redeemed(monkeypatch) -> None:
    monkeypatch.setattr("handlers.sendwindow.PROMISE_SECONDS", 0.01)
    window = SendWindow(2, slow_seconds=1.0)
    assert window.promise()
    await asyncio.sleep(0.02)
    assert not window.redeem()


async def test_a_promise_is_not_kept_once_the_window_narrowed_or_a_429_came() -> None:
    window = SendWindow(2, slow_seconds=1.0)
    assert window.promise() and window.promise()
    window.size = 1  # a slow call halved it
    assert window.redeem() and not window.room_kept()
    window = SendWindow(2, slow_seconds=1.0)
    assert window.promise()
    window.cool(1.0)
    assert window.redeem() and not window.room_kept()


async def test_room_a_burst_opened_goes_back_when_no_longer_needed(monkeypatch) -> None:
    monkeypatch.setattr("handlers.sendwindow.DECAY_SECONDS", 0.02)
    window = SendWindow(8, slow_seconds=1.0)
    await asyncio.gather(*(finish(window) for _ in range(20)))  # a burst opens it
    assert window.size == 8
    await finish(window)
    assert window.size == 8  # not yet: the burst was just now
    await asyncio.sleep(0.03)
    await finish(window)
    await finish(window)
    assert window.size == 7  # one step per period without need, not one per send
    for _ in range(10):
        await asyncio.sleep(0.03)
        await finish(window)
    assert window.size == 2  # never below where it starts
