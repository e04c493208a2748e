"""The monthly quota service: what counts, the Hanoi month, long texts, pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import App
from handlers.services import quota
from storage.db import unit_of_work
from storage.repositories import outbox

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


async def queue(app: App, key: str, *, status: str, at: datetime | None, text: str = "x",
                channel: str = "zalo") -> None:
    async with unit_of_work(app.sessions) as session:
        await outbox.add(session, {
            "channel": channel, "chat_id": "c1", "text": text, "choices": [], "dedup_key": key,
            "status": status, "sent_at": at if status == "sent" else None,
            "claimed_at": at if status in ("sending", "uncertain") else None,
            "not_before": NOW, "created_at": NOW})


async def remaining(app: App, *, quota_size: int | None = 3000, now: datetime = NOW) -> int | None:
    async with unit_of_work(app.sessions) as session:
        return await quota.remaining(session, channel="zalo", now=now, quota=quota_size)


async def test_sent_queued_and_possibly_sent_messages_of_this_month_count(app: App) -> None:
    await queue(app, "a", status="sent", at=NOW - timedelta(days=3))
    await queue(app, "b", status="uncertain", at=NOW - timedelta(hours=1))
    await queue(app, "c", status="pending", at=None)
    await queue(app, "d", status="failed", at=None)
    await queue(app, "e", status="sent", at=NOW, channel="telegram")
    assert await remaining(app) == 2997


async def test_a_long_text_counts_once_per_part(app: App) -> None:
    await queue(app, "a", status="sent", at=NOW, text="chữ " * 1200)  # 4,800 units: 3 parts
    assert await remaining(app) == 2997


async def test_the_month_is_the_calendar_month_in_hanoi(app: App) -> None:
    # 31/10 23:30 in Hanoi is still October; 1/11 00:30 in Hanoi is November (17:30 UTC on 31/10).
    await queue(app, "oct", status="sent", at=datetime(2026, 10, 31, 16, 30, tzinfo=UTC))
    await queue(app, "nov", status="sent", at=datetime(2026, 10, 31, 17, 30, tzinfo=UTC))
    assert await remaining(app) == 2999
    assert await remaining(app, now=datetime(2026, 12, 1, 0, 0, tzinfo=UTC)) == 3000


async def test_no_quota_means_no_limit(app: App) -> None:
    assert await remaining(app, quota_size=None) is None
    assert await remaining(app, quota_size=0) is None


async def test_a_paused_channel_has_nothing_left_until_resumed(app: App) -> None:
    await queue(app, "held", status="pending", at=None)
    async with unit_of_work(app.sessions) as session:
        until = quota.quota_pause_end(NOW, pause_minutes=0)
        assert await quota.pause(session, channel="zalo", until=until, reason="test", now=NOW) == 1
    assert await remaining(app) == 0
    assert await remaining(app, now=until + timedelta(seconds=1)) == 2999
    async with unit_of_work(app.sessions) as session:
        assert await quota.resume(session, channel="zalo", now=NOW) == 1
        assert await quota.resume(session, channel="zalo", now=NOW) is None
        usage = await quota.usage_of(session, channel="zalo", now=NOW, quota=3000)
    assert (usage.paused_until, usage.queued, usage.remaining) == (None, 1, 2999)


async def test_the_pause_after_quota_exceeded_ends_at_the_next_month_at_the_latest() -> None:
    end_of_month = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 23:00 on 30/11 in Hanoi
    assert quota.quota_pause_end(end_of_month, pause_minutes=360) == datetime(
        2026, 11, 30, 17, 0, tzinfo=UTC)
    assert quota.quota_pause_end(NOW, pause_minutes=60) == NOW + timedelta(minutes=60)
