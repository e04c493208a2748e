"""League tables: every ranking rule and tie, the fair columns and the movement since last week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from handlers.clock import ManualClock, local_today
from handlers.services import league
from handlers.services import report_scope as scopes
from storage.db import unit_of_work
from storage.models import Member, Role, Unit
from tests.factories import Federation, add_initiatives

OLD = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)  # two weeks before the clock
NEW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # two days before the clock


async def table(app: App, clock: ManualClock, *, code: str = "LDLD-T",
                statuses: tuple[str, ...] = ("submitted", "approved")) -> league.League:
    async with app.sessions() as session:
        scope = await scopes.resolve(session, code=code, phase=None, now=clock.now(),
                                     today=local_today(clock, app.config.programme.tz))
        return await league.league(session, scope, statuses=statuses)


def rows(result: league.League, block: str) -> list[tuple[str, int]]:
    found = next(t for t in result.tables if t.code == block)
    return [(r.code, r.rank) for r in found.rows]


async def add_member(app: App, fed: Federation, unit: str, phone: str) -> None:
    async with unit_of_work(app.sessions) as session:
        member = Member(unit_id=fed.units[unit].id, name=f"Người {phone}", phone=phone,
                        role=Role.MEMBER)
        session.add(member)
    fed.members[phone] = member


async def set_size(app: App, fed: Federation, unit: str, size: int) -> None:
    async with unit_of_work(app.sessions) as session:
        (await session.get(Unit, fed.units[unit].id)).member_count = size


async def test_each_block_is_its_own_league_ranked_by_count(app: App, clock: ManualClock,
                                                           federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 3)
    await add_initiatives(app, federation, "0900000006", 4)
    await add_initiatives(app, federation, "0900000004", 1)
    result = await table(app, clock)
    assert [t.code for t in result.tables] == ["KDN", "KHC"]
    assert rows(result, "KDN") == [("DN02", 1), ("DN01", 2)]
    assert rows(result, "KHC") == [("TH01", 1), ("TH02", 2)]


async def test_equal_counts_are_separated_by_percent_of_target(app: App, clock: ManualClock,
                                                              federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 5)  # DN01: 5 of 10
    await add_initiatives(app, federation, "0900000006", 5)  # DN02: 5 of 5
    assert rows(await table(app, clock), "KDN") == [("DN02", 1), ("DN01", 2)]


async def test_equal_count_and_percent_are_separated_by_initiatives_per_100_members(
        app: App, clock: ManualClock, federation: Federation) -> None:
    await add_member(app, federation, "TH02", "0900000019")
    await add_initiatives(app, federation, "0900000004", 4)  # TH01: 4 of 8, 40 members
    await add_initiatives(app, federation, "0900000019", 4)  # TH02: 4 of 8, 35 members
    result = await table(app, clock)
    assert rows(result, "KHC") == [("TH02", 1), ("TH01", 2)]
    th02 = result.tables[1].rows[0]
    assert th02.per_100 == pytest.approx(400 / 35)


async def test_unions_equal_on_every_rule_share_a_rank_and_are_listed_by_code(
        app: App, clock: ManualClock, federation: Federation) -> None:
    await add_member(app, federation, "TH02", "0900000019")
    await set_size(app, federation, "TH02", 40)
    await add_initiatives(app, federation, "0900000019", 2)
    await add_initiatives(app, federation, "0900000004", 2)
    assert rows(await table(app, clock), "KHC") == [("TH01", 1), ("TH02", 1)]


async def test_fair_columns_use_the_declared_size(app: App, clock: ManualClock,
                                                 federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 2)
    await add_initiatives(app, federation, "0900000005", 1)
    dn01 = (await table(app, clock)).tables[0].rows[0]
    assert (dn01.code, dn01.count, dn01.target, dn01.authors) == ("DN01", 3, 10, 2)
    assert dn01.ratio == pytest.approx(0.3)
    assert dn01.per_100 == pytest.approx(2.5)  # 3 per 120 declared members
    assert dn01.submitted_share == pytest.approx(2 / 120)


async def test_movement_compares_with_the_table_of_seven_days_ago(
        app: App, clock: ManualClock, federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 3, at=OLD)  # DN01 led a week ago
    await add_initiatives(app, federation, "0900000006", 1, at=OLD)
    await add_initiatives(app, federation, "0900000006", 4, at=NEW)  # DN02 overtook it since
    kdn = (await table(app, clock)).tables[0]
    assert [(r.code, r.rank, r.rank_before, r.movement) for r in kdn.rows] == [
        ("DN02", 1, 2, 1), ("DN01", 2, 1, -1)]


async def test_a_phase_younger_than_a_week_shows_no_movement(
        app: App, clock: ManualClock, federation: Federation) -> None:
    async with unit_of_work(app.sessions) as session:
        phase = await session.get(type(federation.phase), federation.phase.id)
        phase.starts_on = local_today(clock, app.config.programme.tz) - timedelta(days=3)
    await add_initiatives(app, federation, "0900000003", 1, at=NEW)
    assert all(r.movement is None for t in (await table(app, clock)).tables for r in t.rows)


async def test_only_counting_statuses_count(app: App, clock: ManualClock,
                                           federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 2)
    await add_initiatives(app, federation, "0900000006", 3, status="withdrawn")
    kdn = (await table(app, clock)).tables[0]
    assert [(r.code, r.count) for r in kdn.rows] == [("DN01", 2), ("DN02", 0)]


async def test_a_block_scope_holds_only_that_block(app: App, clock: ManualClock,
                                                  federation: Federation) -> None:
    result = await table(app, clock, code="KHC")
    assert [t.code for t in result.tables] == ["KHC"] and result.unit_count == 2


async def test_excerpt_keeps_the_top_and_the_unions_neighbours() -> None:
    rows_ = [league.LeagueRow(i, f"U{i:02d}", "x", 0, "/", 10, 0, 30 - i, 0, 0, 0, None, i + 1, None)
             for i in range(30)]
    shown = league.excerpt(league.LeagueTable(0, "B", "B", rows_), unit_id=20, top=3, around=1)
    assert [(gap, r.code) for gap, r in shown] == [
        (False, "U00"), (False, "U01"), (False, "U02"), (True, "U19"), (False, "U20"),
        (False, "U21")]
