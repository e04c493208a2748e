"""Importing a targets file (unit_code, phase, target), on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from storage.db import unit_of_work
from storage.models import Phase, PhaseStatus, Target
from tests.factories import Federation
from tests.rosterfiles import TARGETS, report, run_import, write_csv, write_xlsx

GOOD = ("DN01", "2", "12")


async def targets(app: App) -> dict[tuple[int, int], int]:
    async with app.sessions() as session:
        rows = (await session.execute(select(Target))).scalars().all()
    return {(t.unit_id, t.phase_id): t.target for t in rows}


@pytest.mark.parametrize(("bad", "reason", "words"), [
    (("ZZ99", "2", "5"), "unknown_unit", "không có đơn vị mã ZZ99"),
    (("KDN", "2", "5"), "not_grassroots", "KDN không phải công đoàn cơ sở"),
    (("DN02", "7", "5"), "unknown_phase", 'không có giai đoạn số "7"'),
    (("DN02", "hai", "5"), "unknown_phase", 'không có giai đoạn số "hai"'),
    (("DN02", "2", "-5"), "bad_target", 'chỉ tiêu "-5" phải là số nguyên không âm'),
    (("DN02", "2", "4,5"), "bad_target", 'chỉ tiêu "4,5" phải là số nguyên không âm'),
    (("DN02", "2", ""), "bad_target", 'chỉ tiêu "" phải là số nguyên không âm'),
    (("", "2", "5"), "missing_unit", "thiếu mã đơn vị"),
    (GOOD, "duplicate_target", "chỉ tiêu của DN01 giai đoạn 2 trùng với dòng 2"),
])
async def test_a_bad_row_is_named_with_its_row_and_reason_and_nothing_is_written(
        app: App, federation: Federation, tmp_path: Path, bad: tuple[str, ...], reason: str,
        words: str) -> None:
    before = await targets(app)
    plan = await run_import(app, write_csv(tmp_path / "t.csv", TARGETS, [GOOD, bad]), "targets",
                            apply=True)
    assert [(b.row, b.reason) for b in plan.bad] == [(3, reason)]
    assert f"Dòng 3: {words}" in report(app, plan)
    assert await targets(app) == before


async def test_a_target_for_a_closed_phase_is_refused(app: App, federation: Federation,
                                                       tmp_path: Path) -> None:
    async with unit_of_work(app.sessions) as session:
        phase = await session.get(Phase, federation.phase.id)
        phase.status = PhaseStatus.CLOSED
    plan = await run_import(app, write_csv(tmp_path / "t.csv", TARGETS, [("DN01", "1", "11")]),
                            "targets", apply=True)
    assert [(b.row, b.reason) for b in plan.bad] == [(2, "closed_phase")]
    assert "Dòng 2: Giai đoạn 1 đã đóng, không đặt chỉ tiêu được nữa" in report(app, plan)


async def test_good_targets_file_applied_twice_changes_nothing_the_second_time(
        app: App, federation: Federation, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", TARGETS, [(" dn01", 2, 12), ("DN01", 1, 11),
                                                     ("TH01", 1, 8)])
    first = await run_import(app, path, apply=True)
    assert (first.kind, first.added, first.updated, first.unchanged) == ("targets", 1, 1, 1)
    assert [c.fields for c in first.changes] == [{"target": (None, 12)}, {"target": (10, 11)}]
    second = await run_import(app, path, apply=True)
    assert (second.added, second.updated, second.unchanged, second.applied) == (0, 0, 3, False)
    dn01, p1, p2 = federation.units["DN01"].id, federation.phase.id, federation.next_phase.id
    saved = await targets(app)
    assert saved[(dn01, p1)] == 11 and saved[(dn01, p2)] == 12
