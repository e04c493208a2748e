"""Phases, sprints and targets as services, on SQLite and PostgreSQL: rules and audit entries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.app import App
from handlers.clock import local_today
from handlers.errors import UserError
from handlers.services import phases, targets
from storage.db import unit_of_work
from storage.models import AuditEntry, Phase, PhaseStatus, Sprint, Target
from tests.factories import Federation


def today(app: App) -> date:
    return local_today(app.clock, app.config.programme.tz)


async def run(app: App, func: Any, **kwargs: Any) -> Any:
    async with unit_of_work(app.sessions) as session:
        return await func(session, actor=None, at=app.clock.now(), **kwargs)


async def refused(app: App, func: Any, **kwargs: Any) -> str:
    with pytest.raises(UserError) as caught:
        await run(app, func, **kwargs)
    return app.renderer.render(caught.value.template, **caught.value.data)


async def audit(app: App) -> list[tuple[Any, ...]]:
    async with app.sessions() as session:
        rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars()
        return [(e.action, e.subject, e.before, e.after) for e in rows]


async def statuses(app: App) -> dict[int, str]:
    async with app.sessions() as session:
        return {p.number: p.status for p in (await session.execute(select(Phase))).scalars()}


async def test_opening_a_phase_while_another_is_open_is_refused_naming_it(
        app: App, federation: Federation) -> None:
    text = await refused(app, phases.open_phase, number=2)
    assert text == ("Giai đoạn 1 đang mở; mỗi lúc chỉ mở được một giai đoạn. "
                    "Hãy đóng Giai đoạn 1 trước rồi mới mở Giai đoạn 2.")
    assert await statuses(app) == {1: "open", 2: "planned"} and await audit(app) == []


async def test_close_then_open_the_next_phase_with_audit_entries(
        app: App, federation: Federation) -> None:
    closed, upcoming = await run(app, phases.close_phase, number=1)
    assert closed.status == "closed" and upcoming.number == 2
    await run(app, phases.open_phase, number=2)
    assert await statuses(app) == {1: "closed", 2: "open"}
    assert await audit(app) == [
        ("phase.close", "phase:1", {"status": "open"}, {"status": "closed"}),
        ("phase.open", "phase:2", {"status": "planned"}, {"status": "open"})]


async def test_closing_a_phase_that_is_not_open_is_refused(app: App,
                                                           federation: Federation) -> None:
    assert "Giai đoạn 2 không đang mở (chưa mở)" in await refused(app, phases.close_phase, number=2)
    assert "Không có giai đoạn số 9" in await refused(app, phases.open_phase, number=9)


async def test_the_database_allows_only_one_open_phase(app: App, federation: Federation) -> None:
    async def open_second() -> None:
        async with unit_of_work(app.sessions) as session:
            phase = await session.get(Phase, federation.next_phase.id)
            phase.status = PhaseStatus.OPEN

    with pytest.raises(IntegrityError):
        await open_second()


async def test_add_phase_checks_number_dates_and_overlap(app: App, federation: Federation) -> None:
    start = federation.next_phase.ends_on + timedelta(days=1)
    assert "Đã có giai đoạn số 2" in await refused(
        app, phases.add_phase, number=2, name="GĐ", starts_on=start, ends_on=start + timedelta(9))
    assert "phải sau ngày bắt đầu" in await refused(
        app, phases.add_phase, number=3, name="GĐ 3", starts_on=start, ends_on=start)
    assert "trùng với Giai đoạn 2" in await refused(
        app, phases.add_phase, number=3, name="GĐ 3", starts_on=start - timedelta(days=5),
        ends_on=start + timedelta(days=90))
    added = await run(app, phases.add_phase, number=3, name="Giai đoạn 3", starts_on=start,
                      ends_on=start + timedelta(days=90))
    assert added.status == "planned"
    assert (await audit(app))[0][:2] == ("phase.add", "phase:3")


async def test_sprint_starts_today_for_35_days_by_default(app: App, federation: Federation) -> None:
    async with unit_of_work(app.sessions) as session:
        await session.delete(await session.get(Sprint, federation.sprint.id))
    sprint = await run(app, phases.start_sprint, number=1, starts_on=today(app), days=35,
                       name="Đợt cao điểm 35 ngày")
    assert (sprint.starts_on, sprint.ends_on) == (today(app), today(app) + timedelta(days=34))
    assert await audit(app) == [("sprint.start", "phase:1", None, {
        "name": "Đợt cao điểm 35 ngày", "starts_on": today(app).isoformat(),
        "ends_on": (today(app) + timedelta(days=34)).isoformat()})]


async def test_a_sprint_must_fit_inside_its_phase_and_not_overlap(
        app: App, federation: Federation) -> None:
    after = federation.sprint.ends_on + timedelta(days=1)
    text = await refused(app, phases.start_sprint, number=1, starts_on=after, days=35, name="Đợt 2")
    assert "phải nằm trong Giai đoạn 1" in text and "còn 12 ngày" in text
    assert "Trùng thời gian với Đợt cao điểm 35 ngày" in await refused(
        app, phases.start_sprint, number=1, starts_on=today(app), days=5, name="Đợt 2")
    assert "từ 1 đến 366" in await refused(app, phases.start_sprint, number=1, starts_on=after,
                                            days=0, name="Đợt 2")
    await run(app, phases.start_sprint, number=1, starts_on=after, days=12, name="Đợt 2")


async def test_no_sprint_in_a_closed_phase(app: App, federation: Federation) -> None:
    await run(app, phases.close_phase, number=1)
    assert "Giai đoạn 1 đã đóng" in await refused(app, phases.start_sprint, number=1,
                                                  starts_on=today(app), days=3, name="Đợt")


async def test_copy_targets_to_the_next_phase_keeps_targets_already_set(
        app: App, federation: Federation) -> None:
    await run(app, targets.set_target, unit_code="DN01", number=2, target=30)
    result = await run(app, targets.copy_targets, from_number=1, to_number=2)
    assert (result.copied, result.kept) == (3, 1)
    async with app.sessions() as session:
        copied = dict((await session.execute(select(Target.unit_id, Target.target).where(
            Target.phase_id == federation.next_phase.id))).all())
    units = federation.units
    assert copied == {units["DN01"].id: 30, units["DN02"].id: 5, units["TH01"].id: 8,
                      units["TH02"].id: 8}
    assert [a[:2] for a in await audit(app)] == [("target.set", "target:DN01:2"),
                                                 ("targets.copy", "phase:2")]


async def test_set_target_records_before_and_after(app: App, federation: Federation) -> None:
    change = await run(app, targets.set_target, unit_code="dn01", number=1, target=12)
    assert (change.old, change.new) == (10, 12)
    assert await audit(app) == [("target.set", "target:DN01:1", {"target": 10}, {"target": 12})]


@pytest.mark.parametrize(("code", "number", "value", "words"), [
    ("KDN", 1, 5, "KDN không phải công đoàn cơ sở"),
    ("ZZ99", 1, 5, "ZZ99"),
    ("DN01", 1, -1, "số nguyên không âm"),
    ("DN01", 7, 5, "Không có giai đoạn số 7"),
])
async def test_set_target_refusals(app: App, federation: Federation, code: str, number: int,
                                   value: int, words: str) -> None:
    assert words in await refused(app, targets.set_target, unit_code=code, number=number,
                                  target=value)
    assert await audit(app) == []


async def test_targets_of_a_closed_phase_cannot_change(app: App, federation: Federation) -> None:
    await run(app, phases.close_phase, number=1)
    assert "Giai đoạn 1 đã đóng" in await refused(app, targets.set_target, unit_code="DN01",
                                                  number=1, target=3)
