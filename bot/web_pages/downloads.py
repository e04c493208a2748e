"""Downloads: every report in Excel, CSV and (the league) PNG, for what the viewer may see."""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web

from bot.app import App
from bot.web_pages.context import app_of, not_found, page, signed_in
from bot.web_pages.overview import no_phase
from handlers.clock import local_today
from handlers.errors import UserError
from handlers.exports import build
from handlers.services import report_scope as scopes
from handlers.services.records import UnitLevel
from handlers.services.web_access import Viewer

log = logging.getLogger(__name__)

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "csv": "text/csv; charset=utf-8", "png": "image/png"}
KINDS = ("league", "units", "awards", "benefits", "silent", "initiatives")


@signed_in
async def downloads_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """List the reports the viewer can download, each in its formats."""
    return page(request, "downloads", kinds=KINDS, formats=FORMATS)


async def _request(request: web.Request, viewer: Viewer, kind: str, fmt: str) -> build.Request | None:
    """Build the report request for what the viewer may see; None when the unit asked is not theirs."""
    code = request.query.get("don_vi", "").strip()
    if not viewer.is_staff:
        if code and code.upper() != viewer.unit.code.upper():
            return None
        return build.Request(kind=kind, fmt=fmt, unit=viewer.unit.code)
    if not code:
        return build.Request(kind=kind, fmt=fmt, block=viewer.unit.code)
    async with app_of(request).sessions() as session:
        unit = await scopes.find_unit(session, code)
    if not viewer.may_see(unit):
        return None
    if unit.level == UnitLevel.GRASSROOTS:
        return build.Request(kind=kind, fmt=fmt, unit=unit.code)
    return build.Request(kind=kind, fmt=fmt, block=unit.code)


@signed_in
async def download(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Make one report file and send it as an attachment."""
    app = app_of(request)
    kind, fmt = request.match_info["kind"], request.match_info["fmt"]
    if kind not in KINDS or fmt not in FORMATS:
        return not_found(request)
    try:
        wanted = await _request(request, viewer, kind, fmt)
        if wanted is None:
            return not_found(request)
        async with app.sessions() as session:
            output = await build.produce(session, wanted, _context(app))
    except UserError as refusal:
        if refusal.template == "errors/unknown_unit":
            return not_found(request)
        if refusal.template in ("member/no_open_phase", "errors/unknown_phase"):
            return no_phase(request, refusal)
        message = app.renderer.render(refusal.template, **refusal.data)
        return page(request, "cannot_download", status=400, message=message)
    log.info("web download %s.%s by member %s (%d rows)", kind, fmt, viewer.member_id, output.rows)
    data = output.data.encode("utf-8-sig") if isinstance(output.data, str) else output.data
    return web.Response(body=data, headers={
        "Content-Type": FORMATS[fmt], "Cache-Control": "no-store",
        "Content-Disposition": _disposition(output.filename)})


def _context(app: App) -> build.Context:
    programme = app.config.programme
    return build.Context(programme=programme, reports=app.config.reports, renderer=app.renderer,
                         now=app.clock.now(), today=local_today(app.clock, programme.tz))


def _disposition(filename: str) -> str:
    """An attachment name browsers read, Vietnamese letters included (RFC 6266 / 5987)."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_"
                       for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
