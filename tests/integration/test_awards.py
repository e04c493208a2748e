"""The award shortlist: the written rules, every tie-break and the reason for each place."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from bot.app import App
from handlers.clock import ManualClock, local_today
from handlers.services import awards
from handlers.services import report_scope as scopes
from handlers.settings import AwardRules
from storage.db import unit_of_work
from storage.models import Initiative, InitiativeStatus
from tests.factories import Federation, add_initiatives
from tests.integration.test_league import add_member, set_size

EARLY = datetime(2026, 11, 12, 3, 0, tzinfo=UTC)
LATE = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
COUNTING = ("submitted", "approved")


async def shortlist(app: App, clock: ManualClock, rules: AwardRules | None = None
                    ) -> awards.Shortlist:
    async with app.sessions() as session:
        scope = await scopes.resolve(session, code=None, phase=None, now=clock.now(),
                                     today=local_today(clock, app.config.programme.tz))
        # Explicit statuses: once reviews define `approved`, the default counts only that.
        return await awards.shortlist(session, scope, rules=rules or AwardRules(statuses=COUNTING),
                                      counting=COUNTING)


async def benefit(app: App, fed: Federation, phone: str, amount: int) -> None:
    async with unit_of_work(app.sessions) as session:
        await session.execute(update(Initiative).where(
            Initiative.member_id == fed.members[phone].id).values(benefit_vnd=amount))


async def test_collectives_rank_by_percent_then_per_100_members_then_count(
        app: App, clock: ManualClock, federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000006", 5)  # DN02: 100 %, 8.3 per 100
    await add_initiatives(app, federation, "0900000004", 8)  # TH01: 100 %, 20 per 100
    await add_initiatives(app, federation, "0900000003", 5)  # DN01: 50 %
    places = (await shortlist(app, clock)).collectives
    assert [(p.place, p.code, p.decided_by) for p in places] == [
        (1, "TH01", "per_100_members"), (2, "DN02", "percent_of_target"), (3, "DN01", None)]
    assert places[0].next_name == "Công ty Cơ khí Đông Anh"


async def test_collectives_equal_on_every_rule_go_to_who_got_there_first(
        app: App, clock: ManualClock, federation: Federation) -> None:
    await add_member(app, federation, "TH02", "0900000019")
    await set_size(app, federation, "TH02", 40)  # now TH02 looks exactly like TH01
    await add_initiatives(app, federation, "0900000004", 4, at=LATE)
    await add_initiatives(app, federation, "0900000019", 4, at=EARLY)
    places = (await shortlist(app, clock)).collectives
    assert [(p.code, p.decided_by) for p in places[:2]] == [("TH02", "earlier"), ("TH01", None)]


async def test_individuals_rank_by_initiatives_then_benefit(app: App, clock: ManualClock,
                                                            federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 3)
    await add_initiatives(app, federation, "0900000005", 3)
    await add_initiatives(app, federation, "0900000006", 4)
    await benefit(app, federation, "0900000005", 10_000_000)
    people = (await shortlist(app, clock)).individuals
    assert [(p.name, p.count, p.decided_by) for p in people] == [
        ("Vũ Thị Mai", 4, "initiatives"), ("Đỗ Văn Nam", 3, "benefit"), ("Nguyễn Thị Lan", 3, None)]
    assert people[1].benefit_vnd == 30_000_000 and people[1].code == "DN01"


async def test_individuals_equal_on_every_rule_go_to_who_got_there_first(
        app: App, clock: ManualClock, federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 2, at=LATE)
    await add_initiatives(app, federation, "0900000005", 2, at=EARLY)
    people = (await shortlist(app, clock)).individuals
    assert [(p.name, p.decided_by) for p in people] == [("Đỗ Văn Nam", "earlier"),
                                                        ("Nguyễn Thị Lan", None)]


async def test_the_shortlist_length_and_rules_come_from_config(app: App, clock: ManualClock,
                                                               federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 9)  # DN01: 90 %, 9 initiatives
    await add_initiatives(app, federation, "0900000006", 5)  # DN02: 100 %, 5 initiatives
    rules = AwardRules(collectives=1, individuals=1, collective_order=("count",),
                       statuses=COUNTING)
    result = await shortlist(app, clock, rules)
    assert [(p.code, p.decided_by) for p in result.collectives] == [("DN01", "count")]
    assert [p.name for p in result.individuals] == ["Nguyễn Thị Lan"]


async def test_award_statuses_are_configurable_and_default_to_the_counting_ones(
        app: App, clock: ManualClock, federation: Federation) -> None:
    await add_initiatives(app, federation, "0900000003", 2)
    await add_initiatives(app, federation, "0900000006", 1, status="approved")
    reviews_exist = awards.APPROVED in {s.value for s in InitiativeStatus}
    assert awards.award_statuses(AwardRules(), COUNTING) == (
        ("approved",) if reviews_exist else COUNTING)
    only_approved = await shortlist(app, clock, AwardRules(statuses=("approved",)))
    assert [p.code for p in only_approved.collectives] == ["DN02"]
    assert only_approved.statuses == ("approved",)
