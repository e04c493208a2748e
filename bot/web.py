"""The one aiohttp server: /healthz now; webhooks and pages register their routes on it."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot.app import App
from storage.repositories import outbox as outbox_repo

log = logging.getLogger(__name__)

APP_KEY = web.AppKey("sangkien_app", App)


def build(app: App) -> web.Application:
    """Create the aiohttp application with the routes every deployment has."""
    server = web.Application(client_max_size=app.config.web.max_body_bytes)
    server[APP_KEY] = app
    server.router.add_get("/healthz", healthz)
    server.router.add_get("/cards/{expires}/{signature}/{name}", card)
    return server


async def card(request: web.Request) -> web.StreamResponse:
    """Serve an exported card or file behind a signed, expiring link (404 when not valid)."""
    app = request.app[APP_KEY]
    path = None
    if app.exports is not None:
        path = app.exports.links.resolve(
            expires=request.match_info["expires"], signature=request.match_info["signature"],
            name=request.match_info["name"], now=app.clock.now())
    if path is None:
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Cache-Control": "private, max-age=3600",
                                           "X-Robots-Tag": "noindex"})


async def healthz(request: web.Request) -> web.Response:
    """Report whether the database answers, and the outbox depth by status."""
    app = request.app[APP_KEY]
    body: dict[str, Any] = {"database": "ok"}
    try:
        async with app.sessions() as session:
            await session.execute(text("SELECT 1"))
            body["outbox"] = await outbox_repo.count_by_status(session)
    except Exception as exc:  # a health check reports, it does not crash
        log.warning("health check: database unavailable (%s)", type(exc).__name__)
        return web.json_response({"database": "unavailable"}, status=503)
    body["channels"] = sorted(app.channels)
    return web.json_response(body)


async def start(server: web.Application, *, host: str, port: int) -> web.AppRunner:
    """Start serving; with port 0 the chosen port is read back from the runner."""
    runner = web.AppRunner(server, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    log.info("web server listening on %s", bound_address(runner))
    return runner


def bound_address(runner: web.AppRunner) -> str:
    """Return host:port the runner actually listens on."""
    if not runner.addresses:
        return "?"
    host, port = runner.addresses[0][:2]
    return f"{host}:{port}"
