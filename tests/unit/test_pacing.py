"""The pacer books slots per chat, per group and per bot, and honours a platform's pause."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from handlers.pacing import Pacer
from handlers.settings import PacingSettings
from handlers.types import ChatRef

TELEGRAM = PacingSettings(per_chat_per_second=1, chat_burst=3, per_group_per_minute=20,
                          group_burst=3, overall_per_second=30, overall_burst=5)
DM = ChatRef("telegram", "1")
GROUP = ChatRef("telegram", "-100", is_group=True)


@dataclass
class FakeTime:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def send_times(pacer: Pacer, time: FakeTime, chat: ChatRef, count: int,
               settings: PacingSettings = TELEGRAM) -> list[float]:
    """Book `count` messages back to back; return when each may go (relative to start)."""
    start = time.now
    return [round(time.now + pacer.reserve(settings, chat) - start, 3) for _ in range(count)]


def test_a_private_chat_gets_its_burst_then_one_message_a_second() -> None:
    time = FakeTime()
    assert send_times(Pacer(monotonic=time), time, DM, 6) == [0, 0, 0, 1, 2, 3]


def test_a_group_gets_its_burst_then_one_message_every_three_seconds() -> None:
    time = FakeTime()
    assert send_times(Pacer(monotonic=time), time, GROUP, 5) == [0, 0, 0, 3, 6]


def test_many_chats_share_the_bots_overall_rate() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    slots = [pacer.reserve(TELEGRAM, ChatRef("telegram", str(n))) for n in range(65)]
    assert slots[:5] == [0] * 5
    assert slots[64] == pytest.approx((64 - 4) / 30)


def test_chat_wait_is_zero_for_a_fresh_chat_and_ignores_the_bots_steady_rate() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    for n in range(40):
        pacer.reserve(TELEGRAM, ChatRef("telegram", str(n)))
    assert pacer.chat_wait(TELEGRAM, ChatRef("telegram", "new")) == 0


def test_a_paused_chat_waits_and_others_do_not() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    pacer.hold(DM, 30, whole_bot=False)
    assert pacer.chat_wait(TELEGRAM, DM) == 30
    assert pacer.chat_wait(TELEGRAM, ChatRef("telegram", "2")) == 0


def test_a_paused_bot_holds_every_chat() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    pacer.hold(DM, 5, whole_bot=True)
    assert pacer.chat_wait(TELEGRAM, ChatRef("telegram", "2")) == 5
    assert pacer.reserve(TELEGRAM, GROUP) == 5
    time.now += 5
    assert pacer.chat_wait(TELEGRAM, ChatRef("telegram", "3")) == 0


def test_channels_are_paced_apart() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    pacer.hold(ChatRef("zalo", "1"), 60, whole_bot=True)
    assert pacer.chat_wait(TELEGRAM, DM) == 0


def test_idle_lanes_are_forgotten() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    for n in range(100):
        pacer.reserve(TELEGRAM, ChatRef("telegram", str(n)))
    time.now += 120
    pacer.reserve(TELEGRAM, DM)
    assert len(pacer._lanes) <= 3


def test_paused_for_counts_only_a_platforms_pause_not_our_own_bookings() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time)
    pacer.reserve(TELEGRAM, DM)
    pacer.reserve(TELEGRAM, DM)
    assert pacer.paused_for(DM) == 0
    pacer.hold(GROUP, 7, whole_bot=False)
    assert (pacer.paused_for(GROUP), pacer.paused_for(DM)) == (7, 0)
