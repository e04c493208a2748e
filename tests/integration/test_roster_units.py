"""Importing a units file (code, name, parent_code, level, member_count), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from storage.models import AuditEntry, Unit
from tests.factories import Federation
from tests.rosterfiles import UNITS, report, run_import, write_csv, write_xlsx

GOOD = ("DN03", "Công ty Bao bì Nguyên Khê", "KDN", "grassroots", "80")


async def units_by_code(app: App) -> dict[str, Unit]:
    async with app.sessions() as session:
        return {u.code: u for u in (await session.execute(select(Unit))).scalars()}


@pytest.mark.parametrize(("bad", "reason", "words"), [
    (("YT01", "Bệnh viện", "NOPE", "grassroots", ""), "unknown_parent",
     "không có đơn vị cấp trên mã NOPE"),
    (("", "Không mã", "KDN", "grassroots", ""), "missing_code", "thiếu mã đơn vị"),
    (("YT 01", "Mã có dấu cách", "KDN", "grassroots", ""), "bad_code", 'mã "YT 01" không hợp lệ'),
    (("YT01", "", "KDN", "grassroots", ""), "missing_name", "thiếu tên"),
    (("YT01", "Bệnh viện", "KDN", "hospital", ""), "bad_level", 'cấp "hospital" không có'),
    (("YT01", "Bệnh viện", "KDN", "grassroots", "-5"), "bad_count",
     'số đoàn viên "-5" phải là số nguyên không âm'),
    (("YT01", "Bệnh viện", "KDN", "grassroots", "12,5"), "bad_count", 'số đoàn viên "12,5"'),
    (("YT01", "Bệnh viện", "DN01", "grassroots", ""), "level_not_below_parent",
     "công đoàn cơ sở không thể trực thuộc DN01 (công đoàn cơ sở)"),
    (("YT01", "Bệnh viện", "", "grassroots", ""), "parent_required",
     "công đoàn cơ sở phải có mã đơn vị cấp trên"),
    (("YT01", "Bệnh viện", "YT01", "grassroots", ""), "parent_self",
     "đơn vị không thể trực thuộc chính nó"),
    (GOOD, "duplicate_code", "mã DN03 trùng với dòng 2"),
])
async def test_a_bad_row_is_named_with_its_row_and_reason_and_nothing_is_written(
        app: App, federation: Federation, tmp_path: Path, bad: tuple[str, ...], reason: str,
        words: str) -> None:
    path = write_csv(tmp_path / "u.csv", UNITS, [GOOD, bad])
    plan = await run_import(app, path, "units", apply=True)
    assert [(b.row, b.reason) for b in plan.bad] == [(3, reason)]
    assert f"Dòng 3: {words}" in report(app, plan)
    assert "DN03" not in await units_by_code(app)


async def test_a_unit_under_a_bad_row_is_bad_too(app: App, federation: Federation,
                                                   tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", UNITS, [("KYT", "Khối Y tế", "LDLD-T", "khoi-lạ", ""),
                                                 ("YT01", "Bệnh viện", "KYT", "grassroots", "")])
    plan = await run_import(app, path, "units")
    assert [(b.row, b.reason) for b in plan.bad] == [(2, "bad_level"), (3, "parent_row_bad")]
    assert "Dòng 3: đơn vị cấp trên KYT nằm ở dòng lỗi 2" in report(app, plan)


async def test_moving_a_block_under_its_own_unit_is_refused(app: App, federation: Federation,
                                                              tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", UNITS, [("KDN", "Khối DN", "DN01", "block", "")])
    plan = await run_import(app, path, "units")
    assert [b.reason for b in plan.bad] == ["level_not_below_parent"]


async def test_new_units_get_paths_under_parents_from_the_file_or_the_database(
        app: App, federation: Federation, tmp_path: Path) -> None:
    # The child comes before its parent in the file: order does not matter.
    path = write_xlsx(tmp_path / "u.xlsx", UNITS, [
        ("YT01", "Bệnh viện Đa khoa", "kyt", "cơ sở", 300),
        ("KYT", "Khối Y tế", "LDLD-T", "khối", None), GOOD])
    plan = await run_import(app, path, apply=True)
    assert (plan.kind, plan.added, plan.bad) == ("units", 3, [])
    units = await units_by_code(app)
    district, block = units["LDLD-T"], units["KYT"]
    assert block.path == f"{district.path}{block.id}/" and block.level == "block"
    assert units["YT01"].path == f"{block.path}{units['YT01'].id}/"
    assert units["YT01"].member_count == 300 and units["YT01"].name_folded == "benh vien da khoa"
    assert units["DN03"].path == f"{units['KDN'].path}{units['DN03'].id}/"


async def test_moving_a_block_rebuilds_the_paths_of_its_whole_subtree(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", UNITS, [
        ("LDLD-X", "LĐLĐ huyện Mới", "", "district", ""),
        ("KHC", "Khối HCSN", "LDLD-X", "block", "")])
    plan = await run_import(app, path, "units", apply=True)
    assert [c.fields.get("parent") for c in plan.changes] == [(None, None), ("LDLD-T", "LDLD-X")]
    units = await units_by_code(app)
    cluster, block = units["LDLD-X"], units["KHC"]
    assert cluster.path == f"/{cluster.id}/"
    assert block.parent_id == cluster.id and block.path == f"{cluster.path}{block.id}/"
    assert units["TH01"].path == f"{block.path}{units['TH01'].id}/"
    assert units["DN01"].path == f"{units['KDN'].path}{units['DN01'].id}/"


async def test_good_units_file_applied_twice_changes_nothing_the_second_time(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "u.csv", UNITS, [
        GOOD, ("DN01", "Công ty May Sông Hồng", "KDN", "grassroots", "125"),
        ("DN02", "Công ty Cơ khí Đông Anh", "KDN", "grassroots", "")])
    first = await run_import(app, path, "units", apply=True)
    assert (first.added, first.updated, first.unchanged) == (1, 1, 1)
    assert first.changes[1].fields == {"member_count": (120, 125)}
    second = await run_import(app, path, "units", apply=True)
    assert (second.added, second.updated, second.unchanged, second.applied) == (0, 0, 3, False)
    units = await units_by_code(app)
    assert units["DN01"].member_count == 125 and units["DN02"].member_count == 60
    async with app.sessions() as session:
        audits = (await session.execute(select(func.count(AuditEntry.id)))).scalar_one()
    assert audits == 1
