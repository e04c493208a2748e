"""Units of the union tree."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Unit, UnitLevel


async def get(session: AsyncSession, unit_id: int) -> Unit | None:
    """Return a unit by id."""
    return await session.get(Unit, unit_id)


async def get_by_code(session: AsyncSession, code: str) -> Unit | None:
    """Return a unit by its code, ignoring case."""
    stmt = select(Unit).where(func.upper(Unit.code) == code.strip().upper())
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(session: AsyncSession, unit: Unit, parent: Unit | None = None) -> Unit:
    """Add a unit under `parent`, filling in its materialised path."""
    unit.parent_id = parent.id if parent else None
    session.add(unit)
    await session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    await session.flush()
    return unit


async def list_by_level(session: AsyncSession, level: str) -> Sequence[Unit]:
    """List the units of one level, by code."""
    stmt = select(Unit).where(Unit.level == level).order_by(Unit.code)
    return (await session.execute(stmt)).scalars().all()


async def list_grassroots_names(session: AsyncSession) -> Sequence[tuple[int, str, str, str]]:
    """List (id, code, name, folded name) of every grassroots union, for fuzzy matching."""
    stmt = (select(Unit.id, Unit.code, Unit.name, Unit.name_folded)
            .where(Unit.level == UnitLevel.GRASSROOTS).order_by(Unit.code))
    return [tuple(row) for row in (await session.execute(stmt)).all()]  # type: ignore[misc]


async def list_children(session: AsyncSession, parent_id: int) -> Sequence[Unit]:
    """List the direct children of a unit, by code."""
    stmt = select(Unit).where(Unit.parent_id == parent_id).order_by(Unit.code)
    return (await session.execute(stmt)).scalars().all()


async def list_ancestors(session: AsyncSession, unit: Unit) -> Sequence[Unit]:
    """List the ancestors of a unit from the root down, read off its path."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part][:-1]
    if not ids:
        return []
    rows = (await session.execute(select(Unit).where(Unit.id.in_(ids)))).scalars().all()
    return sorted(rows, key=lambda u: ids.index(u.id))


async def block_of(session: AsyncSession, unit: Unit) -> Unit | None:
    """Return the block (khối) a unit belongs to, or its parent when the tree has no blocks."""
    ancestors = await list_ancestors(session, unit)
    for ancestor in reversed(ancestors):
        if ancestor.level == UnitLevel.BLOCK:
            return ancestor
    return ancestors[-1] if ancestors else None


async def count_all(session: AsyncSession) -> int:
    """Count every unit."""
    return (await session.execute(select(func.count(Unit.id)))).scalar_one()


async def list_all(session: AsyncSession) -> Sequence[Unit]:
    """List every unit (the tree is small: tens of thousands of units at most)."""
    return (await session.execute(select(Unit).order_by(Unit.id))).scalars().all()


async def list_codes(session: AsyncSession) -> dict[str, tuple[int, str]]:
    """Return every unit's id and level by its upper-case code."""
    rows = (await session.execute(select(Unit.id, Unit.code, Unit.level))).all()
    return {code.upper(): (unit_id, level) for unit_id, code, level in rows}


async def recompute_paths(session: AsyncSession) -> int:
    """Rebuild every materialised path from the parent links (after units moved); count changes."""
    everything = await list_all(session)
    children: dict[int | None, list[Unit]] = {}
    for unit in everything:
        children.setdefault(unit.parent_id, []).append(unit)
    changed, stack = 0, [(unit, "/") for unit in children.get(None, [])]
    while stack:
        unit, prefix = stack.pop()
        path = f"{prefix}{unit.id}/"
        if unit.path != path:
            unit.path, changed = path, changed + 1
        stack.extend((child, path) for child in children.get(unit.id, []))
    await session.flush()
    return changed
