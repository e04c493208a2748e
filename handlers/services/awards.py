"""The award shortlist: top collectives and top individuals of a phase, each with its reason.

Rules (configurable in `reports.awards`, written out in docs/reports.md): collectives by % of
target, then initiatives per 100 declared members, then count; individuals by counted
initiatives, then declared benefit. Remaining ties go to whoever reached the numbers first (the
earlier last counted initiative), then to the unit code or member id, so every place is decided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services.league import share
from handlers.services.report_scope import Scope
from handlers.settings import AwardRules
from storage.models import InitiativeStatus
from storage.repositories import standings
from storage.repositories.standings import AuthorTally, UnitTally

APPROVED = "approved"


def award_statuses(rules: AwardRules, counting: Sequence[str]) -> tuple[str, ...]:
    """Return the statuses that count for awards.

    The configured set wins; otherwise `approved` once the review workflow defines it, and until
    then the statuses that count toward targets.
    """
    if rules.statuses:
        return tuple(rules.statuses)
    if APPROVED in {s.value for s in InitiativeStatus}:
        return (APPROVED,)
    return tuple(counting)


@dataclass(frozen=True)
class Place:
    """One place on a shortlist: who, their numbers, and what put them above the next one."""

    place: int
    code: str
    name: str
    unit_name: str
    count: int
    target: int
    member_count: int
    authors: int
    benefit_vnd: int
    last_at: datetime | None
    decided_by: str | None
    """The first rule that separates this place from the next: a key, `earlier` or `code`."""
    next_name: str | None

    @property
    def ratio(self) -> float | None:
        """Return the share of the target reached."""
        return share(self.count, self.target)

    @property
    def per_100(self) -> float | None:
        """Return initiatives per 100 declared members."""
        value = share(self.count, self.member_count)
        return None if value is None else value * 100

    @property
    def submitted_share(self) -> float | None:
        """Return the share of declared members who submitted."""
        return share(self.authors, self.member_count)


@dataclass(frozen=True)
class Shortlist:
    """The award shortlist of a phase under a scope's root."""

    scope: Scope
    rules: AwardRules
    statuses: tuple[str, ...]
    collectives: list[Place]
    individuals: list[Place]


COLLECTIVE_VALUES: dict[str, Callable[[UnitTally], float]] = {
    "percent_of_target": lambda t: t.count / t.target if t.target > 0 else -1.0,
    "per_100_members": lambda t: t.count * 100.0 / t.member_count if t.member_count > 0 else -1.0,
    "count": lambda t: float(t.count),
    "share_submitted": lambda t: t.authors / t.member_count if t.member_count > 0 else -1.0,
    "benefit": lambda t: float(t.benefit_vnd),
}
INDIVIDUAL_VALUES: dict[str, Callable[[AuthorTally], float]] = {
    "initiatives": lambda a: float(a.count),
    "benefit": lambda a: float(a.benefit_vnd),
}


def decided_by(upper: Any, lower: Any | None, order: Sequence[str],
               values: dict[str, Callable[[Any], float]]) -> str | None:
    """Name the first rule on which `upper` beats `lower`: a key, then `earlier`, then `code`."""
    if lower is None:
        return None
    for key in order:
        if values[key](upper) != values[key](lower):
            return key
    if upper.last_at != lower.last_at:
        return "earlier"
    return "code"


async def shortlist(session: AsyncSession, scope: Scope, *, rules: AwardRules,
                    counting: Sequence[str]) -> Shortlist:
    """Rank the collectives and individuals of the scope's phase (one query each)."""
    statuses = award_statuses(rules, counting)
    units = await standings.list_top_units(
        session, phase_id=scope.phase.id, statuses=statuses, cut=scope.cut, path=scope.path,
        order=rules.collective_order, limit=rules.collectives + 1)
    people = await standings.list_authors(
        session, phase_id=scope.phase.id, statuses=statuses, path=scope.path,
        order=rules.individual_order, limit=rules.individuals + 1)
    return Shortlist(scope=scope, rules=rules, statuses=statuses,
                     collectives=_collectives(units, rules), individuals=_individuals(people, rules))


def _collectives(rows: list[UnitTally], rules: AwardRules) -> list[Place]:
    places = []
    for index, row in enumerate(rows[: rules.collectives]):
        below = rows[index + 1] if index + 1 < len(rows) else None
        places.append(Place(
            index + 1, row.code, row.name, row.name, row.count, row.target, row.member_count,
            row.authors, row.benefit_vnd, row.last_at,
            decided_by(row, below, rules.collective_order, COLLECTIVE_VALUES),
            below.name if below else None))
    return places


def _individuals(rows: list[AuthorTally], rules: AwardRules) -> list[Place]:
    places = []
    for index, row in enumerate(rows[: rules.individuals]):
        below = rows[index + 1] if index + 1 < len(rows) else None
        reason = decided_by(row, below, rules.individual_order, INDIVIDUAL_VALUES)
        places.append(Place(
            index + 1, row.unit_code, row.name, row.unit_name, row.count, 0, 0, 1,
            row.benefit_vnd, row.last_at, "member_id" if reason == "code" else reason,
            below.name if below else None))
    return places
