"""Template files to fill in: a header row, one example row, and notes in Vietnamese (xlsx).

Every text in the file comes from templates/vi/rosters/template_*.j2.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from handlers.services.rosters.plan import COLUMNS, LEVEL_WORDS, ROLE_WORDS, RosterKind
from handlers.texts import Renderer

TEXT_COLUMNS = {"phone", "code", "parent_code", "unit_code"}
CHOICES = {"role": [role.value for role in ROLE_WORDS], "level": [lv.value for lv in LEVEL_WORDS]}
VALIDATED_ROWS = 5000


@dataclass(frozen=True)
class ColumnNote:
    """One column of a template: its key, an example value and how to fill it in."""

    key: str
    example: str
    note: str


def column_notes(kind: RosterKind, renderer: Renderer) -> list[ColumnNote]:
    """Read the columns of a kind, in order, from its template."""
    notes = [ColumnNote(*(part.strip() for part in line.split("|", 2)))
             for line in renderer.lines("rosters/template_columns", kind=kind.value)]
    assert [n.key for n in notes] == list(COLUMNS[kind].all), "template_columns out of date"
    return notes


def build_csv(kind: RosterKind, renderer: Renderer) -> str:
    """Return a CSV template: the header row and the example row."""
    notes = column_notes(kind, renderer)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([n.key for n in notes])
    writer.writerow([n.example for n in notes])
    return buffer.getvalue()


def build_xlsx(kind: RosterKind, renderer: Renderer) -> bytes:
    """Return an .xlsx template: the data sheet (header, example) and a notes sheet."""
    notes = column_notes(kind, renderer)
    labels = renderer.lines("rosters/template_labels", kind=kind.value)
    book = Workbook()
    sheet: Worksheet = book.active  # type: ignore[assignment]
    sheet.title = labels[0]
    _data_sheet(sheet, notes)
    _notes_sheet(book.create_sheet(labels[1]), notes, labels[2:5], labels[5:])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _data_sheet(sheet: Worksheet, notes: list[ColumnNote]) -> None:
    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, note in enumerate(notes, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index, value=note.key)
        head.font, head.fill = bold, fill
        example = sheet.cell(row=2, column=index, value=_typed(note))
        example.font = grey
        if note.key in TEXT_COLUMNS:
            # Text, so Excel keeps the leading 0 of phone numbers and codes such as 0123.
            sheet.column_dimensions[letter].number_format = "@"
            example.number_format = "@"
        width = max(len(note.key), len(note.example), 10) + 4
        sheet.column_dimensions[letter].width = min(width, 48)
        if note.key in CHOICES:
            _dropdown(sheet, letter, CHOICES[note.key])
    sheet.freeze_panes = "A2"


def _typed(note: ColumnNote) -> str | int:
    if note.key not in TEXT_COLUMNS and note.example.isdigit():
        return int(note.example)
    return note.example


def _dropdown(sheet: Worksheet, letter: str, values: list[str]) -> None:
    # A suggestion list only (Vietnamese words are accepted too), so no error on other text.
    rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', showErrorMessage=False)
    rule.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
    sheet.add_data_validation(rule)


def _notes_sheet(sheet: Worksheet, notes: list[ColumnNote], headings: tuple[str, ...],
                 lines: tuple[str, ...]) -> None:
    sheet.append(list(headings))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for note in notes:
        sheet.append([note.key, note.example, note.note])
    sheet.append([])
    for line in lines:
        sheet.append(["", "", line])
    for letter, width in (("A", 16), ("B", 24), ("C", 110)):
        sheet.column_dimensions[letter].width = width
