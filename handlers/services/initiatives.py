"""Registering initiatives and reading them back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from handlers.services import audit, scope
from handlers.textnorm import fold
from storage.models import EDITABLE_STATUSES, Initiative, InitiativeStatus, Member, Phase
from storage.repositories import initiatives, phases
from storage.work import Work

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InitiativeText:
    """What a member typed for an initiative."""

    title: str
    field: str
    content: str
    effect: str
    benefit_vnd: int | None


async def open_phase(session: AsyncSession) -> Phase:
    """Return the open phase, or refuse with the next phase's name and date."""
    phase = await phases.get_open(session)
    if phase is not None:
        return phase
    upcoming = await phases.get_next_planned(session)
    if upcoming is None:
        raise UserError("register/no_open_phase")
    raise UserError("register/no_open_phase", next_name=upcoming.name,
                    next_starts_on=upcoming.starts_on)


async def open_phase_id(work: Work) -> int:
    """Return the open phase's id (one prepared statement), or refuse as `open_phase` does."""
    found = await phases.open_id(work)
    return found if found is not None else (await open_phase(work.session)).id


@dataclass(frozen=True)
class Eligibility:
    """The optional programme rules: when it was first applied, and the technology-secret flag."""

    applied_since: date | None = None
    tech_secret: bool = False


async def register_initiative(
    work: Work, *, author: Member, text: InitiativeText, now: datetime, prefix: str,
    entered_by: Member | None = None, status: str = InitiativeStatus.SUBMITTED,
    rules: Eligibility = Eligibility(),
) -> Initiative:
    """Record an initiative in the open phase and return it with its number.

    Prepared statements (the last step of every registration): the row, its number and its
    audit entry. The returned object is not in the ORM session.
    """
    phase_id = await open_phase_id(work)
    if rules.applied_since is not None:
        check_applied_since(rules.applied_since, await open_phase(work.session))
    values = {
        "title": text.title, "title_folded": fold(text.title)[:200], "field": text.field,
        "content": "" if rules.tech_secret else text.content, "effect": text.effect,
        "benefit_vnd": text.benefit_vnd, "status": status, "member_id": author.id,
        "unit_id": author.unit_id, "phase_id": phase_id,
        "entered_by_id": entered_by.id if entered_by else None,
        "applied_since": rules.applied_since, "tech_secret": rules.tech_secret,
        "created_at": now, "updated_at": now,
    }
    initiative_id, number = await initiatives.add_numbered(work, values, prefix=prefix)
    await audit.write(work, at=now, actor=entered_by or author, action="initiative.register",
                      subject=f"initiative:{initiative_id}", after={"status": status})
    log.info("initiative %s registered (%s) for member %s in unit %s", number, status,
             author.id, author.unit_id)
    return Initiative(id=initiative_id, number=number, **values)


def check_applied_since(day: date | None, phase: Phase) -> None:
    """Refuse a first-application date outside the phase window (the programme's rule)."""
    if day is not None and not phase.starts_on <= day <= phase.ends_on:
        raise UserError("register/applied_outside_phase", starts_on=phase.starts_on,
                        ends_on=phase.ends_on)


async def get_own(session: AsyncSession, *, member: Member, number: str) -> Initiative:
    """Return the member's initiative with this number, or refuse."""
    row = (await session.execute(select(Initiative).where(
        Initiative.number == number.strip().upper()))).scalar_one_or_none()
    if row is None or row.member_id != member.id:
        raise UserError("initiatives/not_yours", number=number.strip().upper())
    return row


async def update_initiative(session: AsyncSession, *, initiative_id: int, author: Member,
                            text: InitiativeText, rules: Eligibility, status: str,
                            now: datetime) -> Initiative:
    """Save an author's edit of a submitted or returned initiative; it goes back to the queue."""
    row = await session.get(Initiative, initiative_id, with_for_update=True)
    if row is None or row.member_id != author.id or row.status not in EDITABLE_STATUSES:
        raise UserError("initiatives/not_editable")
    phase = await session.get(Phase, row.phase_id)
    assert phase is not None
    check_applied_since(rules.applied_since, phase)
    before = {"status": row.status, "title": row.title}
    row.title, row.title_folded, row.field = text.title, fold(text.title)[:200], text.field
    row.content = "" if rules.tech_secret else text.content
    row.effect, row.benefit_vnd = text.effect, text.benefit_vnd
    row.applied_since, row.tech_secret = rules.applied_since, rules.tech_secret
    row.status, row.review_note, row.updated_at = status, None, now
    await audit.record(session, at=now, actor=author, action="initiative.edit",
                       subject=f"initiative:{row.id}", before=before,
                       after={"status": status, "title": row.title})
    return row


