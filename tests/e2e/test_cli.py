"""Exit codes and one-line errors of the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.conftest import ROOT, Cli


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=base | (env or {}) | {"PYTHONPATH": str(ROOT)}, cwd=cwd or ROOT,
                          timeout=60, check=False)


def test_unknown_subcommand_exits_2() -> None:
    result = run("frobnicate")
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_bad_config_value_exits_1_with_one_line_naming_the_key() -> None:
    result = run("db", "upgrade", env={"SANGKIEN__WEB__PORT": "nope"})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "web.port" in result.stderr


def test_unreachable_database_exits_1_with_one_line() -> None:
    result = run("report", "initiatives",
                 env={"SANGKIEN__DATABASE__URL": "postgresql+asyncpg://u@127.0.0.1:1/none"})
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr and result.stderr.count("\n") == 1


def test_database_without_schema_says_to_upgrade(tmp_path: Path) -> None:
    result = run("report", "initiatives",
                 env={"SANGKIEN__DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path}/empty.db"})
    assert result.returncode == 1 and "sangkien db upgrade" in result.stderr


def test_db_upgrade_then_demo_load_on_a_new_file(tmp_path: Path) -> None:
    env = {"SANGKIEN__DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path}/new.db"}
    assert run("db", "upgrade", env=env).returncode == 0
    loaded = run("demo", "load", env=env)
    assert loaded.returncode == 0 and "demo loaded" in loaded.stdout
    again = run("demo", "load", env=env)
    assert again.returncode == 2 and "already holds data" in again.stderr
    assert run("demo", "load", "--if-empty", env=env).returncode == 0


def test_report_of_an_unknown_unit_exits_2(cli: Cli) -> None:
    result = cli.run("report", "initiatives", "--unit", "ZZ99")
    assert result.returncode == 2 and "ZZ99" in result.stderr


def test_report_to_a_csv_file_opens_in_excel(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "sk.csv"
    result = cli.run("report", "initiatives", "--unit", "DN01", "--format", "csv", "-o", str(out))
    assert result.returncode == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "Tác giả".encode() in data


def test_bad_phone_for_console_exits_2(cli: Cli) -> None:
    result = cli.run("console", "--as", "12345")
    assert result.returncode == 2 and "not a Vietnamese mobile number" in result.stderr


def test_link_code_for_a_roster_phone(cli: Cli) -> None:
    result = cli.run("link-code", "0900000004")
    assert result.returncode == 0
    assert "Mã liên kết cho Phạm Quốc Huy" in result.stdout
    assert cli.run("link-code", "0999999999").returncode == 2
    assert cli.run("link-code", "abc").returncode == 2


def test_portal_mark_and_unknown_number(cli: Cli) -> None:
    result = cli.run("portal", "mark", "SK-000001", "SK-000002")
    assert result.returncode == 0 and "SK-000001, SK-000002" in result.stdout
    missing = cli.run("portal", "mark", "SK-999999")
    assert missing.returncode == 2 and "SK-999999" in missing.stderr


def test_report_of_initiatives_still_to_type_into_the_portal(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    everything = cli.run("report", "initiatives", "--format", "csv")
    counted = [r for r in everything.stdout.splitlines()[1:] if ",approved," in r or ",submitted," in r]
    first = counted[0].split(",")[0]
    assert cli.run("portal", "mark", first).returncode == 0
    out = tmp_path / "portal.xlsx"
    result = cli.run("report", "initiatives", "--not-on-portal", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(out).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in values if r and r[0] == "Số")
    assert "Điện thoại tác giả" in header and "Ngày bắt đầu áp dụng" in header
    numbers = {r[0] for r in values if r and isinstance(r[0], str) and r[0].startswith("SK-")}
    assert first not in numbers and len(numbers) == len(counted) - 1
    assert cli.run("report", "league", "--not-on-portal").returncode == 2


def test_report_of_duplicates_lists_the_same_text_sent_twice(cli: Cli) -> None:
    title = "Cải tiến quy trình nhập kho bằng mã QR cho xưởng may"
    script = "\n".join(["/sangkien", title, "4", "Dán mã QR lên từng kệ và quét bằng điện thoại.",
                        "Giảm một nửa thời gian kiểm kê.", "0", "1"]) + "\n"
    for phone in ("0900000003", "0900000002"):
        assert "Đã gửi sáng kiến" in cli.run("console", "--as", phone, stdin=script).stdout
    result = cli.run("report", "duplicates", "--block", "KDN")
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if title in x)
    assert "100 điểm" in line and "Nguyễn Thị Lan" in line and "Trần Văn Minh" in line
