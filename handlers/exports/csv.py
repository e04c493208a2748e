"""CSV: sheets with the same columns become one table, the sheet named in a first column.

Sheets with different columns follow one another, each under its title and header. Text that
starts like a formula gets a leading quote (see `tables.FORMULA_STARTS`).
"""

from __future__ import annotations

import csv as stdcsv
import io
from typing import Any

from handlers.exports.tables import Kind, Report, Sheet, starts_like_formula


def _text(value: Any) -> Any:
    # OWASP's advice for CSV: a leading single quote, which spreadsheets show as text.
    # Numbers are not str, so a negative movement (-3) stays a number.
    return "'" + value if starts_like_formula(value) else value


def _cell(value: Any, kind: Kind) -> Any:
    if value is None:
        return ""
    if kind in (Kind.PERCENT, Kind.DECIMAL) and isinstance(value, float):
        return round(value, 4)
    return _text(value)


def _values(sheet: Sheet, row: dict[str, Any]) -> list[Any]:
    return [_cell(row.get(c.key), c.kind) for c in sheet.columns]


def to_csv(report: Report, *, sheet_label: str = "") -> str:
    """Write a report as CSV text (the CLI adds a byte-order mark for Excel)."""
    buffer = io.StringIO()
    writer = stdcsv.writer(buffer)
    shapes = {tuple(c.key for c in s.columns) for s in report.sheets}
    if len(report.sheets) == 1 or len(shapes) > 1:
        for index, sheet in enumerate(report.sheets):
            if len(report.sheets) > 1:
                writer.writerows([[]] * (index > 0) + [[_text(sheet.title)]])
            writer.writerow([_text(c.label) for c in sheet.columns])
            writer.writerows(_values(sheet, row) for row in sheet.rows)
        return buffer.getvalue()
    writer.writerow([_text(sheet_label), *(_text(c.label) for c in report.sheets[0].columns)])
    for sheet in report.sheets:
        writer.writerows([_text(sheet.name), *_values(sheet, row)] for row in sheet.rows)
    return buffer.getvalue()
