"""The demo federation (INTERFACE §6): a district, two blocks, ~30 unions, members and progress."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.textnorm import fold
from storage.models import (
    Chat,
    Initiative,
    InitiativeStatus,
    Member,
    Phase,
    PhaseStatus,
    Role,
    Sprint,
    Target,
    Unit,
    UnitLevel,
)
from storage.repositories import units

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo load created."""

    units: int
    members: int
    initiatives: int


def district_data() -> dict[str, Any]:
    """Read the demo federation's shape from its YAML file."""
    text = resources.files("handlers.services").joinpath("demo_district.yaml").read_text("utf-8")
    return yaml.safe_load(text)


async def has_data(session: AsyncSession) -> bool:
    """Tell whether the database already holds units."""
    return await units.count_all(session) > 0


async def load_district(session: AsyncSession, *, today: date, tz: ZoneInfo, fields: tuple[str, ...],
                        seed: int = 1, prefix: str = "SK-") -> DemoSummary:
    """Create the demo district with phase 1 open and its 35-day sprint running."""
    data, rng = district_data(), random.Random(seed)
    district = await units.add(session, _unit(data["district"], UnitLevel.DISTRICT, 0))
    phase = await _phases(session, data, today)
    grassroots: dict[str, Unit] = {district.code: district}
    targets: dict[int, int] = {}
    for block_data in data["blocks"]:
        block = await units.add(session, _unit(block_data, UnitLevel.BLOCK, 0), district)
        block_units = [await units.add(session, _unit({"code": c, "name": n}, UnitLevel.GRASSROOTS,
                                                      size), block)
                       for c, n, size in block_data["units"]]
        targets |= _targets(session, block_units, block_data["target"], phase)
        grassroots |= {u.code: u for u in block_units}
    roster = await _members(session, data, grassroots, rng)
    _console_groups(session, grassroots)
    pick = _Picker(data, rng, fields, tz)
    count = await _initiatives(session, pick, roster, targets, phase, today, prefix)
    members = sum(len(m) for m in roster.values())
    log.info("demo district loaded: %d units, %d members, %d initiatives",
             len(grassroots) + 2, members, count)
    return DemoSummary(len(grassroots) + len(data["blocks"]), members, count)


def _unit(data: dict[str, Any], level: UnitLevel, size: int) -> Unit:
    return Unit(code=data["code"], name=data["name"], name_folded=fold(data["name"]),
                level=level, member_count=size)


async def _phases(session: AsyncSession, data: dict[str, Any], today: date) -> Phase:
    spec, nxt, sprint = data["phase"], data["next_phase"], data["sprint"]
    start = today - timedelta(days=spec["started_days_ago"])
    phase = Phase(number=1, name=spec["name"], starts_on=start,
                  ends_on=start + timedelta(days=spec["days"] - 1), status=PhaseStatus.OPEN)
    later = Phase(number=2, name=nxt["name"], starts_on=phase.ends_on + timedelta(days=1),
                  ends_on=phase.ends_on + timedelta(days=nxt["days"]), status=PhaseStatus.PLANNED)
    session.add_all([phase, later])
    await session.flush()
    sprint_start = today - timedelta(days=sprint["started_days_ago"])
    session.add(Sprint(phase_id=phase.id, name=sprint["name"], starts_on=sprint_start,
                       ends_on=sprint_start + timedelta(days=sprint["days"] - 1)))
    return phase


def _targets(session: AsyncSession, block_units: list[Unit], total: int,
             phase: Phase) -> dict[int, int]:
    """Split a block's target over its units by size (largest remainder), so they add up."""
    size = sum(u.member_count for u in block_units) or 1
    shares = [total * u.member_count / size for u in block_units]
    floors = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - floors[i], reverse=True)
    for i in order[: total - sum(floors)]:
        floors[i] += 1
    session.add_all(Target(unit_id=u.id, phase_id=phase.id, target=t)
                    for u, t in zip(block_units, floors, strict=True))
    return {u.id: t for u, t in zip(block_units, floors, strict=True)}


