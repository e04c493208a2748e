"""The web page served on 127.0.0.1 (port 0) over the test federation, and a browser-like client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp
import pytest

from bot import web
from bot.app import App
from handlers.services import web_access
from storage.db import unit_of_work
from storage.repositories import members
from tests.factories import Federation

FORM_FIELD = re.compile(r'name="(token|csrf)" value="([^"]+)"')


@dataclass
class Page:
    """One HTTP answer as a test reads it."""

    status: int
    text: str
    headers: dict[str, str]
    body: bytes = b""
    cookies: list[str] = field(default_factory=list)


@dataclass
class Browser:
    """A cookie-keeping HTTP client on the site, like one browser profile."""

    base: str
    http: aiohttp.ClientSession

    async def get(self, path: str) -> Page:
        async with self.http.get(self.base + path, allow_redirects=False) as r:
            return await read_page(r)

    async def post(self, path: str, data: dict[str, str]) -> Page:
        async with self.http.post(self.base + path, data=data, allow_redirects=False) as r:
            return await read_page(r)

    async def open_link(self, link: str) -> Page:
        """Open a sign-in link and send its form, as the page's script does; return the answer."""
        form = await self.get("/" + link.split("/", 3)[3])
        if form.status != 200:
            return form
        return await self.post("/dang-nhap", dict(FORM_FIELD.findall(form.text)))

    def cookie(self, name: str) -> str | None:
        found = [c for c in self.http.cookie_jar if c.key == name]
        return found[0].value if found else None

    async def csrf(self) -> str:
        page = await self.get("/tong-quan")
        return dict(FORM_FIELD.findall(page.text))["csrf"]


async def read_page(r: aiohttp.ClientResponse) -> Page:
    body = await r.read()
    text = body.decode("utf-8", "replace") if r.content_type.startswith("text/") else ""
    return Page(r.status, text, dict(r.headers), body, r.headers.getall("Set-Cookie", []))


@pytest.fixture
async def site(app: App, federation: Federation) -> AsyncIterator[str]:
    """The web server of the test app, on a port of its own; returns its base URL.

    Figures are not cached here (tests change data between views); test_web_cache.py turns it on.
    """
    app.config = app.config.model_copy(
        update={"web": app.config.web.model_copy(update={"cache_seconds": 0})})
    runner = await web.start(web.build(app), host="127.0.0.1", port=0)
    app.serve_at(web.bound_address(runner))
    yield f"http://{web.bound_address(runner)}"
    await runner.cleanup()


@pytest.fixture
async def browser(site: str) -> AsyncIterator[Browser]:
    """A fresh browser (no cookies yet) on the site."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield Browser(site, http)


@pytest.fixture
async def second_browser(site: str) -> AsyncIterator[Browser]:
    """Another browser, with cookies of its own."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield Browser(site, http)


async def link_for(app: App, phone: str) -> str:
    """Issue a sign-in link for the member with this phone, as /web does."""
    assert app.signin is not None
    async with unit_of_work(app.sessions) as session:
        member = await members.get_by_phone(session, phone)
        assert member is not None
        return await web_access.issue_link(session, member=member, policy=app.signin,
                                           now=app.clock.now(), via="memory")


async def signed_in(browser: Browser, app: App, phone: str) -> Browser:
    """Sign a browser in as `phone`; fail unless it lands on the overview."""
    answer = await browser.open_link(await link_for(app, phone))
    assert answer.status == 303 and answer.headers["Location"] == "/tong-quan", answer.text[:300]
    return browser


@asynccontextmanager
async def serve(app: App) -> AsyncIterator[Browser]:
    """Serve another app on its own port and give a browser on it."""
    runner = await web.start(web.build(app), host="127.0.0.1", port=0)
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            yield Browser(f"http://{web.bound_address(runner)}", http)
    finally:
        await runner.cleanup()
