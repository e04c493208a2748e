"""The web page for officers and district staff: server-rendered, signed in from the chat.

Each module holds one concern; `add_to(server)` wires them onto the one aiohttp server.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.web_pages import downloads, initiatives, ops, overview, security, signin
from bot.web_pages.cache import ViewCache
from bot.web_pages.context import APP_KEY, CACHE_KEY

STATIC = Path(__file__).resolve().parent / "static"


def add_to(server: web.Application) -> None:
    """Add the middlewares, the pages, the sign-in routes, /healthz, /metrics and /static."""
    app = server[APP_KEY]
    server[CACHE_KEY] = ViewCache(seconds=app.config.web.cache_seconds, clock=app.clock)
    server.middlewares.extend([ops.timing, security.headers])
    router = server.router
    router.add_get("/healthz", ops.healthz)
    router.add_get("/metrics", ops.metrics)
    router.add_static("/static", STATIC, append_version=False)
    router.add_get("/", overview.home)
    router.add_get("/dang-nhap", signin.need_sign_in)
    router.add_get("/dang-nhap/{token}", signin.confirm)
    router.add_post("/dang-nhap", signin.sign_in)
    router.add_post("/dang-xuat", signin.sign_out)
    router.add_get("/tong-quan", overview.overview)
    router.add_get("/xep-hang", overview.league_page)
    router.add_get("/don-vi/{code}", initiatives.unit_page)
    router.add_get("/sang-kien", initiatives.initiatives_page)
    router.add_get("/tai-ve", downloads.downloads_page)
    router.add_get("/tai-ve/{kind}.{fmt}", downloads.download)
