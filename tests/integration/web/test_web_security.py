"""Security headers on every response, no inline script or style, anti-forgery on every POST."""

from __future__ import annotations

import re

import pytest

from bot.app import App
from tests.factories import Federation, add_initiatives
from tests.integration.web.conftest import Browser, link_for, signed_in

PATHS = ("/", "/tong-quan", "/xep-hang", "/don-vi/DN01", "/don-vi/TH01", "/sang-kien",
         "/sang-kien?tu=x", "/tai-ve", "/tai-ve/league.xlsx", "/tai-ve/league.png",
         "/tai-ve/units.csv", "/dang-nhap", "/healthz", "/metrics", "/static/web.css",
         "/static/signin.js", "/khong-co-trang-nay")


def assert_safe_headers(headers: dict[str, str], path: str) -> None:
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp, path
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
    assert headers["X-Content-Type-Options"] == "nosniff", path
    assert headers["Referrer-Policy"] == "no-referrer", path
    assert headers["X-Frame-Options"] == "DENY", path


async def test_every_response_carries_the_security_headers(
        app: App, federation: Federation, browser: Browser) -> None:
    for path in PATHS:
        assert_safe_headers((await browser.get(path)).headers, f"anonymous {path}")
    link = await link_for(app, "0900000001")
    assert_safe_headers((await browser.get("/" + link.split("/", 3)[3])).headers, "link")
    answer = await browser.open_link(await link_for(app, "0900000001"))
    assert_safe_headers(answer.headers, "sign-in post")
    for path in PATHS:
        assert_safe_headers((await browser.get(path)).headers, f"signed in {path}")
    assert_safe_headers((await browser.post("/dang-xuat", {})).headers, "forged post")


async def test_pages_have_no_inline_script_or_style(app: App, federation: Federation,
                                                    browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 2)
    await signed_in(browser, app, "0900000001")
    pages = [await browser.get(p) for p in ("/tong-quan", "/xep-hang", "/don-vi/DN01",
                                            "/sang-kien", "/tai-ve")]
    pages.append(await browser.get("/" + (await link_for(app, "0900000002")).split("/", 3)[3]))
    for page in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", page.text)


async def test_pages_are_not_cached_and_not_indexed(app: App, federation: Federation,
                                                    browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    page = await browser.get("/tong-quan")
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.text


@pytest.mark.parametrize("form", [{}, {"csrf": ""}, {"csrf": "a" * 64}])
async def test_a_post_without_the_sessions_token_is_refused(
        app: App, federation: Federation, browser: Browser, form: dict[str, str]) -> None:
    await signed_in(browser, app, "0900000002")
    answer = await browser.post("/dang-xuat", form)
    assert answer.status == 403 and "Yêu cầu bị từ chối" in answer.text
    assert (await browser.get("/tong-quan")).status == 200


async def test_one_sessions_token_does_not_work_for_another_session(
        app: App, federation: Federation, browser: Browser, second_browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    await signed_in(second_browser, app, "0900000002")
    token = await browser.csrf()
    assert token != await second_browser.csrf()
    assert (await second_browser.post("/dang-xuat", {"csrf": token})).status == 403


async def test_a_bug_shows_a_vietnamese_page_not_a_trace(
        app: App, federation: Federation, browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    # A broken configuration (no award rules) makes the award shortlist fail inside the handler.
    app.config = app.config.model_copy(update={"reports": None})
    page = await browser.get("/tai-ve/awards.xlsx")
    assert page.status == 500 and "Có lỗi xảy ra" in page.text and "Traceback" not in page.text
    assert_safe_headers(page.headers, "error")
