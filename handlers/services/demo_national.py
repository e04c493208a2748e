"""The national demo data set (`sangkien demo load --scale national`): the benchmark's data.

About 126,000 grassroots unions under 63 provinces and ~700 districts, ~10.5 million members as
declared sizes plus a sample of member rows, 2.4 million initiatives over two phases. Written with
COPY on PostgreSQL (minutes); SQLite takes the same path through executemany and is much slower.
`fraction` shrinks every count, for tests and quick tries.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from handlers.services.demo import DemoSummary, district_data
from handlers.textnorm import fold
from storage import bulk
from storage.models import Initiative, Member, Phase, PhaseStatus, Role, Sprint, Target, Unit
from storage.models import UnitLevel as L

log = logging.getLogger(__name__)

Progress = Callable[[str, int], None]
"""Told (stage, rows just written) as the load goes."""

CHUNK = 100_000
UNIT_COLS = ("id", "code", "name", "name_folded", "level", "parent_id", "path", "member_count",
             "created_at")
MEMBER_COLS = ("id", "unit_id", "name", "phone", "role", "reminders_enabled", "created_at")
TARGET_COLS = ("id", "unit_id", "phase_id", "target")
INITIATIVE_COLS = ("id", "number", "title", "title_folded", "field", "content", "effect",
                   "benefit_vnd", "status", "member_id", "unit_id", "phase_id", "created_at",
                   "updated_at")
FIXED = (("0900000001", Role.STAFF, 0), ("0900000002", Role.OFFICER, 1),
         ("0900000003", Role.MEMBER, 1), ("0900000004", Role.MEMBER, 2))
"""Demo identities: staff at the country's root, the others in the first two unions."""


def national_data() -> dict[str, Any]:
    """Read the national shape from its YAML file."""
    text = resources.files("handlers.services").joinpath("demo_national.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def planned_rows(fraction: float = 1.0) -> int:
    """Return roughly how many rows a load writes (for a progress bar's total)."""
    data = national_data()
    low, high = data["sample_members"]
    unions = data["unions"] * (1 + len(data["phases"]) + (low + high) / 2)  # unit, targets, members
    districts = data["districts"] * min(1.0, fraction ** 0.5) + len(data["provinces"]) + 1
    return int(fraction * (unions + data["initiatives"]) + districts)


@dataclass
class Plan:
    """What is being written, kept between stages."""

    rng: random.Random
    now: datetime
    fraction: float
    unions: list[tuple[int, int]] = field(default_factory=list)
    """(unit id, declared members) of every grassroots union."""
    authors: dict[int, list[int]] = field(default_factory=dict)
    targets: dict[tuple[int, int], int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"units": 0, "members": 0,
                                                            "initiatives": 0})


async def load_national(session: AsyncSession, *, today: date, tz: ZoneInfo,
                        fields: tuple[str, ...], seed: int = 1, prefix: str = "SK-",
                        fraction: float = 1.0, progress: Progress | None = None) -> DemoSummary:
    """Generate the national data set into an empty database, in the caller's transaction."""
    data, tell = national_data(), progress or (lambda _stage, _n: None)
    now = datetime.combine(today, time(9), tz).astimezone(UTC)
    plan = Plan(random.Random(seed), now, fraction)
    phases = await _phases(session, data, today)
    await _write(session, Unit, UNIT_COLS, _units(plan, data), tell, "units", plan)
    await _write(session, Target, TARGET_COLS, _targets(plan, data, phases), tell, "targets", plan)
    await _write(session, Member, MEMBER_COLS, _members(plan, data), tell, "members", plan)
    for phase, spec in zip(phases, data["phases"], strict=True):
        rows = _initiatives(plan, data, phase, spec, fields=fields, tz=tz, prefix=prefix)
        await _write(session, Initiative, INITIATIVE_COLS, rows, tell, "initiatives", plan)
    await bulk.reset_sequences(session, ["units", "members", "targets", "initiatives"])
    await bulk.analyze(session)
    log.info("national demo loaded: %s", plan.counts)
    return DemoSummary(plan.counts["units"], plan.counts["members"], plan.counts["initiatives"])


async def _write(session: AsyncSession, model: Any, columns: tuple[str, ...],
                 rows: Iterator[tuple[Any, ...]], tell: Progress, stage: str, plan: Plan) -> None:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            await bulk.copy_rows(session, model.__table__, columns, chunk)
            tell(stage, len(chunk))
            plan.counts[stage] = plan.counts.get(stage, 0) + len(chunk)
            chunk = []
    await bulk.copy_rows(session, model.__table__, columns, chunk)
    tell(stage, len(chunk))
    plan.counts[stage] = plan.counts.get(stage, 0) + len(chunk)


async def _phases(session: AsyncSession, data: dict[str, Any], today: date) -> list[Phase]:
    phases = []
    for number, spec in enumerate(data["phases"], 1):
        start = today - timedelta(days=spec["started_days_ago"])
        end = start + timedelta(days=spec["days"] - 1)
        phases.append(Phase(number=number, name=spec["name"], starts_on=start, ends_on=end,
                            status=PhaseStatus.OPEN if end >= today else PhaseStatus.CLOSED))
    session.add_all(phases)
    await session.flush()
    sprint = data["sprint"]
    start = today - timedelta(days=sprint["started_days_ago"])
    session.add(Sprint(phase_id=phases[-1].id, name=sprint["name"], starts_on=start,
                       ends_on=start + timedelta(days=sprint["days"] - 1)))
    return phases


def _split(total: int, weights: list[float], rng: random.Random, minimum: int = 1) -> list[int]:
    """Split `total` over `weights` (randomised rounding), each part at least `minimum`."""
    scale = total / sum(weights)
    parts = []
    for w in weights:
        exact = w * scale
        parts.append(max(minimum, int(exact) + (rng.random() < exact - int(exact))))
    return parts


