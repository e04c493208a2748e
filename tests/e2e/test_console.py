"""The console chat as a newcomer uses it: through a pipe, in a subprocess."""

from __future__ import annotations

import csv
import io
import re
import select
import signal
import time

from tests.e2e.conftest import Cli

DIALOG = [
    "/sangkien",
    "Cải tiến quy trình nhập kho bằng mã QR",
    "4",
    "Dán mã QR lên từng kệ và quét bằng điện thoại khi nhập, xuất kho.",
    "Giảm một nửa thời gian kiểm kê hằng tháng.",
    "200 triệu",
    "1",
]


def piped(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_piped_dialog_registers_and_lists_and_reports(cli: Cli) -> None:
    result = cli.run("console", "--as", "0900000003", stdin=piped(*DIALOG, "/cuatoi"))
    assert result.returncode == 0, result.stderr
    number = re.search(r"Đã gửi sáng kiến (SK-\d{6})", result.stdout)
    assert number, result.stdout
    assert f"{number.group(1)} · Cải tiến quy trình nhập kho bằng mã QR · Đã gửi" in result.stdout
    report = cli.run("report", "initiatives", "--format", "csv")
    assert report.returncode == 0, report.stderr
    rows = list(csv.reader(io.StringIO(report.stdout)))
    assert rows[0][0] == "Số"
    mine = [r for r in rows if r[0] == number.group(1)]
    assert mine and mine[0][4] == "Nguyễn Thị Lan" and mine[0][8] == "200000000"


def test_dialog_split_across_two_processes_keeps_the_first_answers(cli: Cli) -> None:
    first = cli.run("console", "--as", "0900000003", stdin=piped(*DIALOG[:4]))
    assert first.returncode == 0 and "Bước 4/6" in first.stdout
    second = cli.run("console", "--as", "0900000003", stdin=piped(*DIALOG[4:]))
    assert second.returncode == 0, second.stderr
    assert "Đã gửi sáng kiến SK-" in second.stdout
    report = cli.run("report", "initiatives", "--format", "csv")
    row = next(r for r in csv.reader(io.StringIO(report.stdout)) if r[4] == "Nguyễn Thị Lan")
    assert row[6] == DIALOG[1] and row[5] == "Kỹ thuật" and row[9] == DIALOG[3]


def test_meta_commands_switch_person_and_chat(cli: Cli) -> None:
    result = cli.run("console", stdin=piped(":as", ":as 0900000002", ":who", ":in group DN01",
                                            "/tiendo", ":in group ZZ99", ":nonsense", ":quit",
                                            "/tiendo"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert ":as 0900000004 · Phạm Quốc Huy" in out
    assert "Bạn là Trần Văn Minh (cán bộ công đoàn cơ sở" in out
    assert "Tiến độ Công ty TNHH May mặc Sông Hồng Đông Anh" in out
    assert "Không có đơn vị mã ZZ99" in out and "Lệnh console" in out
    assert out.count("Tiến độ") == 1  # nothing after :quit


def test_run_without_a_token_is_the_console_and_ends_with_its_input(cli: Cli) -> None:
    result = cli.run("run", stdin=piped("/tiendo"), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Tiến độ Công ty TNHH May mặc Sông Hồng Đông Anh" in result.stdout


def test_run_stops_gracefully_on_sigterm(cli: Cli) -> None:
    process = cli.popen("run")
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("/tiendo\n")
    process.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 60  # a loaded machine starts the bot slowly
    while "Tiến độ" not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            seen += process.stdout.readline()
    assert "Tiến độ" in seen  # answered: now the stop comes while the bot runs
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 0, err


def test_member_registers_officer_approves_member_sees_it(cli: Cli) -> None:
    first = cli.run("console", "--as", "0900000003", stdin=piped(*DIALOG))
    number = re.search(r"Đã gửi sáng kiến (SK-\d{6})", first.stdout).group(1)
    officer = cli.run("console", "--as", "0900000002", stdin=piped("/duyet"))
    assert number in officer.stdout and "Chờ duyệt:" in officer.stdout
    decide = cli.run("console", "--as", "0900000002", stdin=piped(f"/duyet {number}", "1"))
    assert f"Đã ghi: {number} · Đã duyệt" in decide.stdout
    mine = cli.run("console", "--as", "0900000003", stdin=piped("/cuatoi"))
    assert f"{number} · Cải tiến quy trình nhập kho bằng mã QR · Đã duyệt" in mine.stdout
