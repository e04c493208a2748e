"""The unit page and the list of initiatives with its filters and diacritics-blind search."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.web_pages.context import app_of, not_found, page, signed_in
from bot.web_pages.overview import no_phase
from bot.web_pages.security import bad_request
from bot.web_pages.signin import redirect
from handlers.errors import UserError
from handlers.services import initiative_search, unit_detail
from handlers.services import report_scope as scopes
from handlers.services.initiative_search import Filters
from handlers.services.records import InitiativeStatus, UnitLevel
from handlers.services.web_access import Viewer

STATUSES = [s.value for s in InitiativeStatus]


@signed_in
async def unit_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """A union's count, target, pace, members who submitted and initiatives (its own people only)."""
    app = app_of(request)
    programme = app.config.programme
    try:
        async with app.sessions() as session:
            unit = await scopes.find_unit(session, request.match_info["code"])
            if not viewer.may_see(unit):
                return not_found(request)
            if unit.level != UnitLevel.GRASSROOTS:
                return redirect(f"/xep-hang?khoi={unit.code}")
            detail = await unit_detail.unit_detail(session, unit=unit, now=app.clock.now(),
                                                   tz=programme.tz,
                                                   statuses=programme.counting_statuses)
    except UserError as refusal:
        if refusal.template == "errors/unknown_unit":
            return not_found(request)
        return no_phase(request, refusal)
    return page(request, "unit", d=detail)


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def read_filters(query: dict[str, str], phase_id: int | None) -> Filters:
    """Read the filters from the query string; a bad date or page raises ValueError."""
    page_number = int(query.get("trang") or 1)
    if not 1 <= page_number <= 10_000:
        raise ValueError("page out of range")
    status = query.get("trang_thai") or None
    if status is not None and status not in STATUSES:
        raise ValueError("unknown status")
    return Filters(field=query.get("linh_vuc") or None, status=status,
                   since=_date(query.get("tu", "")), until=_date(query.get("den", "")),
                   query=query.get("q", "")[:200], phase_id=phase_id, page=page_number)


@signed_in
async def initiatives_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Initiatives of what the viewer may see, filtered by union, field, status, dates and words."""
    app = app_of(request)
    query = {k: v.strip() for k, v in request.query.items()}
    try:
        async with app.sessions() as session:
            phase = await scopes.find_phase(session, None)
            filters = read_filters(query, phase.id)
            within = viewer.unit
            if query.get("don_vi"):
                within = await scopes.find_unit(session, query["don_vi"])
                if not viewer.may_see(within):
                    return not_found(request)
            found = await initiative_search.search(
                session, within=within, whole_subtree=viewer.is_staff, filters=filters,
                tz=app.config.programme.tz)
            choices = await initiative_search.units_under(session, viewer.unit) \
                if viewer.is_staff else []
    except ValueError:
        return bad_request(request)
    except UserError as refusal:
        if refusal.template == "errors/unknown_unit":
            return not_found(request)
        return no_phase(request, refusal)
    return page(request, "initiatives", found=found, filters=filters, query=query, phase=phase,
                fields=app.config.programme.fields, statuses=STATUSES, units=choices,
                next_query=_page_query(query, found.page + 1),
                previous_query=_page_query(query, found.page - 1))


def _page_query(query: dict[str, str], number: int) -> dict[str, str]:
    return {**{k: v for k, v in query.items() if v}, "trang": str(number)}
