"""Nothing of another unit is reachable by changing a code in the URL: pages and downloads."""

from __future__ import annotations

import io

import openpyxl
import pytest

from bot.app import App
from storage.db import unit_of_work
from storage.models import Member, Role
from tests.factories import Federation, add_initiatives
from tests.integration.web.conftest import Browser, signed_in

PAGES = ("/don-vi/{code}", "/sang-kien?don_vi={code}", "/xep-hang?khoi={code}",
         "/tai-ve/league.xlsx?don_vi={code}", "/tai-ve/initiatives.csv?don_vi={code}",
         "/tai-ve/units.xlsx?don_vi={code}", "/tai-ve/silent.csv?don_vi={code}",
         "/tai-ve/awards.xlsx?don_vi={code}", "/tai-ve/benefits.csv?don_vi={code}",
         "/tai-ve/league.png?don_vi={code}")


async def block_staff(app: App, fed: Federation) -> None:
    """Staff of block KDN only (phone 0900000009)."""
    async with unit_of_work(app.sessions) as session:
        session.add(Member(unit_id=fed.units["KDN"].id, name="Cán bộ Khối KDN",
                           phone="0900000009", role=Role.STAFF))


@pytest.mark.parametrize("path", PAGES)
async def test_an_officer_reaches_nothing_of_another_union(
        app: App, federation: Federation, browser: Browser, path: str) -> None:
    await add_initiatives(app, federation, "0900000004", 2, title="Bí mật của TH01")
    await signed_in(browser, app, "0900000002")
    for code in ("TH01", "DN02", "KHC", "LDLD-T", "th01", "NOPE"):
        page = await browser.get(path.format(code=code))
        assert page.status == 404, (path, code)
        assert "Bí mật của TH01" not in page.text and "Không tìm thấy" in page.text


async def test_an_officers_own_pages_and_files_hold_only_their_union(
        app: App, federation: Federation, browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000004", 2, title="Bí mật của TH01")
    await add_initiatives(app, federation, "0900000003", 1, title="Việc của DN01")
    await signed_in(browser, app, "0900000002")
    for path in ("/tong-quan", "/sang-kien", "/sang-kien?don_vi=DN01", "/don-vi/DN01",
                 "/sang-kien?q=bi+mat"):
        page = await browser.get(path)
        assert page.status == 200 and "Bí mật của TH01" not in page.text, path
    text = (await browser.get("/tai-ve/initiatives.csv")).body.decode("utf-8-sig")
    assert "Việc của DN01" in text and "TH01" not in text
    book = openpyxl.load_workbook(io.BytesIO((await browser.get("/tai-ve/silent.xlsx")).body))
    people = {row[2] for sheet in book for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert "Phạm Quốc Huy" not in people


@pytest.mark.parametrize("path", PAGES)
async def test_block_staff_reach_their_block_but_not_the_other(
        app: App, federation: Federation, browser: Browser, path: str) -> None:
    await block_staff(app, federation)
    await add_initiatives(app, federation, "0900000003", 1)
    await signed_in(browser, app, "0900000009")
    for code in ("TH01", "KHC", "LDLD-T"):
        assert (await browser.get(path.format(code=code))).status == 404, (path, code)
    mine = "KDN" if path.startswith("/xep-hang") else "DN02"
    assert (await browser.get(path.format(code=mine))).status == 200, path


async def test_block_staff_overview_shows_only_their_block(
        app: App, federation: Federation, browser: Browser) -> None:
    await block_staff(app, federation)
    page = await (await signed_in(browser, app, "0900000009")).get("/tong-quan")
    assert "Khối KDN" in page.text and "Khối KHC" not in page.text and "TH01" not in page.text


@pytest.mark.parametrize("phone", ["0900000001", "0900000008"])
async def test_district_staff_and_admins_reach_every_union_of_the_district(
        app: App, federation: Federation, browser: Browser, phone: str) -> None:
    await signed_in(browser, app, phone)
    for code in ("DN01", "DN02", "TH01", "TH02"):
        assert (await browser.get(f"/don-vi/{code}")).status == 200
    assert (await browser.get("/don-vi/KHC")).headers["Location"] == "/xep-hang?khoi=KHC"
