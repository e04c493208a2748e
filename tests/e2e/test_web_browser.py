"""The web page in a real headless Chromium (Debian's package, driven by Playwright).

Signs in through the link `/web` sends in the chat, loads the overview, the league and a unit
page on the demo district, checks what a person sees, and saves the screenshots the README shows.
Only 127.0.0.1 is reachable: any other request fails the test.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot import web
from bot.app import App
from bot.channels.memory import MemoryChannel
from handlers.clock import ManualClock, local_today
from handlers.services import demo
from storage.db import unit_of_work
from tests.conftest import START, make_config
from tests.fakes.driver import ChatDriver

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-quic"]
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def _need_chromium() -> None:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing under CI=true: scripts/ensure-chromium.sh installs it")
    pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")


@pytest.fixture
async def demo_site(sqlite_url: str) -> AsyncIterator[tuple[App, str]]:
    """The demo district on SQLite, served on 127.0.0.1 with a clock fixed at 09:00 24/11/2026."""
    app = App.create(make_config(sqlite_url), clock=ManualClock(START), worker_id="browser")
    app.add_channel(MemoryChannel())
    async with unit_of_work(app.sessions) as session:
        programme = app.config.programme
        await demo.load_district(session, today=local_today(app.clock, programme.tz),
                                 tz=programme.tz, fields=programme.fields)
    runner = await web.start(web.build(app), host="127.0.0.1", port=0)
    app.serve_at(web.bound_address(runner))
    yield app, f"http://{web.bound_address(runner)}"
    await runner.cleanup()
    await app.close()


async def link_from_chat(app: App, phone: str) -> str:
    """Type /web in a private chat as `phone` and return the link of the reply."""
    driver = ChatDriver(app)
    person = await driver.member(phone)
    await person.says("/web")
    reply = await person.next_reply()
    match = re.search(r"http://127\.0\.0\.1:\d+/dang-nhap/\S+", reply)
    assert match, reply
    return match.group(0)


@pytest.fixture
async def browser_context(tmp_path: Path) -> AsyncIterator[object]:
    """A Chromium context on a new, empty profile that may reach 127.0.0.1 only."""
    _need_chromium()
    from playwright.async_api import async_playwright

    blocked: list[str] = []
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport=DESKTOP, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")

        async def only_loopback(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "about:")):
                await route.continue_()  # type: ignore[attr-defined]
            else:
                blocked.append(url)
                await route.abort()  # type: ignore[attr-defined]

        await context.route("**/*", only_loopback)
        yield context
        await context.close()
    assert not blocked, f"the page asked for something outside 127.0.0.1: {blocked}"


async def shoot(page: object, name: str) -> None:
    """Save a full-page screenshot at desktop size and at phone size."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(size)  # type: ignore[attr-defined]
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"),  # type: ignore[attr-defined]
                              full_page=True)
    await page.set_viewport_size(DESKTOP)  # type: ignore[attr-defined]


@pytest.mark.timeout(180)
async def test_staff_signs_in_from_the_chat_and_reads_the_overview_league_and_a_unit(
        demo_site: tuple[App, str], browser_context: object) -> None:
    app, base = demo_site
    link = await link_from_chat(app, "0900000001")
    page = await browser_context.new_page()  # type: ignore[attr-defined]
    await page.goto(link)
    await page.wait_for_url(f"{base}/tong-quan")
    assert await page.title() == "Tổng quan · 1 triệu sáng kiến"
    body = await page.inner_text("main")
    assert "Liên đoàn Lao động huyện Đông Anh" in body and "Tiến độ theo khối" in body
    assert "Sáng kiến mới mỗi ngày" in body and "Cảnh báo sớm" in body
    assert await page.locator("svg.chart rect.day").count() == 35
    assert await page.locator("header .who").inner_text() != ""
    await shoot(page, "overview")

    await page.click("nav >> text=Xếp hạng")
    await page.wait_for_url(f"{base}/xep-hang")
    tables = page.locator("main section table")
    assert await tables.count() == 2
    league = await page.inner_text("main")
    assert "Khối" in league and "SK/100 ĐV" in league
    await shoot(page, "league")

    await page.goto(f"{base}/don-vi/DN01")
    unit = await page.inner_text("main")
    assert "Người đã gửi sáng kiến" in unit and "DN01" in unit
    await shoot(page, "unit")
