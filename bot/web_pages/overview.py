"""The overview page and the league table page."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.web_pages import charts
from bot.web_pages.context import app_of, cache_of, not_found, page, signed_in, viewer_of
from bot.web_pages.signin import redirect
from handlers.errors import UserError
from handlers.services import dashboard
from handlers.services import report_scope as scopes
from handlers.services.league import League, LeagueRow
from handlers.services.records import UnitLevel
from handlers.services.web_access import Viewer

SHOWN_BLOCKS = 40
SHOWN_WARNINGS = 15
LEAGUE_ROWS_ON_ONE_PAGE = 3000


async def home(request: web.Request) -> web.StreamResponse:
    """Send a signed-in person to the overview, anyone else to the sign-in explanation."""
    return redirect("/tong-quan" if await viewer_of(request) else "/dang-nhap")


def no_phase(request: web.Request, refusal: UserError) -> web.Response:
    """The page shown when there is no phase to report on yet."""
    message = app_of(request).renderer.render(refusal.template, **refusal.data)
    return page(request, "no_phase", status=200, message=message)


@signed_in
async def overview(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Progress against target, sprint countdown, daily trend and lagging unions."""
    app = app_of(request)
    programme = app.config.programme

    async def compute() -> dashboard.Overview:
        async with app.sessions() as session:
            return await dashboard.overview(session, unit=viewer.unit, subtree=viewer.is_staff,
                                            now=app.clock.now(), tz=programme.tz,
                                            statuses=programme.counting_statuses)

    try:
        o = await cache_of(request).get(("overview", viewer.unit.id, viewer.is_staff), compute)
    except UserError as refusal:
        return no_phase(request, refusal)
    chart = charts.trend_chart(o.trend, sprint_start=o.sprint.starts_on if o.sprint else None)
    blocks = sorted(o.outlook.blocks, key=lambda b: b.code)
    warnings = o.warnings
    return page(request, "overview", as_of=o.now, o=o, chart=chart, blocks=blocks[:SHOWN_BLOCKS],
                more_blocks=max(len(blocks) - SHOWN_BLOCKS, 0),
                warnings=warnings[:SHOWN_WARNINGS],
                more_warnings=max(len(warnings) - SHOWN_WARNINGS, 0),
                own_table=o.result.tables[0] if o.own is not None and o.result.tables else None,
                linkable=linkable(viewer))


@signed_in
async def league_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The league tables with the fair columns: staff pick a block, an officer sees theirs."""
    app = app_of(request)
    programme, code = app.config.programme, request.query.get("khoi", "").strip()
    try:
        async with app.sessions() as session:
            root = await dashboard.league_of(session, viewer.unit, subtree=viewer.is_staff)
            if code and code.upper() != root.code.upper():
                root = await scopes.find_unit(session, code)
                if not viewer.may_see(root) or root.level == UnitLevel.GRASSROOTS:
                    return not_found(request)

        async def compute() -> League:
            now = app.clock.now()
            async with app.sessions() as session:
                return await dashboard.league_for(session, root=root, now=now,
                                                  today=now.astimezone(programme.tz).date(),
                                                  statuses=programme.counting_statuses)

        result = await cache_of(request).get(("league", root.id), compute)
    except UserError as refusal:
        if refusal.template == "errors/unknown_unit":
            return not_found(request)
        return no_phase(request, refusal)
    summary_only = result.unit_count > LEAGUE_ROWS_ON_ONE_PAGE
    return page(request, "league", as_of=result.scope.now, result=result, summary_only=summary_only,
                mine=None if viewer.is_staff else viewer.unit.id, linkable=linkable(viewer))


def linkable(viewer: Viewer) -> Callable[[LeagueRow], bool]:
    """Return a test of whether a league row may link to its unit page (what the viewer may see)."""
    def test(row: LeagueRow) -> bool:
        return viewer.is_staff or row.unit_id == viewer.unit.id

    return test
