"""Near-identical initiatives: the hint after step 1, and the staff report of copies across units.

Texts are compared folded (no diacritics, lower case, single spaces) with rapidfuzz.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.textnorm import fold
from storage.models import Initiative, Member, Unit, UnitLevel
from storage.repositories import initiatives, units
from storage.work import Work

HINT_SCORE = 85.0
REPORT_SCORE = 90.0


@dataclass(frozen=True)
class Similar:
    """An initiative that looks like the one being typed."""

    number: str
    title: str
    unit_code: str
    score: float


async def similar_titles(work: Work, *, unit_id: int, phase_id: int, title: str,
                         limit: int = 3) -> list[Similar]:
    """Find initiatives of this phase in the unit's block whose titles look like `title`."""
    rows = await initiatives.titles_in_block(work, unit_id=unit_id, phase_id=phase_id)
    found = process.extract(fold(title), [folded for _, _, folded, _ in rows],
                            scorer=fuzz.token_sort_ratio, processor=None, limit=limit,
                            score_cutoff=HINT_SCORE)
    return [Similar(rows[i][0] or "", rows[i][1], rows[i][3], score) for _, score, i in found]


@dataclass(frozen=True)
class DuplicatePair:
    """Two initiatives whose title and content are nearly the same."""

    score: float
    first: str
    first_unit: str
    first_author: str
    second: str
    second_unit: str
    second_author: str
    title: str


async def duplicate_pairs(session: AsyncSession, *, phase_id: int, block_code: str | None = None,
                          min_score: float = REPORT_SCORE) -> list[DuplicatePair]:
    """List pairs of near-identical initiatives (same text registered several times), per block."""
    blocks = await _blocks(session, block_code)
    pairs: list[DuplicatePair] = []
    for block in blocks:
        pairs += await _pairs_in(session, block, phase_id, min_score)
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))


async def _blocks(session: AsyncSession, block_code: str | None) -> Sequence[Unit]:
    if block_code:
        block = await units.get_by_code(session, block_code)
        return [block] if block else []
    blocks = await units.list_by_level(session, UnitLevel.BLOCK)
    return blocks or await units.list_by_level(session, UnitLevel.DISTRICT)


async def _pairs_in(session: AsyncSession, block: Unit, phase_id: int,
                    min_score: float) -> list[DuplicatePair]:
    stmt = (select(Initiative, Unit.code, Member.name)
            .join(Unit, Unit.id == Initiative.unit_id).join(Member, Member.id == Initiative.member_id)
            .where(Unit.path.startswith(block.path), Initiative.phase_id == phase_id,
                   Initiative.status.not_in(initiatives.NOT_COMPARED))
            .order_by(Initiative.id))
    rows = (await session.execute(stmt)).all()
    texts = [fold(f"{r[0].title} {r[0].content}") for r in rows]
    matrix = process.cdist(texts, texts, scorer=fuzz.token_sort_ratio, processor=default_process,
                           score_cutoff=min_score, workers=1)
    pairs = []
    for i, j in zip(*matrix.nonzero(), strict=True):
        if i < j:
            a, b = rows[i], rows[j]
            pairs.append(DuplicatePair(float(matrix[i, j]), a[0].number, a[1], a[2], b[0].number,
                                       b[1], b[2], a[0].title))
    return pairs
