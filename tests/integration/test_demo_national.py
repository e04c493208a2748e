"""The national data set, generated at a small fraction on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from handlers.clock import ManualClock, local_today
from handlers.services import demo_national, league
from handlers.services import report_scope as scopes
from storage.db import unit_of_work
from storage.models import Initiative, Member, Phase, PhaseStatus, Unit
from storage.repositories import units


async def test_national_shape_at_a_thousandth(app: App, clock: ManualClock) -> None:
    today = local_today(clock, app.config.programme.tz)
    seen: dict[str, int] = {}
    async with unit_of_work(app.sessions) as session:
        summary = await demo_national.load_national(
            session, today=today, tz=app.config.programme.tz, fields=app.config.programme.fields,
            fraction=0.001, progress=lambda stage, n: seen.__setitem__(stage, seen.get(stage, 0) + n))
    async with app.sessions() as session:
        levels = dict((await session.execute(
            select(Unit.level, func.count()).group_by(Unit.level))).all())
        declared = (await session.execute(select(func.sum(Unit.member_count)))).scalar_one()
        phases = (await session.execute(select(Phase).order_by(Phase.number))).scalars().all()
        by_phase = dict((await session.execute(select(Initiative.phase_id, func.count())
                                               .group_by(Initiative.phase_id))).all())
        staff = (await session.execute(select(Member).where(Member.phone == "0900000001"))
                 ).scalar_one()
    assert levels["country"] == 1 and levels["province"] == 63
    assert 126 <= levels["grassroots"] <= 150 and levels["district"] >= 63
    assert 0.8 * 10_500 <= declared <= 1.2 * 10_500
    assert abs(summary.initiatives - 2_400) < 120 and seen["initiatives"] == summary.initiatives
    assert [p.status for p in phases] == [PhaseStatus.CLOSED, PhaseStatus.OPEN]
    assert set(by_phase) == {phases[0].id, phases[1].id}
    assert staff.unit_id == 1 and staff.role == "staff"


async def test_ids_continue_after_a_national_load(app: App, clock: ManualClock) -> None:
    today = local_today(clock, app.config.programme.tz)
    async with unit_of_work(app.sessions) as session:
        await demo_national.load_national(session, today=today, tz=app.config.programme.tz,
                                          fields=app.config.programme.fields, fraction=0.0005)
    async with unit_of_work(app.sessions) as session:
        root = await session.get(Unit, 1)
        added = await units.add(session, Unit(code="NEW", name="Mới", name_folded="moi",
                                              level="grassroots", member_count=3), root)
        top = (await session.execute(select(func.max(Unit.id)))).scalar_one()
    assert added.id == top


async def test_province_league_on_national_data(app: App, clock: ManualClock) -> None:
    today = local_today(clock, app.config.programme.tz)
    async with unit_of_work(app.sessions) as session:
        await demo_national.load_national(session, today=today, tz=app.config.programme.tz,
                                          fields=app.config.programme.fields, fraction=0.001)
    async with app.sessions() as session:
        scope = await scopes.resolve(session, code="T01", phase=None, now=clock.now(), today=today)
        result = await league.league(session, scope, statuses=("submitted",))
    assert result.tables and all(t.code.startswith("T01-H") for t in result.tables)
    assert sum(t.count for t in result.tables) > 0
    assert all(r.rank >= 1 for t in result.tables for r in t.rows)
