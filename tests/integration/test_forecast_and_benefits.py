"""Forecast and benefit roll-up on the small federation, against numbers worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from bot.app import App
from handlers.clock import ManualClock, local_today
from handlers.services import benefits, forecast, league
from handlers.services import report_scope as scopes
from storage.db import unit_of_work
from storage.models import Initiative
from tests.factories import Federation, add_initiatives

OLD = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)
RECENT = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


async def scope_of(app: App, clock: ManualClock) -> scopes.Scope:
    async with app.sessions() as session:
        return await scopes.resolve(session, code=None, phase=None, now=clock.now(),
                                    today=local_today(clock, app.config.programme.tz))


async def test_forecast_of_a_unit_and_its_block(app: App, clock: ManualClock,
                                                federation: Federation) -> None:
    # Phase 1 ends in 37 days: 38 days left counting today. DN01: 2 old + 7 in the last week.
    await add_initiatives(app, federation, "0900000003", 2, at=OLD)
    await add_initiatives(app, federation, "0900000003", 7, at=RECENT)
    scope = await scope_of(app, clock)
    async with app.sessions() as session:
        result = forecast.forecast(await league.league(session, scope, statuses=("submitted",)))
    dn01 = next(o for o in result.units if o.code == "DN01")
    assert (dn01.count, dn01.recent, dn01.window_days, dn01.days_left) == (9, 7, 7, 38)
    assert dn01.pace == 1 and dn01.projected == 47 and not dn01.will_miss
    kdn = next(o for o in result.blocks if o.code == "KDN")
    assert (kdn.count, kdn.target, kdn.recent) == (9, 15, 7)
    assert [o.code for o in result.warnings] == ["DN02", "TH01", "TH02"]  # all at 0 %, by code
    assert result.total.count == 9 and result.total.target == 31


async def test_early_warning_names_the_extra_pace(app: App, clock: ManualClock,
                                                  federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000006", 1, at=OLD)  # DN02: 1 of 5, no pace
    scope = await scope_of(app, clock)
    async with app.sessions() as session:
        result = forecast.forecast(await league.league(session, scope, statuses=("submitted",)))
    dn02 = next(o for o in result.warnings if o.code == "DN02")
    # It needs 4 more in 38 days: 0.105 a day, rounded up to 0.2 so that keeping it is enough.
    assert dn02.projected == 1 and float(dn02.extra_pace) == 0.2


async def test_benefit_rolls_up_to_blocks_and_the_district(app: App, clock: ManualClock,
                                                           federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 2)
    await add_initiatives(app, federation, "0900000006", 1)
    await add_initiatives(app, federation, "0900000004", 1)
    async with unit_of_work(app.sessions) as session:
        await session.execute(update(Initiative).values(benefit_vnd=50_000_000))
        await session.execute(update(Initiative).where(Initiative.member_id == federation.members[
            "0900000004"].id).values(benefit_vnd=None))
    scope = await scope_of(app, clock)
    async with app.sessions() as session:
        rolled = await benefits.roll_up(session, scope,
                                        await league.tallies(session, scope, ("submitted",)))
    assert rolled.total.benefit_vnd == 150_000_000 and rolled.total.count == 4
    blocks = {ln.code: (ln.benefit_vnd, ln.count, ln.unions) for ln in rolled.levels["block"]}
    assert blocks == {"KDN": (150_000_000, 3, 2), "KHC": (0, 1, 2)}
    assert [(ln.code, ln.benefit_vnd) for ln in rolled.unions[:2]] == [
        ("DN01", 100_000_000), ("DN02", 50_000_000)]
