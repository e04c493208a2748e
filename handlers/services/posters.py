"""The grassroots unions to print "scan to join" posters for."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.errors import UserError
from storage.models import Unit, UnitLevel
from storage.repositories import units


async def units_for_posters(session: AsyncSession, *, code: str | None) -> list[Unit]:
    """Return one grassroots union by code, or every one when `code` is None.

    Raises UserError for an unknown code or a unit that members do not join directly.
    """
    if code is None:
        return list(await units.list_by_level(session, UnitLevel.GRASSROOTS))
    unit = await units.get_by_code(session, code)
    if unit is None:
        raise UserError("errors/unknown_unit", code=code)
    if unit.level != UnitLevel.GRASSROOTS:
        raise UserError("telegram/poster_not_grassroots", code=unit.code)
    return [unit]
