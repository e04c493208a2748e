"""Reading roster files (.xlsx or .csv) as rows of text keyed by their header, row by row.

Row numbers are the ones a spreadsheet shows: the header is row 1. Knows nothing of rosters.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from handlers.errors import UserError
from handlers.textnorm import fold

log = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".csv")
Row = tuple[int, dict[str, str]]


@dataclass
class Sheet:
    """One table: the header's column keys, a row count estimate, and the rows after the header."""

    filename: str
    header: list[str]
    total: int
    _rows: Iterator[tuple[int, list[Any]]]
    _text: Callable[[Any], str] = field(default=lambda value: cell_text(value))

    def rows(self) -> Iterator[Row]:
        """Yield (row number, {column key: text}) for each non-blank row after the header."""
        header, width, text = self.header, len(self.header), self._text
        for number, values in self._rows:
            texts = list(map(text, values if len(values) == width else values[:width]))
            if any(texts):
                if len(texts) < width:
                    texts += [""] * (width - len(texts))
                # Same length by construction; strict checking costs 15% of this loop.
                yield number, dict(zip(header, texts, strict=False))


def column_key(label: Any) -> str:
    """Turn a header cell into a column key: "Unit code" → "unit_code"."""
    return "_".join(fold(cell_text(label)).replace("-", " ").split())


def cell_text(value: Any) -> str:
    """Return a cell as text: 12.0 → "12", a date → ISO, None → ""; spaces stripped.

    Spaces inside are left alone: each column's parser cleans what it keeps (names, codes).
    """
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def open_sheet(path: Path, *, filename: str | None = None) -> Sheet:
    """Open a .xlsx (its first sheet) or .csv file; refuse anything else with a clear reason."""
    filename = filename or path.name
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise UserError("rosters/bad_file_type", filename=filename, suffix=suffix)
    if not path.is_file():
        raise UserError("rosters/file_missing", filename=filename)
    total, rows = _xlsx_rows(path, filename) if suffix == ".xlsx" else _csv_rows(path, filename)
    first = next(rows, None)
    if first is None or not any(cell_text(v) for v in first[1]):
        raise UserError("rosters/no_header", filename=filename)
    header = [column_key(v) for v in first[1]]
    while header and not header[-1]:
        header.pop()
    # CSV cells are always text, so str.strip (in C) does cell_text's work at 100,000s of rows.
    text = str.strip if suffix == ".csv" else cell_text
    return Sheet(filename, header, max(total - 1, 0), rows, text)


def _xlsx_rows(path: Path, filename: str) -> tuple[int, Iterator[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook  # only loaded when a workbook is read
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        log.info("unreadable workbook %s: %s", filename, exc)
        raise UserError("rosters/bad_file", filename=filename) from exc
    sheet = book.worksheets[0]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(values)
        finally:
            book.close()

    return sheet.max_row or 0, rows()


def _csv_rows(path: Path, filename: str) -> tuple[int, Iterator[tuple[int, list[Any]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError("rosters/not_utf8", filename=filename) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            # Records, not physical lines: a spreadsheet shows a quoted multi-line cell as one row.
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            log.info("unreadable CSV %s: %s", filename, exc)
            raise UserError("rosters/bad_file", filename=filename) from exc

    return text.count("\n") + 1, rows()
