"""Signing in to the web page with the one-time link /web sends, and the session that follows."""

from __future__ import annotations

import re

from sqlalchemy import update

from bot.app import App
from handlers.clock import ManualClock
from storage.db import unit_of_work
from storage.models import Member, Role
from tests.conftest import make_config
from tests.factories import Federation
from tests.fakes.driver import ChatDriver
from tests.integration.web.conftest import FORM_FIELD, Browser, link_for, read_page, serve, signed_in

LINK = re.compile(r"http://127\.0\.0\.1:\d+/dang-nhap/[A-Za-z0-9_-]{43}")


async def set_role(app: App, phone: str, role: Role) -> None:
    async with unit_of_work(app.sessions) as session:
        await session.execute(update(Member).where(Member.phone == phone).values(role=role))


async def test_web_in_the_chat_gives_a_link_that_signs_the_officer_in(
        chat: ChatDriver, browser: Browser) -> None:
    minh = await chat.member("0900000002")
    await minh.says("/web")
    reply = await minh.next_reply()
    assert "chỉ dùng được một lần, trong 10 phút" in reply
    link = LINK.search(reply)
    assert link is not None, reply
    answer = await browser.open_link(link.group(0))
    assert answer.status == 303 and answer.headers["Location"] == "/tong-quan"
    cookie = next(c for c in answer.cookies if c.startswith("sangkien_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    overview = await browser.get("/tong-quan")
    assert overview.status == 200 and "Công ty May Sông Hồng" in overview.text
    assert "Trần Văn Minh · DN01" in overview.text


async def test_a_member_is_told_the_web_page_is_for_officers_and_staff(chat: ChatDriver) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/web")
    assert "chỉ dành cho" in await lan.next_reply()


async def test_opening_a_link_does_not_use_it_up_only_signing_in_does(
        app: App, browser: Browser, second_browser: Browser) -> None:
    link = await link_for(app, "0900000002")
    preview = await second_browser.get("/" + link.split("/", 3)[3])
    assert preview.status == 200 and 'action="/dang-nhap"' in preview.text
    assert (await browser.open_link(link)).status == 303


async def test_a_link_used_twice_is_refused(app: App, browser: Browser,
                                            second_browser: Browser) -> None:
    link = await link_for(app, "0900000002")
    await signed_in_with(browser, link)
    again = await second_browser.open_link(link)
    assert again.status == 410 and "đã được dùng" in again.text
    assert second_browser.cookie("sangkien_session") is None


async def signed_in_with(browser: Browser, link: str) -> None:
    answer = await browser.open_link(link)
    assert answer.status == 303, answer.text[:200]


async def test_a_link_is_refused_once_its_ten_minutes_are_over(
        app: App, clock: ManualClock, browser: Browser) -> None:
    link = await link_for(app, "0900000002")
    clock.advance(minutes=10, seconds=1)
    answer = await browser.open_link(link)
    assert answer.status == 410 and "đã hết hạn" in answer.text


async def test_a_link_opened_after_its_person_lost_the_role_is_refused(
        app: App, browser: Browser) -> None:
    link = await link_for(app, "0900000002")
    await set_role(app, "0900000002", Role.MEMBER)
    answer = await browser.open_link(link)
    assert answer.status == 403 and "không còn quyền" in answer.text


async def test_a_made_up_link_is_refused(browser: Browser) -> None:
    answer = await browser.get("/dang-nhap/" + "A" * 43)
    assert answer.status == 404 and "không đúng" in answer.text


async def test_another_persons_link_signs_in_as_that_person_and_ends_the_earlier_session(
        app: App, browser: Browser, second_browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    officer_cookie = browser.cookie("sangkien_session")
    await signed_in(browser, app, "0900000001")
    overview = await browser.get("/tong-quan")
    assert "Lê Thị Thu Hà · LDLD-T" in overview.text and "Trần Văn Minh" not in overview.text
    second_browser.http.cookie_jar.update_cookies({"sangkien_session": officer_cookie})
    assert (await second_browser.get("/tong-quan")).status == 401


async def test_each_person_sees_their_own_view_from_their_own_link(
        app: App, browser: Browser, second_browser: Browser) -> None:
    await signed_in(browser, app, "0900000007")
    await signed_in(second_browser, app, "0900000002")
    hoang = await browser.get("/tong-quan")
    minh = await second_browser.get("/tong-quan")
    assert "Trường Tiểu học số 1 Đông Anh" in hoang.text and "Công ty May" not in hoang.text
    assert "Công ty May Sông Hồng" in minh.text and "Trường Tiểu học số 1" not in minh.text


async def test_signing_in_without_the_forms_cookie_is_refused(
        app: App, browser: Browser) -> None:
    token = (await link_for(app, "0900000002")).rsplit("/", 1)[1]
    answer = await browser.post("/dang-nhap", {"token": token, "csrf": "guessed"})
    assert answer.status == 403 and "bị từ chối" in answer.text
    assert browser.cookie("sangkien_session") is None


async def test_a_session_ends_after_twelve_idle_hours(
        app: App, clock: ManualClock, browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    clock.advance(hours=11, minutes=59)
    assert (await browser.get("/tong-quan")).status == 200
    clock.advance(hours=12)
    answer = await browser.get("/tong-quan")
    assert answer.status == 401 and "/web" in answer.text


async def test_a_session_in_use_still_ends_after_seven_days(
        app: App, clock: ManualClock, browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    for _ in range(13):
        clock.advance(hours=12, minutes=-1)
        assert (await browser.get("/xep-hang")).status == 200
    clock.advance(hours=12)
    assert (await browser.get("/xep-hang")).status == 401


async def test_a_session_ends_as_soon_as_its_person_loses_the_role(
        app: App, browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    await set_role(app, "0900000002", Role.MEMBER)
    assert (await browser.get("/tong-quan")).status == 401
    await set_role(app, "0900000002", Role.OFFICER)
    assert (await browser.get("/tong-quan")).status == 401


async def test_log_out_needs_the_pages_token_then_ends_the_session(
        app: App, browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    assert (await browser.post("/dang-xuat", {})).status == 403
    assert (await browser.post("/dang-xuat", {"csrf": "0" * 64})).status == 403
    assert (await browser.get("/tong-quan")).status == 200
    out = await browser.post("/dang-xuat", {"csrf": await browser.csrf()})
    assert out.status == 200 and "Đã đăng xuất" in out.text
    assert (await browser.get("/tong-quan")).status == 401


async def test_the_session_cookie_is_secure_when_the_public_url_is_https(
        db_url: str, clock: ManualClock, federation: Federation) -> None:

    app = App.create(make_config(db_url, web={"public_url": "https://sangkien.example.org"}),
                     clock=clock, worker_id="https")
    try:
        link = await link_for(app, "0900000002")
        assert link.startswith("https://sangkien.example.org/dang-nhap/")
        async with serve(app) as browser:
            form = await browser.get("/" + link.split("/", 3)[3])
            pre = next(c for c in form.cookies if c.startswith("sangkien_signin="))
            assert "Secure" in pre and "HttpOnly" in pre
            # An http client keeps Secure cookies to itself: hand it back as an HTTPS browser would.
            fields = dict(FORM_FIELD.findall(form.text))
            async with browser.http.post(
                    browser.base + "/dang-nhap", data=fields, allow_redirects=False,
                    headers={"Cookie": pre.split(";")[0]}) as r:
                answer = await read_page(r)
        assert answer.status == 303
        cookie = next(c for c in answer.cookies if c.startswith("sangkien_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        await app.close()


async def test_web_says_the_page_is_off_when_the_web_server_is_disabled(
        db_url: str, clock: ManualClock, federation: Federation) -> None:
    from bot.channels.memory import MemoryChannel

    app = App.create(make_config(db_url, web={"enabled": "false"}), clock=clock, worker_id="off")
    app.add_channel(MemoryChannel())
    try:
        driver = ChatDriver(app)
        minh = await driver.member("0900000002")
        await minh.says("/web")
        assert "chưa được bật" in await minh.next_reply()
    finally:
        await app.close()
