"""Writing roster files for tests (.csv as Excel saves it, or .xlsx) and importing them."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from bot.app import App
from handlers.services import rosters
from storage.db import unit_of_work
from storage.models import Member, Role

MEMBERS = ("phone", "name", "unit_code", "role")
UNITS = ("code", "name", "parent_code", "level", "member_count")
TARGETS = ("unit_code", "phase", "target")


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """Write a CSV file with a byte-order mark, as Excel's "CSV UTF-8" does."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """Write a one-sheet workbook: the header row, then the rows (numbers stay numbers)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


async def run_import(app: App, path: Path, kind: str | None = None, *, apply: bool = False,
                     actor: Member | None = None, max_role: Role | None = None) -> rosters.Plan:
    """Plan (and apply, if asked) an import in one transaction, as the CLI does."""
    async with unit_of_work(app.sessions) as session:
        return await rosters.import_file(
            session, path, kind=rosters.RosterKind(kind) if kind else None, at=app.clock.now(),
            apply=apply, actor=actor, max_role=max_role)


def report(app: App, plan: rosters.Plan) -> str:
    """Render the report the CLI prints, every bad row and change listed."""
    return app.renderer.render("rosters/report", plan=plan, bad_limit=len(plan.bad),
                               change_limit=len(plan.changes))
