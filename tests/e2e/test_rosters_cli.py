"""`sangkien import …`, `phase`, `sprint` and `targets` as a shell user runs them (a subprocess)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from handlers.services.rosters import COLUMNS, RosterKind
from tests.e2e.conftest import Cli
from tests.rosterfiles import MEMBERS, write_csv

GOOD = [("0912345678", "Bùi Thị Hoa", "DN02", ""), ("0912345679", "Lý Văn Tám", "TH01", "cán bộ")]


def test_an_import_with_one_bad_row_exits_2_names_the_row_and_writes_nothing(
        cli: Cli, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ds.csv", MEMBERS, [GOOD[0], ("0912", "Ai Đó", "DN01", ""), GOOD[1]])
    result = cli.run("import", "members", str(path), "--apply")
    assert result.returncode == 2
    assert 'Dòng 3: số điện thoại "0912" không phải số di động Việt Nam' in result.stdout
    assert "sangkien: ds.csv: 1 dòng lỗi (dòng 3: số điện thoại" in result.stderr
    good = write_csv(tmp_path / "good.csv", MEMBERS, GOOD)
    dry = cli.run("import", "members", str(good), "--show", "1")
    assert dry.returncode == 0 and "Sẽ thêm 2, sửa 0" in dry.stdout and "--apply" in dry.stdout
    assert "+ Dòng 2: 0912345678" in dry.stdout and "Dòng 3" not in dry.stdout
    assert "… và 1 thay đổi khác" in dry.stdout


def test_a_good_import_applied_twice_changes_nothing_the_second_time(cli: Cli,
                                                                     tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ds.csv", MEMBERS, [*GOOD, ("0900000003", "Nguyễn Thị Lan", "DN01", "")])
    first = cli.run("import", "members", str(path), "--apply")
    assert first.returncode == 0 and "Đã ghi ds.csv: thêm 2, sửa 0, giữ nguyên 1." in first.stdout
    again = cli.run("import", "members", str(path), "--apply")
    assert again.returncode == 0 and "Không có gì thay đổi" in again.stdout
    assert "giữ nguyên 3" in again.stdout


FILLED = {
    "units": [["DN13", "Công ty Mới", "KDN", "cơ sở", 40],
              ["DN14", "Công ty Mới 2", "KDN", "grassroots", None]],
    "members": [["0912345678", "Bùi Thị Hoa", "DN02", "member"],
                ["0912345679", "Lý Văn Tám", "TH01", None]],
    "targets": [["DN01", 2, 90], ["TH01", 2, 40]],
}


@pytest.mark.parametrize("kind", ["units", "members", "targets"])
def test_template_round_trip_generate_fill_import(cli: Cli, tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"mau-{kind}.xlsx"
    made = cli.run("import", kind, "--template", "-o", str(path))
    assert made.returncode == 0
    book = load_workbook(path)
    sheet, notes = book.worksheets
    assert notes.title == "Hướng dẫn" and notes.cell(row=2, column=3).value
    assert [cell.value for cell in sheet[1]] == list(COLUMNS[RosterKind(kind)].all)
    assert "VD01" in [cell.value for cell in sheet[2]]  # the example row, to overwrite
    for row_index, values in enumerate(FILLED[kind], start=2):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row_index, column=column, value=value)
    book.save(path)
    result = cli.run("import", kind, str(path), "--apply")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Đã ghi mau-{kind}.xlsx: thêm 2" in result.stdout


def test_a_left_over_example_row_is_reported(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "mau.xlsx"
    cli.run("import", "members", "--template", "-o", str(path))
    result = cli.run("import", "members", str(path))
    assert result.returncode == 2 and "Dòng 2: không có đơn vị mã VD01" in result.stdout


def test_import_needs_a_file_of_a_known_type(cli: Cli, tmp_path: Path) -> None:
    missing = cli.run("import", "members")
    assert missing.returncode == 2 and "FILE is required" in missing.stderr
    text = tmp_path / "ds.txt"
    text.write_text("phone,name\n")
    wrong = cli.run("import", "members", str(text))
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and ".xlsx" in wrong.stderr
    units = write_csv(tmp_path / "u.csv", MEMBERS, GOOD)
    mixed = cli.run("import", "units", str(units))
    assert mixed.returncode == 2 and "thiếu cột code" in mixed.stderr


def test_phases_sprints_and_targets_from_the_shell(cli: Cli) -> None:
    listed = cli.run("phase", "list")
    assert listed.returncode == 0 and "Giai đoạn 1" in listed.stdout and "đang mở" in listed.stdout
    refused = cli.run("phase", "open", "2")
    assert refused.returncode == 2 and "Hãy đóng Giai đoạn 1 trước" in refused.stderr
    closed = cli.run("phase", "close", "1")
    assert closed.returncode == 0 and "Giai đoạn tiếp theo: Giai đoạn 2" in closed.stdout
    assert cli.run("phase", "open", "2").returncode == 0
    late = cli.run("targets", "set", "DN01", "1", "5")
    assert late.returncode == 2 and "Giai đoạn 1 đã đóng" in late.stderr
    copied = cli.run("targets", "copy", "--from", "1", "--to", "2")
    assert copied.returncode == 0 and "30 đơn vị" in copied.stdout
    one = cli.run("targets", "set", "DN01", "2", "-4")
    assert one.returncode == 2 and "số nguyên không âm" in one.stderr


def test_sprint_and_phase_dates_are_checked_from_the_shell(cli: Cli) -> None:
    bad = cli.run("phase", "add", "--number", "3", "--name", "Giai đoạn 3", "--start", "2030-06-01",
                  "--end", "2030-05-01")
    assert bad.returncode == 2 and "phải sau ngày bắt đầu" in bad.stderr
    added = cli.run("phase", "add", "--number", "3", "--name", "Giai đoạn 3", "--start",
                    "2030-01-01", "--end", "2030-06-30")
    assert added.returncode == 0 and "Đã thêm Giai đoạn 3 (01/01/2030 – 30/06/2030, chưa mở)" in added.stdout
    outside = cli.run("sprint", "start", "--phase", "3", "--start", "2030-06-01", "--days", "35")
    assert outside.returncode == 2 and "phải nằm trong Giai đoạn 3" in outside.stderr
    sprint = cli.run("sprint", "start", "--phase", "3", "--start", "2030-01-10", "--name", "Đợt Tết")
    assert sprint.returncode == 0 and "Đợt Tết trong Giai đoạn 3: 10/01/2030 – 13/02/2030" in sprint.stdout