def _units(plan: Plan, data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    rng, now, f = plan.rng, plan.now, plan.fraction
    country = data["country"]
    yield (1, country["code"], country["name"], fold(country["name"]), L.COUNTRY, None, "/1/", 0, now)
    weights = [float(w) for _, w in data["provinces"]]
    districts = _split(max(len(weights), round(data["districts"] * min(1.0, f ** 0.5))),
                       weights, rng)
    district_weights = [w / n * rng.uniform(0.5, 1.5) for w, n in zip(weights, districts, strict=True)
                        for _ in range(n)]
    unions = iter(_split(round(data["unions"] * f), district_weights, rng))
    sizes = _sizes(plan, data)
    next_id, d_index = 2, 0
    for p_index, (province, _) in enumerate(data["provinces"], 1):
        p_id, p_code = next_id, f"T{p_index:02d}"
        next_id += 1
        name = f"LĐLĐ {province}"
        yield (p_id, p_code, name, fold(name), L.PROVINCE, 1, f"/1/{p_id}/", 0, now)
        for d in range(1, districts[p_index - 1] + 1):
            d_id, d_code, d_index = next_id, f"{p_code}-H{d:02d}", d_index + 1
            next_id += 1
            d_name = f"LĐLĐ {rng.choice(data['district_kinds'])} {_place(rng, data)} ({province})"
            yield (d_id, d_code, d_name, fold(d_name), L.DISTRICT, p_id, f"/1/{p_id}/{d_id}/", 0, now)
            for u in range(1, next(unions) + 1):
                size = next(sizes)
                u_name = f"{rng.choice(data['union_kinds'])} {_place(rng, data)}"
                yield (next_id, f"{d_code}-{u:04d}", u_name, fold(u_name), L.GRASSROOTS, d_id,
                       f"/1/{p_id}/{d_id}/{next_id}/", size, now)
                plan.unions.append((next_id, size))
                next_id += 1


def _place(rng: random.Random, data: dict[str, Any]) -> str:
    return " ".join(rng.sample(data["place_words"], 2))


def _sizes(plan: Plan, data: dict[str, Any]) -> Iterator[int]:
    """Declared union sizes: log-normal around the national mean, at least 5 members."""
    mean = data["members"] / data["unions"]
    mu = math.log(mean) - 0.405  # sigma 0.9: exp(mu + 0.9²/2) is the mean
    while True:
        yield max(5, round(plan.rng.lognormvariate(mu, 0.9)))


def _targets(plan: Plan, data: dict[str, Any], phases: list[Phase]) -> Iterator[tuple[Any, ...]]:
    next_id = 1
    for phase in phases:
        for unit_id, size in plan.unions:
            target = max(1, round(size * data["target_per_member"]))
            plan.targets[(unit_id, phase.id)] = target
            yield (next_id, unit_id, phase.id, target)
            next_id += 1


def _members(plan: Plan, data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    rng, now = plan.rng, plan.now
    names = district_data()
    fixed = names["fixed"]
    low, high = data["sample_members"]
    next_id = 1
    for (phone, role, where), spec in zip(FIXED, fixed, strict=True):
        unit_id = 1 if where == 0 else plan.unions[min(where, len(plan.unions)) - 1][0]
        yield (next_id, unit_id, spec["name"], phone, role, True, now)
        next_id += 1
    for unit_id, size in plan.unions:
        ids = []
        for index in range(min(size, rng.randint(low, high))):
            name = " ".join(rng.choice(names[k]) for k in ("surnames", "middle_names", "given_names"))
            yield (next_id, unit_id, name, None, Role.OFFICER if index == 0 else Role.MEMBER, True, now)
            ids.append(next_id)
            next_id += 1
        plan.authors[unit_id] = ids


def _initiatives(plan: Plan, data: dict[str, Any], phase: Phase, spec: dict[str, Any], *,
                 fields: tuple[str, ...], tz: ZoneInfo, prefix: str) -> Iterator[tuple[Any, ...]]:
    """A phase's initiatives: each union's count follows its target times a random progress."""
    rng, words = plan.rng, district_data()
    titles = [(t, fold(t)) for t in (" ".join((a, o, m)) for a in words["title_actions"]
                                     for o in words["title_objects"] for m in words["title_means"])]
    low, high = data["progress_range"]
    wanted = [plan.targets[(u, phase.id)] * rng.uniform(low, high) for u, _ in plan.unions]
    counts = _split(round(data["initiatives"] * spec["share"] * plan.fraction), wanted, rng, 0)
    start = datetime.combine(phase.starts_on, time(7), tz).timestamp()
    end = min(datetime.combine(phase.ends_on, time(20), tz), plan.now).timestamp()
    next_id = plan.counts["initiatives"] + 1
    picks = (fields[:-1] or fields, words["contents"], words["effects"], words["benefits"])
    for (unit_id, _), count in zip(plan.unions, counts, strict=True):
        authors = plan.authors[unit_id]
        for _ in range(count if authors else 0):
            title, folded = rng.choice(titles)
            at = datetime.fromtimestamp(rng.uniform(start, end), UTC)
            yield (next_id, f"{prefix}{next_id:06d}", title, folded, rng.choice(picks[0]),
                   rng.choice(picks[1]), rng.choice(picks[2]), rng.choice(picks[3]), "submitted",
                   rng.choice(authors), unit_id, phase.id, at, at)
            next_id += 1


async def vacuum(engine: AsyncEngine) -> None:
    """VACUUM ANALYZE on PostgreSQL, so report scans can read the covering indexes alone."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql("VACUUM ANALYZE")