async def _members(session: AsyncSession, data: dict[str, Any], by_code: dict[str, Unit],
                   rng: random.Random) -> dict[int, list[Member]]:
    fixed = {f["phone"] for f in data["fixed"]}
    roster: dict[int, list[Member]] = {u.id: [] for u in by_code.values()}
    for spec in data["fixed"]:
        member = Member(unit_id=by_code[spec["unit"]].id, name=spec["name"], phone=spec["phone"],
                        role=spec["role"])
        roster[member.unit_id].append(member)
    used = set(fixed)
    low, high = data["sample_members"]
    for unit in by_code.values():
        if unit.level != UnitLevel.GRASSROOTS:
            continue
        wanted = min(unit.member_count, rng.randint(low, high))
        has_officer = any(m.role == Role.OFFICER for m in roster[unit.id])
        for index in range(wanted - len(roster[unit.id])):
            role = Role.OFFICER if index == 0 and not has_officer else Role.MEMBER
            roster[unit.id].append(Member(unit_id=unit.id, name=_name(data, rng),
                                          phone=_phone(rng, used), role=role))
    session.add_all(m for members in roster.values() for m in members)
    await session.flush()
    return roster


def _name(data: dict[str, Any], rng: random.Random) -> str:
    return " ".join(rng.choice(data[k]) for k in ("surnames", "middle_names", "given_names"))


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = f"09{rng.randint(1, 8)}{rng.randint(0, 9_999_999):07d}"
        if phone not in used:
            used.add(phone)
            return phone


def _console_groups(session: AsyncSession, by_code: dict[str, Unit]) -> None:
    session.add_all(Chat(channel="console", chat_id=f"group:{u.code}", is_group=True, unit_id=u.id,
                         title=u.name) for u in by_code.values() if u.level == UnitLevel.GRASSROOTS)


@dataclass(frozen=True)
class _Picker:
    data: dict[str, Any]
    rng: random.Random
    fields: tuple[str, ...]
    tz: ZoneInfo


async def _initiatives(session: AsyncSession, pick: _Picker, roster: dict[int, list[Member]],
                       targets: dict[int, int], phase: Phase, today: date, prefix: str) -> int:
    fixed = {f["phone"] for f in pick.data["fixed"]}
    low, high = pick.data["progress_range"]
    rows: list[Initiative] = []
    for unit_id, members in roster.items():
        authors = [m for m in members if m.phone not in fixed]
        if not authors or unit_id not in targets:
            continue
        for _ in range(round(targets[unit_id] * pick.rng.uniform(low, high))):
            rows.append(_initiative(pick, pick.rng.choice(authors), phase, today))
    _reviewed(pick, rows, roster, today)
    session.add_all(rows)
    await session.flush()
    for row in rows:
        row.number = f"{prefix}{row.id:06d}"
    await session.flush()
    return len(rows)


def _reviewed(pick: _Picker, rows: list[Initiative], roster: dict[int, list[Member]],
              today: date) -> None:
    """Most initiatives older than three days were approved by their unit's officer."""
    officers = {unit_id: next((m for m in members if m.role == Role.OFFICER), None)
                for unit_id, members in roster.items()}
    for row in rows:
        officer = officers.get(row.unit_id)
        old = row.created_at.astimezone(pick.tz).date() < today - timedelta(days=3)
        if officer is not None and old and pick.rng.random() < pick.data["approved_share"]:
            row.status = InitiativeStatus.APPROVED
            row.reviewed_by_id = officer.id
            row.reviewed_at = row.created_at + timedelta(days=1)


def _initiative(pick: _Picker, author: Member, phase: Phase, today: date) -> Initiative:
    data, rng = pick.data, pick.rng
    title = " ".join(rng.choice(data[k]) for k in ("title_actions", "title_objects", "title_means"))
    span = max((today - phase.starts_on).days, 1)
    day = today - timedelta(days=min(int(rng.triangular(0, span, 0)), span))
    local = datetime.combine(day, time(rng.randint(7, 20), rng.randint(0, 59)), pick.tz)
    created = local.astimezone(UTC)
    return Initiative(
        title=title, title_folded=fold(title), field=rng.choice(pick.fields[:-1]),
        content=rng.choice(data["contents"]), effect=rng.choice(data["effects"]),
        benefit_vnd=rng.choice(data["benefits"]), status=InitiativeStatus.SUBMITTED,
        member_id=author.id, unit_id=author.unit_id, phase_id=phase.id,
        created_at=created, updated_at=created)