async def withdraw(session: AsyncSession, *, initiative_id: int, author: Member,
                   now: datetime) -> Initiative:
    """Withdraw an author's submitted or returned initiative."""
    row = await session.get(Initiative, initiative_id, with_for_update=True)
    if row is None or row.member_id != author.id or row.status not in EDITABLE_STATUSES:
        raise UserError("initiatives/not_editable")
    before = {"status": row.status}
    row.status, row.updated_at = InitiativeStatus.WITHDRAWN, now
    await audit.record(session, at=now, actor=author, action="initiative.withdraw",
                       subject=f"initiative:{row.id}", before=before,
                       after={"status": row.status})
    return row


async def count_for_unit(work: Work, *, unit_id: int, phase_id: int,
                         statuses: Sequence[str]) -> int:
    """Count a unit's initiatives that count toward its target in a phase."""
    return await initiatives.count_in_unit(work, unit_id=unit_id, phase_id=phase_id,
                                           statuses=statuses)


async def list_mine(session: AsyncSession, member: Member) -> tuple[Sequence[Initiative], int]:
    """Return a member's latest initiatives and how many they have in all."""
    rows = await initiatives.list_by_member(session, member.id)
    return rows, await initiatives.count_by_member(session, member.id)


async def get_by_number(session: AsyncSession, number: str) -> Initiative:
    """Return the initiative with this public number, or refuse."""
    row = (await session.execute(select(Initiative).where(
        Initiative.number == number.strip().upper()))).scalar_one_or_none()
    if row is None:
        raise UserError("initiatives/unknown_number", number=number.strip().upper())
    return row


async def confirm_on_paper(session: AsyncSession, *, officer: Member, number: str, note: str,
                           now: datetime, wait_days: int) -> Initiative:
    """Count an initiative entered for a member who confirmed on paper (after `wait_days`)."""
    row = await get_by_number(session, number)
    await scope.require_unit(session, officer, row.unit_id)
    if row.status != InitiativeStatus.PENDING_CONFIRMATION:
        raise UserError("entry/not_waiting", number=row.number)
    allowed_from = row.created_at + timedelta(days=wait_days)
    if now < allowed_from:
        raise UserError("entry/too_early", number=row.number, allowed_from=allowed_from)
    row.status, row.updated_at = InitiativeStatus.SUBMITTED, now
    await audit.record(session, at=now, actor=officer, action="entry.confirm_on_paper",
                       subject=f"initiative:{row.id}",
                       before={"status": InitiativeStatus.PENDING_CONFIRMATION},
                       after={"status": row.status}, note=note or None)
    return row


async def mark_on_portal(session: AsyncSession, *, by: Member | None, numbers: list[str],
                         now: datetime) -> list[Initiative]:
    """Record that initiatives were typed into the national portal (the official record)."""
    rows = [await get_by_number(session, number) for number in numbers]
    for row in rows:
        if by is not None:
            await scope.require_unit(session, by, row.unit_id)
        if row.portal_entered_at is None:
            row.portal_entered_at = now
            await audit.record(session, at=now, actor=by, action="initiative.on_portal",
                               subject=f"initiative:{row.id}")
    return rows


async def list_editable(session: AsyncSession, member: Member) -> Sequence[Initiative]:
    """List a member's initiatives that may still be changed or withdrawn, oldest first."""
    stmt = (select(Initiative).where(Initiative.member_id == member.id,
                                     Initiative.status.in_(EDITABLE_STATUSES))
            .order_by(Initiative.id))
    return (await session.execute(stmt)).scalars().all()


async def get(session: AsyncSession, initiative_id: int) -> Initiative | None:
    """Return one initiative by its id."""
    return await session.get(Initiative, initiative_id)


async def oldest_waiting(session: AsyncSession, member: Member) -> Initiative | None:
    """Return the oldest initiative an officer entered for `member` that waits for their answer."""
    stmt = (select(Initiative).where(Initiative.member_id == member.id,
                                     Initiative.status == InitiativeStatus.PENDING_CONFIRMATION)
            .order_by(Initiative.id).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def answer_entry(session: AsyncSession, initiative: Initiative, *, author: Member,
                       right: bool, verified: bool, now: datetime) -> None:
    """Record the author's answer on an entry made for them: it counts, or it is withdrawn.

    An answer from an account not verified yet leaves it `unverified` (it counts once verified).
    """
    initiative.status = (InitiativeStatus.WITHDRAWN if not right else
                         InitiativeStatus.SUBMITTED if verified else InitiativeStatus.UNVERIFIED)
    initiative.updated_at = now
    await audit.record(session, at=now, actor=author,
                       action="entry.confirm" if right else "entry.refuse",
                       subject=f"initiative:{initiative.id}",
                       before={"status": InitiativeStatus.PENDING_CONFIRMATION},
                       after={"status": initiative.status})
