"""Importing a members file (phone, name, unit_code, role), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from handlers.errors import UserError
from handlers.services import rosters
from storage.db import unit_of_work
from storage.models import AuditEntry, Member, Role
from tests.factories import Federation
from tests.rosterfiles import MEMBERS, report, run_import, write_csv, write_xlsx

GOOD = ("0912345678", "Bùi Thị Hoa", "DN02", "")


async def count(app: App, model: type) -> int:
    async with app.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def member(app: App, phone: str) -> Member | None:
    async with app.sessions() as session:
        return (await session.execute(select(Member).where(Member.phone == phone))).scalar_one_or_none()


@pytest.mark.parametrize(("bad", "reason", "words"), [
    (("0912000001", "Ai Đó", "ZZ99", ""), "unknown_unit", "không có đơn vị mã ZZ99"),
    (("12345", "Ai Đó", "DN01", ""), "bad_phone", 'số điện thoại "12345" không phải'),
    (("", "Ai Đó", "DN01", ""), "missing_phone", "thiếu số điện thoại"),
    (("0912000001", "  ", "DN01", ""), "missing_name", "thiếu tên"),
    (("0912000001", "Ai " * 50, "DN01", ""), "name_too_long", "tên dài quá 120"),
    (("0912000001", "Ai Đó", "", ""), "missing_unit", "thiếu mã đơn vị"),
    (("0912000001", "Ai Đó", "DN01", "boss"), "unknown_role", 'vai trò "boss" không có'),
    (("0900000004", "Người Khác Hẳn", "DN01", ""), "phone_taken",
     "số 0900000004 đã là của Phạm Quốc Huy (TH01)"),
    (GOOD, "duplicate_phone", "số 0912345678 trùng với dòng 2"),
])
async def test_a_bad_row_is_named_with_its_row_and_reason_and_nothing_is_written(
        app: App, federation: Federation, tmp_path: Path, bad: tuple[str, ...], reason: str,
        words: str) -> None:
    path = write_csv(tmp_path / "m.csv", MEMBERS, [GOOD, bad])
    before = await count(app, Member)
    plan = await run_import(app, path, "members", apply=True)
    assert [(b.row, b.reason) for b in plan.bad] == [(3, reason)]
    assert f"Dòng 3: {words}" in report(app, plan)
    assert not plan.applied and await count(app, Member) == before
    assert await member(app, GOOD[0]) is None and await count(app, AuditEntry) == 0


async def test_good_file_applied_twice_changes_nothing_the_second_time(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", MEMBERS, [
        GOOD, ("0912345679", "Đinh Văn Tùng", "TH02", "cán bộ"),
        ("0900000003", "Nguyễn Thị Lan", "DN01", ""), ("0900000005", "Đỗ Văn Nam", "DN01", "officer")])
    first = await run_import(app, path, "members", apply=True)
    assert (first.added, first.updated, first.unchanged, first.applied) == (2, 1, 1, True)
    assert [c.fields for c in first.changes if c.action == "update"] == [
        {"role": ("member", "officer")}]
    second = await run_import(app, path, "members", apply=True)
    assert (second.added, second.updated, second.unchanged, second.applied) == (0, 0, 4, False)
    tung = await member(app, "0912345679")
    assert tung is not None and (tung.name, tung.role) == ("Đinh Văn Tùng", Role.OFFICER)
    assert tung.unit_id == federation.units["TH02"].id
    assert await count(app, AuditEntry) == 1


async def test_apply_writes_one_audit_entry_with_the_file_and_counts(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ds-thang-11.csv", MEMBERS,
                     [GOOD, ("0900000003", "Nguyễn Thị Lan Anh", "DN01", "")])
    await run_import(app, path, "members", apply=True)
    async with app.sessions() as session:
        entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert (entry.actor_id, entry.action, entry.subject, entry.note) == (
        None, "roster.import", "roster:members", "ds-thang-11.csv")
    assert entry.after["counts"] == {"rows": 2, "added": 1, "updated": 1, "unchanged": 0, "bad": 0}
    assert entry.before == {"0900000003": {"name": "Nguyễn Thị Lan"}}
    assert entry.after["updated"] == {"0900000003": {"name": "Nguyễn Thị Lan Anh"}}


async def test_a_big_file_lists_its_first_changes_and_counts_them_all(
        app: App, federation: Federation, tmp_path: Path) -> None:
    rows = [(f"09123456{i:02d}", f"Người Mới {i}", "DN02", "") for i in range(5)]
    rows.insert(2, ("0900000003", "Nguyễn Thị Lan", "DN01", "officer"))
    path = write_csv(tmp_path / "m.csv", MEMBERS, rows)
    async with unit_of_work(app.sessions) as session:
        plan = await rosters.import_file(session, path, kind=None, at=app.clock.now(), listed=2)
    assert (plan.added, plan.updated, plan.changed) == (5, 1, 6)
    assert [(c.row, c.action) for c in plan.changes] == [(2, "add"), (3, "add"), (4, "update")]
    text = app.renderer.render("rosters/report", plan=plan, bad_limit=0, change_limit=2)
    assert "+ Dòng 3" in text and "Dòng 4" not in text and "… và 4 thay đổi khác." in text


async def test_dry_run_writes_nothing(app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", MEMBERS, [GOOD])
    plan = await run_import(app, path, "members")
    assert (plan.added, plan.applied) == (1, False) and await member(app, GOOD[0]) is None


async def test_xlsx_with_phones_typed_as_numbers_keeps_the_leading_zero(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "m.xlsx", MEMBERS[:3], [(912345678, "Bùi Thị Hoa", "dn02"),
                                                         (None, None, None),
                                                         ("0912 345 679", "Lý Văn Tám", "DN02")])
    plan = await run_import(app, path, apply=True)
    assert plan.kind == "members" and plan.added == 2 and not plan.bad
    assert await member(app, "0912345678") is not None and await member(app, "0912345679")


async def test_the_same_person_moving_to_another_unit_is_an_update(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", MEMBERS, [("0900000004", "PHẠM QUỐC HUY", "TH02", "")])
    plan = await run_import(app, path, "members", apply=True)
    assert plan.changes[0].fields == {"name": ("Phạm Quốc Huy", "PHẠM QUỐC HUY"),
                                      "unit": ("TH01", "TH02")}
    huy = await member(app, "0900000004")
    assert huy is not None and huy.unit_id == federation.units["TH02"].id


async def test_staff_cannot_give_or_change_a_role_above_their_own(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", MEMBERS, [("0912000009", "Quản Trị Mới", "DN01", "admin")])
    plan = await run_import(app, path, "members", max_role=Role.STAFF)
    assert [(b.row, b.reason) for b in plan.bad] == [(2, "role_too_high")]
    assert not (await run_import(app, path, "members", max_role=Role.ADMIN)).bad


async def test_a_header_without_a_required_column_is_refused(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", ("phone", "ten", "unit_code"), [GOOD[:3]])
    with pytest.raises(UserError) as refused:
        await run_import(app, path, "members")
    assert refused.value.template == "rosters/bad_header"
    assert refused.value.data["missing"] == ["name"] and refused.value.data["unknown"] == ["ten"]
    text = app.renderer.render(refused.value.template, **refused.value.data)
    assert "thiếu cột name" in text and "\n" not in text
