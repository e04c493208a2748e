"""Cron slots, the scheduler's settings, budgets (laggards first) and long texts split for a channel."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.services.outreach import Planned, apply_budget, split_text
from handlers.types import ChatRef, utf16_len
from schedules import slots

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_previous_is_the_latest_slot_at_or_before_a_moment() -> None:
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 09:00 in Hanoi
    assert slots.previous("30 7 * * *", TZ, at) == datetime(2026, 11, 25, 7, 30, tzinfo=TZ)
    assert slots.previous("0 9 * * *", TZ, at) == datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
    assert slots.previous("0 9 * * 1", TZ, at) == datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def test_following_and_between() -> None:
    at = datetime(2026, 11, 25, 9, 0, tzinfo=TZ)
    assert slots.following("0 9 * * *", TZ, at) == datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
    found = slots.between("0 8 * * 1-6", TZ, datetime(2026, 11, 21, 8, 0, tzinfo=TZ), at)
    assert [d.day for d in found] == [23, 24, 25]


def test_the_scheduler_loads_jobs_coalesced_one_instance_with_a_grace() -> None:
    from bot.config import load_config
    from handlers.clock import SystemClock
    from handlers.texts import Renderer
    from schedules.context import make_context
    from schedules.registry import build_registry
    from schedules.scheduler import build_scheduler

    config = load_config(env={"SANGKIEN__SCHEDULES__JOBS__SILENT_REMINDERS__ENABLED": "false"})
    ctx = make_context(sessions=None, renderer=Renderer(), clock=SystemClock(),  # type: ignore[arg-type]
                       programme=config.programme, settings=config.schedules)
    scheduler = build_scheduler(ctx, build_registry(config.schedules).values())
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert "silent_reminders" not in jobs and "officer_digest" in jobs
    job = jobs["officer_digest"]
    assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 3600
    assert str(job.trigger.timezone) == "Asia/Ho_Chi_Minh"


def planned(code: str, ratio: float, channel: str = "zalo") -> Planned:
    return Planned(ChatRef(channel, f"g-{code}", True), "urge/steady", {}, f"urge:{code}",
                   urgency=ratio, unit_code=code)


def test_a_short_budget_keeps_the_laggards_and_leaves_out_the_rest() -> None:
    plan = [planned("A", 0.9), planned("B", 0.1), planned("C", 1.2), planned("D", 0.4),
            planned("E", 0.5, channel="telegram")]
    kept, left = apply_budget(plan, {"zalo": 2, "telegram": None})
    assert [p.unit_code for p in kept] == ["B", "D", "E"]
    assert [p.unit_code for p in left] == ["A", "C"]


def test_no_budget_means_unlimited_and_zero_leaves_everyone_out() -> None:
    plan = [planned("A", 0.9), planned("B", 0.1)]
    assert apply_budget(plan, {}) == (plan, [])
    assert apply_budget(plan, {"zalo": 0})[0] == []


def test_a_long_text_is_split_at_line_breaks_within_the_limit() -> None:
    text = "\n".join(f"{n}. Đơn vị số {n}: 12/20 (60%)" for n in range(1, 200))
    parts = split_text(text, 2000)
    assert len(parts) > 1 and all(utf16_len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == text
    assert split_text("x" * 4500, 2000) == ["x" * 2000, "x" * 2000, "x" * 500]


def test_weekdays_read_as_in_crontab_sunday_is_zero_or_seven() -> None:
    assert slots.weekday_names("1-6") == "mon,tue,wed,thu,fri,sat"
    assert slots.weekday_names("0") == slots.weekday_names("7") == "sun"
    assert slots.weekday_names("*/2") == "tue,thu,sat,sun"
    assert slots.weekday_names("0-6") == "*"
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
    assert slots.following("0 9 * * 1", TZ, monday) == datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
