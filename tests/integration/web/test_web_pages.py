"""The pages over real HTTP: what staff and an officer see, filters, search and downloads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
from PIL import Image

from bot.app import App
from handlers.textnorm import fold
from storage.db import unit_of_work
from storage.models import Member, Role, Unit, UnitLevel
from storage.repositories import units
from tests.factories import Federation, add_initiatives
from tests.integration.web.conftest import Browser, serve, signed_in


async def test_staff_overview_shows_each_block_against_target_and_the_sprint(
        app: App, federation: Federation, browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 4)
    await add_initiatives(app, federation, "0900000004", 2)
    page = await (await signed_in(browser, app, "0900000001")).get("/tong-quan")
    assert page.status == 200
    assert "LĐLĐ huyện Thử Nghiệm" in page.text
    assert "6 <small>/ 31 chỉ tiêu</small>" in page.text
    assert "Khối KDN" in page.text and "4 / 15" in page.text
    assert "Khối KHC" in page.text and "2 / 16" in page.text
    assert "Đợt cao điểm 35 ngày" in page.text and "26 <small>ngày còn lại</small>" in page.text
    assert page.text.count('<rect class="day') == 35


async def test_staff_overview_lists_the_unions_that_will_miss_their_target(
        app: App, federation: Federation, browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 10)
    page = await (await signed_in(browser, app, "0900000001")).get("/tong-quan")
    warnings = page.text.split("Cảnh báo sớm", 1)[1]
    for code in ("DN02", "TH01", "TH02"):
        assert f'href="/don-vi/{code}"' in warnings
    assert 'href="/don-vi/DN01"' not in warnings


async def test_the_daily_trend_counts_new_initiatives_on_their_local_day(
        app: App, federation: Federation, browser: Browser) -> None:
    # 23/11 23:30 in Hanoi is 16:30 UTC the same day; 24/11 00:30 in Hanoi is 23/11 17:30 UTC.
    await add_initiatives(app, federation, "0900000003", 2, at=datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    await add_initiatives(app, federation, "0900000003", 3, at=datetime(2026, 11, 23, 17, 30, tzinfo=UTC))
    page = await (await signed_in(browser, app, "0900000001")).get("/tong-quan")
    assert "<title>23/11/2026: 2 SK</title>" in page.text
    assert "<title>24/11/2026: 3 SK</title>" in page.text


async def test_an_officer_sees_the_union_and_its_league_not_the_district(
        app: App, federation: Federation, browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 3)
    page = await (await signed_in(browser, app, "0900000002")).get("/tong-quan")
    assert "Công ty May Sông Hồng" in page.text and "3 <small>/ 10 chỉ tiêu</small>" in page.text
    assert "DN01 trong Khối KDN: hạng 1/2" in page.text
    assert 'class="mine"' in page.text and "DN02" in page.text
    assert "TH01" not in page.text and "Khối KHC" not in page.text


async def test_the_league_page_has_the_fair_columns_and_marks_the_officers_union(
        app: App, federation: Federation, browser: Browser, second_browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000006", 2)
    staff = await (await signed_in(browser, app, "0900000001")).get("/xep-hang")
    assert staff.text.count("<table>") == 2
    for column in ("% chỉ tiêu", "SK/100 ĐV", "% ĐV có SK", "Đổi hạng"):
        assert column in staff.text
    officer = await (await signed_in(second_browser, app, "0900000002")).get("/xep-hang")
    assert officer.text.count("<table>") == 1 and "TH01" not in officer.text
    row = officer.text.split('class="mine"', 1)[1].split("</tr>", 1)[0]
    assert "DN01" in row and ">2<" in row
    assert "3,3" in officer.text  # DN02: 2 initiatives per 60 members = 3,3 per 100


async def test_the_unit_page_shows_count_target_pace_authors_and_statuses(
        app: App, federation: Federation, browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 2)
    await add_initiatives(app, federation, "0900000005", 1, status="approved")
    await add_initiatives(app, federation, "0900000005", 1, status="returned")
    page = await (await signed_in(browser, app, "0900000002")).get("/don-vi/DN01")
    assert page.status == 200
    assert "3 <small>/ 10 chỉ tiêu</small>" in page.text
    assert "Nhịp 7 ngày qua" in page.text and "SK/ngày" in page.text
    assert "Nguyễn Thị Lan" in page.text and "Đỗ Văn Nam" in page.text
    assert "Đã duyệt" in page.text and "Cần bổ sung" in page.text and "Đã gửi" in page.text
    assert "Sáng kiến (4)" in page.text


async def test_search_ignores_diacritics_and_case(app: App, federation: Federation,
                                                 browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 1, title="Cải tiến quy trình kho lạnh")
    await add_initiatives(app, federation, "0900000005", 1, title="Số hoá sổ theo dõi ca")
    await signed_in(browser, app, "0900000001")
    for typed in ("cai tien kho", "CẢI TIẾN", "Kho Lanh"):
        page = await browser.get(f"/sang-kien?q={typed}")
        assert "Cải tiến quy trình kho lạnh" in page.text and "Số hoá sổ" not in page.text
    by_number = await browser.get("/sang-kien?q=SK-000002")
    assert "Số hoá sổ theo dõi ca" in by_number.text and "kho lạnh" not in by_number.text


async def test_the_list_filters_by_unit_field_status_and_dates(
        app: App, federation: Federation, browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 1, title="Sáng kiến của DN01 cũ",
                          at=datetime(2026, 11, 1, 3, 0, tzinfo=UTC))
    await add_initiatives(app, federation, "0900000003", 1, title="Sáng kiến của DN01 mới",
                          status="approved")
    await add_initiatives(app, federation, "0900000004", 1, title="Sáng kiến của TH01")
    await signed_in(browser, app, "0900000001")
    cases = {
        "/sang-kien?don_vi=TH01": {"TH01"},
        "/sang-kien?trang_thai=approved": {"DN01 mới"},
        "/sang-kien?tu=2026-11-15": {"DN01 mới", "TH01"},
        "/sang-kien?den=2026-11-02&don_vi=DN01": {"DN01 cũ"},
        "/sang-kien?linh_vuc=K%E1%BB%B9+thu%E1%BA%ADt": {"DN01 cũ", "DN01 mới", "TH01"},
        "/sang-kien?linh_vuc=Y+t%E1%BA%BF": set(),
    }
    for path, expected in cases.items():
        page = await browser.get(path)
        shown = {t for t in ("DN01 cũ", "DN01 mới", "TH01") if f"Sáng kiến của {t}<" in page.text}
        assert shown == expected, path


async def test_the_list_pages_fifty_at_a_time(app: App, federation: Federation,
                                              browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 51)
    await signed_in(browser, app, "0900000002")
    first = await browser.get("/sang-kien")
    assert first.text.count("<tr>") == 51 and "Trang sau" in first.text
    second = await browser.get("/sang-kien?trang=2")
    assert second.text.count("<tr>") == 2 and "Trang trước" in second.text


async def test_a_bad_date_in_the_filters_gets_a_vietnamese_page(app: App, federation: Federation,
                                                               browser: Browser) -> None:
    await signed_in(browser, app, "0900000002")
    page = await browser.get("/sang-kien?tu=hom-qua")
    assert page.status == 400 and "không hợp lệ" in page.text


async def test_what_people_typed_is_escaped_on_every_page(app: App, federation: Federation,
                                                          browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 1,
                          title='<script>alert("x")</script> & <b>kho</b>')
    await signed_in(browser, app, "0900000002")
    for path in ("/don-vi/DN01", "/sang-kien", "/sang-kien?q=%3Cscript%3E"):
        page = await browser.get(path)
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;kho&lt;/b&gt;" in page.text
        assert "<script>alert" not in page.text


async def test_downloads_open_as_excel_png_and_csv(app: App, federation: Federation,
                                                   browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 3)
    await add_initiatives(app, federation, "0900000004", 1)
    await signed_in(browser, app, "0900000001")
    assert "/tai-ve/league.xlsx" in (await browser.get("/tai-ve")).text
    xlsx = await browser.get("/tai-ve/league.xlsx")
    assert xlsx.status == 200 and "attachment;" in xlsx.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.body))
    assert book.sheetnames == ["KDN", "KHC"]
    codes = [row[2] for row in book["KDN"].iter_rows(min_row=4, values_only=True) if row[2]]
    assert codes[:2] == ["DN01", "DN02"]
    png = await browser.get("/tai-ve/league.png")
    image = Image.open(io.BytesIO(png.body))
    assert image.format == "PNG" and image.width == 1080
    text = (await browser.get("/tai-ve/initiatives.csv")).body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 5 and {r[2] for r in rows[1:]} == {"DN01", "TH01"}


async def test_every_report_downloads_in_excel_and_csv(app: App, federation: Federation,
                                                       browser: Browser) -> None:
    await add_initiatives(app, federation, "0900000003", 2)
    await signed_in(browser, app, "0900000002")
    for kind in ("league", "units", "awards", "benefits", "silent", "initiatives"):
        xlsx = await browser.get(f"/tai-ve/{kind}.xlsx")
        assert xlsx.status == 200, kind
        assert openpyxl.load_workbook(io.BytesIO(xlsx.body)).sheetnames, kind
        assert (await browser.get(f"/tai-ve/{kind}.csv")).status == 200, kind


async def test_a_png_of_a_report_that_has_none_is_refused_in_vietnamese(
        app: App, federation: Federation, browser: Browser) -> None:
    await signed_in(browser, app, "0900000001")
    page = await browser.get("/tai-ve/awards.png")
    assert page.status == 400 and "Không tạo được tệp" in page.text


async def test_before_any_phase_the_pages_say_there_are_no_figures_yet(app: App) -> None:
    async with unit_of_work(app.sessions) as session:
        district = await units.add(session, Unit(code="LDLD-X", name="LĐLĐ mới",
                                                 name_folded=fold("LĐLĐ mới"),
                                                 level=UnitLevel.DISTRICT))
        session.add(Member(unit_id=district.id, name="Cán bộ mới", phone="0911111111",
                           role=Role.STAFF))
    async with serve(app) as browser:
        await signed_in(browser, app, "0911111111")
        for path in ("/tong-quan", "/xep-hang", "/sang-kien", "/tai-ve/league.xlsx"):
            page = await browser.get(path)
            assert page.status == 200 and "Chưa có số liệu" in page.text, path
