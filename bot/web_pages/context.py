"""What every page handler reads off a request: the app, the signed-in viewer, the page renderer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import wraps
from typing import Any

from aiohttp import web

from bot.app import App
from bot.web_pages import charts
from bot.web_pages.cache import ViewCache
from handlers.services import web_access
from handlers.services.transactions import unit_of_work
from handlers.services.web_access import Viewer

APP_KEY = web.AppKey("sangkien_app", App)
CACHE_KEY = web.AppKey("sangkien_view_cache", ViewCache)
SESSION_COOKIE = "sangkien_session"
VIEWER = web.RequestKey("sangkien_viewer", object)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PageHandler = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]


def app_of(request: web.Request) -> App:
    """Return the bot app behind the server."""
    return request.app[APP_KEY]


def cache_of(request: web.Request) -> ViewCache:
    """Return the server's cache of computed page data."""
    return request.app[CACHE_KEY]


async def viewer_of(request: web.Request) -> Viewer | None:
    """Return who the session cookie belongs to (looked up once per request), or None."""
    if VIEWER in request:
        return request[VIEWER]
    app, token = app_of(request), request.cookies.get(SESSION_COOKIE, "")
    found = None
    if token and app.signin is not None and len(token) < 100:
        async with unit_of_work(app.sessions) as session:
            found = await web_access.viewer_for(session, token, policy=app.signin,
                                                now=app.clock.now())
    request[VIEWER] = found
    return found


def signed_in(handler: PageHandler) -> Handler:
    """Run a page for a signed-in viewer; anyone else gets the page that says how to sign in."""
    @wraps(handler)
    async def run(request: web.Request) -> web.StreamResponse:
        viewer = await viewer_of(request)
        if viewer is None:
            return page(request, "need_signin", status=401)
        return await handler(request, viewer)

    return run


def page(request: web.Request, template: str, /, *, status: int = 200,
         as_of: datetime | None = None, **data: Any) -> web.Response:
    """Render `templates/vi/web/<template>.j2` (escaped) with what every page shows.

    `as_of` is when the figures were computed (they may come from the cache); default now.
    """
    app = app_of(request)
    tz = app.config.programme.tz
    html = app.renderer.render(f"web/{template}", markup="html", viewer=request.get(VIEWER),
                               path=request.path, tz=tz,
                               shown_at=local(as_of or app.clock.now(), tz),
                               width=charts.percent_width, tone=charts.tone,
                               plan_tone=charts.plan_tone, **data)
    return web.Response(text=html + "\n", status=status, content_type="text/html",
                        charset="utf-8", headers={"Cache-Control": "no-store"})


def local(moment: datetime, tz: Any) -> str:
    """Format a moment as the page shows it: 09:05 24/11/2026, in the programme's zone."""
    return moment.astimezone(tz).strftime("%H:%M %d/%m/%Y")


def not_found(request: web.Request) -> web.Response:
    """The Vietnamese 404 page (also for what exists but is not the viewer's to see)."""
    return page(request, "not_found", status=404)
