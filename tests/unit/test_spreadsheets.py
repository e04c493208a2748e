"""Reading roster files and parsing their values, without a database."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from handlers.errors import UserError
from handlers.services.rosters import RosterKind
from handlers.services.rosters.members import clean_name, phone_of
from handlers.services.rosters.plan import (
    check_header,
    detect_kind,
    parse_count,
    parse_level,
    parse_role,
)
from handlers.services.rosters.template import build_csv, build_xlsx
from handlers.services.spreadsheets import cell_text, column_key, open_sheet
from handlers.texts import Renderer
from tests.rosterfiles import write_xlsx


def test_csv_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text('Phone;Name;Unit Code\n0900000003;"Lan\nAnh";DN01\n;;\n0900000004;Huy;TH01\n',
                    encoding="utf-8-sig")
    sheet = open_sheet(path)
    assert sheet.header == ["phone", "name", "unit_code"]
    assert list(sheet.rows()) == [
        (2, {"phone": "0900000003", "name": "Lan\nAnh", "unit_code": "DN01"}),
        (4, {"phone": "0900000004", "name": "Huy", "unit_code": "TH01"})]


def test_xlsx_rows_skip_blank_rows_and_keep_their_numbers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "ds.xlsx", ["unit_code", "phase", "target"],
                      [["DN01", 2, 12.0], [None, None, None], ["TH01", 2, 8, "extra"]])
    rows = list(open_sheet(path).rows())
    assert rows == [(2, {"unit_code": "DN01", "phase": "2", "target": "12"}),
                    (4, {"unit_code": "TH01", "phase": "2", "target": "8"})]


@pytest.mark.parametrize(("name", "content", "template"), [
    ("ds.xls", b"old", "rosters/bad_file_type"),
    ("ds.xlsx", b"not a zip", "rosters/bad_file"),
    ("ds.csv", "tên,name\n".encode("latin-1"), "rosters/not_utf8"),
    ("ds.csv", b"\n\n", "rosters/no_header"),
])
def test_unreadable_files_are_refused_with_a_reason(tmp_path: Path, name: str, content: bytes,
                                                    template: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UserError) as refused:
        open_sheet(path)
    assert refused.value.template == template


def test_cells_become_plain_text() -> None:
    assert [cell_text(v) for v in (None, 12.0, 12.5, " a  b ", date(2026, 1, 2), True)] == [
        "", "12", "12.5", "a  b", "2026-01-02", "true"]
    assert column_key(" Unit-Code ") == "unit_code" and column_key("Mã") == "ma"


def test_the_kind_is_read_from_the_header() -> None:
    assert detect_kind(["phone", "name", "unit_code"], filename="x") == RosterKind.MEMBERS
    assert detect_kind(["code", "name", "parent_code", "level"], filename="x") == RosterKind.UNITS
    assert detect_kind(["unit_code", "phase", "target"], filename="x") == RosterKind.TARGETS
    with pytest.raises(UserError):
        detect_kind(["a", "b"], filename="x")


def test_a_repeated_column_is_refused() -> None:
    with pytest.raises(UserError) as refused:
        check_header(RosterKind.TARGETS, ["unit_code", "phase", "target", "target"], filename="x")
    assert refused.value.data["repeated"] == ["target"]


def test_values_parse_the_way_people_type_them() -> None:
    assert [parse_count(v) for v in ("", "0", "120", "1.200", "1,200")] == [None, 0, 120, 1200, 1200]
    for bad in ("-5", "12.5", "1,5", "abc", "99999999999"):
        with pytest.raises(ValueError, match=re.escape(bad)):
            parse_count(bad)
    assert parse_role("Đoàn viên") == "member" and parse_role("CÁN BỘ") == "officer"
    assert parse_role("") is None and parse_level("Cơ sở") == "grassroots"
    assert phone_of("912345678") == "0912345678" and phone_of("+84 912 345 678") == "0912345678"
    assert phone_of("12345") is None
    assert clean_name(" Lan\nAnh ") == "Lan Anh" and clean_name("Lê  Thị\u200b Hà") == "Lê Thị Hà"


@pytest.mark.parametrize("kind", list(RosterKind))
def test_templates_have_the_header_an_example_and_notes(tmp_path: Path, kind: RosterKind) -> None:
    renderer = Renderer()
    path = tmp_path / "mau.xlsx"
    path.write_bytes(build_xlsx(kind, renderer))
    book = load_workbook(path)
    data, notes = book.worksheets
    header = [c.value for c in data[1]]
    assert header == build_csv(kind, renderer).splitlines()[0].split(",")
    assert data.freeze_panes == "A2" and data.column_dimensions["A"].width >= 10
    assert [row[0] for row in notes.iter_rows(min_row=2, max_row=len(header) + 1,
                                              values_only=True)] == header
    assert next(iter(open_sheet(path).rows()))[0] == 2
