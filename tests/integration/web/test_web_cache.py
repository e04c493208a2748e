"""The overview and league figures are computed once per `web.cache_seconds` and say as of when."""

from __future__ import annotations

import aiohttp

from bot.app import App
from handlers.clock import ManualClock
from tests.factories import Federation, add_initiatives
from tests.integration.web.conftest import Browser, serve, signed_in


async def test_figures_are_reused_for_thirty_seconds_then_recomputed(
        app: App, federation: Federation, clock: ManualClock) -> None:
    assert app.config.web.cache_seconds == 30
    async with serve(app) as browser:
        await signed_in(browser, app, "0900000001")
        first = await browser.get("/tong-quan")
        await add_initiatives(app, federation, "0900000003", 4)
        clock.advance(seconds=29)
        assert (await browser.get("/tong-quan")).text == first.text
        league = await browser.get("/xep-hang")
        assert "Số liệu lúc 09:00 24/11/2026" in league.text
        clock.advance(seconds=2)
        later = await browser.get("/tong-quan")
        assert "4 <small>/ 31 chỉ tiêu</small>" in later.text
        assert "Số liệu lúc 09:00 24/11/2026" in later.text
        assert later.text != first.text


async def test_people_of_different_units_never_share_cached_figures(
        app: App, federation: Federation) -> None:
    async with serve(app) as minh, aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        hoang = Browser(minh.base, http)
        await signed_in(minh, app, "0900000002")
        await signed_in(hoang, app, "0900000007")
        assert "Công ty May Sông Hồng" in (await minh.get("/tong-quan")).text
        other = await hoang.get("/tong-quan")
        assert "Trường Tiểu học số 1" in other.text and "Công ty May" not in other.text
        assert "Khối KHC" in (await hoang.get("/xep-hang")).text
        assert "Khối KHC" not in (await minh.get("/xep-hang")).text
