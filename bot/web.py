"""The one aiohttp server: the web page (bot/web_pages), /healthz, /metrics and card links.

Chat platforms add their webhook routes to it.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot import web_pages
from bot.app import App
from bot.web_pages.context import APP_KEY
from bot.web_pages.ops import healthz

log = logging.getLogger(__name__)

__all__ = ["APP_KEY", "bound_address", "build", "healthz", "start"]


def build(app: App) -> web.Application:
    """Create the aiohttp application with the routes every deployment has."""
    server = web.Application(client_max_size=app.config.web.max_body_bytes)
    server[APP_KEY] = app
    web_pages.add_to(server)
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
