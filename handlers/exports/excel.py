"""Excel workbooks (openpyxl): one sheet per table, a title, a frozen header row, real numbers.

Text is always written as text, never as a formula (see `tables.FORMULA_STARTS`).
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from handlers.exports.tables import Kind, Report, Sheet, starts_like_formula

HEADER_ROW = 3
FORMATS = {Kind.INT: "#,##0", Kind.MONEY: "#,##0", Kind.PERCENT: "0%", Kind.DECIMAL: "0.0",
           Kind.MOVEMENT: "+0;-0;0", Kind.DATE: "dd/mm/yyyy"}
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
MINE_FILL = PatternFill("solid", fgColor="FFF2CC")
FROZEN_AFTER = ("name", "person")


def sheet_title(name: str, taken: set[str]) -> str:
    """Return a valid, unique sheet name: at most 31 characters, no brackets, colons or slashes."""
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip() or "Sheet"
    title, n = base[:31], 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def workbook(report: Report) -> bytes:
    """Render a report as an .xlsx file."""
    book = Workbook()
    book.remove(book.active)
    book.properties.title = report.title
    taken: set[str] = set()
    for sheet in report.sheets:
        write_sheet(book.create_sheet(sheet_title(sheet.name, taken)), sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """Fill one worksheet: title, note, header, rows, totals; then widths, panes and filter."""
    _put(ws, 1, 1, sheet.title).font = Font(bold=True, size=14)
    _put(ws, 2, 1, sheet.note).font = Font(italic=True, color="555555")
    for col, column in enumerate(sheet.columns, 1):
        cell = _put(ws, HEADER_ROW, col, column.label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(col)].width = column.width
    for index, row in enumerate(sheet.rows):
        _write_row(ws, sheet, HEADER_ROW + 1 + index, row, mine=index in sheet.highlight)
    last = HEADER_ROW + len(sheet.rows)
    if sheet.footer:
        _write_row(ws, sheet, last + 1, sheet.footer, bold=True)
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, _frozen_columns(sheet) + 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(sheet.columns))}{max(last, HEADER_ROW)}"


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one value; text stays text even when it starts like a formula.

    openpyxl stores a str starting with "=" as a formula (data type "f") and one like "#N/A" as an
    error; a string cell ("s") is never evaluated. Excel's quote prefix also keeps such text text
    when someone edits the cell.
    """
    cell = ws.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
        if starts_like_formula(value):
            cell.quotePrefix = True
    return cell


def _write_row(ws: Worksheet, sheet: Sheet, at: int, row: dict, *, mine: bool = False,
               bold: bool = False) -> None:
    for col, column in enumerate(sheet.columns, 1):
        cell = _put(ws, at, col, row.get(column.key))
        if column.kind in FORMATS:
            cell.number_format = FORMATS[column.kind]
        if column.key == "reason":
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if mine:
            cell.fill = MINE_FILL
        if bold or mine:
            cell.font = Font(bold=True)


def _frozen_columns(sheet: Sheet) -> int:
    keys = [c.key for c in sheet.columns]
    return next((keys.index(k) + 1 for k in FROZEN_AFTER if k in keys), 0)
