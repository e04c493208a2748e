"""Jobs and broadcasts from the shell and the console, in a subprocess, on the demo federation."""

from __future__ import annotations

import re

from tests.e2e.conftest import Cli

JOBS = ("urge_units", "officer_digest", "district_digest", "weekly_league", "sprint_countdown",
        "silent_reminders", "broadcasts", "housekeeping")


def test_console_run_prints_the_officers_digest_once_per_slot(cli: Cli) -> None:
    result = cli.run("console", "--as", "0900000002",
                     stdin=":run officer_digest\n:run officer_digest\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("Bản tin Công ty TNHH May mặc Sông Hồng Đông Anh") == 1
    assert re.search(r"\[officer_digest\] Lượt 07:30 ngày \d\d/\d\d/\d{4}: đã xếp 1 tin để gửi", out)
    assert "đã chạy trước đó (đã chạy, 1 tin): không gửi lại." in out
    again = cli.run("console", "--as", "0900000002", stdin=":run officer_digest\n")
    assert "Bản tin" not in again.stdout and "không gửi lại" in again.stdout


def test_console_run_with_a_time_fires_that_slot(cli: Cli) -> None:
    result = cli.run("console", "--as", "0900000002",
                     stdin=":run urge_units 2026-11-25T08:00\n:run nothing\n:run urge_units soon\n")
    assert result.returncode == 0, result.stderr
    assert "[urge_units] Lượt 08:00 ngày 25/11/2026: đã xếp 30 tin để gửi." in result.stdout
    assert result.stdout.count("→") >= 30 or result.stdout.count("group:") >= 30
    assert 'Không có việc định kỳ tên "nothing"' in result.stdout
    assert 'Thời điểm "soon" không đúng dạng ISO' in result.stdout


def test_jobs_list_shows_every_job_with_its_next_run_and_last_result(cli: Cli) -> None:
    ran = cli.run("jobs", "run", "district_digest", "--at", "2026-11-25T07:45")
    assert ran.returncode == 0, ran.stderr
    assert "[district_digest] Lượt 07:45 ngày 25/11/2026: đã xếp 0 tin" in ran.stdout
    listed = cli.run("jobs", "list")
    assert listed.returncode == 0, listed.stderr
    for name in JOBS:
        assert re.search(rf"^{name}  \[", listed.stdout, re.MULTILINE), name
    assert listed.stdout.count("Lần chạy tới: ") == len(JOBS)
    assert "Lần gần nhất: 07:45 ngày 25/11/2026: đã chạy, 0 tin" in listed.stdout


def test_jobs_pause_and_resume_show_in_the_list(cli: Cli) -> None:
    assert cli.run("jobs", "pause", "urge_units").returncode == 0
    assert re.search(r"^urge_units .*TẠM DỪNG", cli.run("jobs", "list").stdout, re.MULTILINE)
    assert cli.run("jobs", "resume", "urge_units").returncode == 0
    assert "TẠM DỪNG" not in cli.run("jobs", "list").stdout
    bad = cli.run("jobs", "run", "nothing")
    assert bad.returncode == 2 and "no job named 'nothing'" in bad.stderr


def test_jobs_run_housekeeping_reports_what_it_deleted_once_per_slot(cli: Cli) -> None:
    ran = cli.run("jobs", "run", "housekeeping", "--at", "2026-11-26T03:15")
    assert ran.returncode == 0, ran.stderr
    assert re.search(r"^\[housekeeping\] Lượt 03:15 ngày 26/11/2026: đã xoá \d+ dòng dữ liệu cũ "
                     r"\(\d+ tin đến đã xử lý, \d+ hội thoại hết hạn\)\.$", ran.stdout, re.MULTILINE)
    again = cli.run("jobs", "run", "housekeeping", "--at", "2026-11-26T03:15")
    assert "[housekeeping] Lượt 03:15 ngày 26/11/2026 đã chạy trước đó" in again.stdout
    listed = cli.run("jobs", "list").stdout
    assert re.search(r"^housekeeping  \[15 3 \* \* \*\]", listed, re.MULTILINE)
    assert re.search(r"Lần gần nhất: 03:15 ngày 26/11/2026: đã chạy, 0 tin, đã xoá \d+ dòng", listed)
    console = cli.run("console", stdin=":run housekeeping 2026-11-27T03:15\n")
    assert "[housekeeping] Lượt 03:15 ngày 27/11/2026: đã xoá" in console.stdout


def test_broadcast_from_the_shell_queues_one_message_per_linked_group(cli: Cli) -> None:
    result = cli.run("broadcast", "--to", "block:KDN", "--text", "Họp giao ban lúc 14:00.")
    assert result.returncode == 0, result.stderr
    assert "Đã nhận thông báo #1 tới 12 nơi nhận" in result.stdout
    later = cli.run("broadcast", "--to", "all", "--text", "Nhắc lịch.", "--at", "2030-01-01T08:00")
    assert "#2 tới 30 nơi nhận, sẽ gửi lúc 08:00 ngày 01/01/2030" in later.stdout
    assert "#2 lúc 08:00 ngày 01/01/2030: Nhắc lịch." in cli.run("broadcast", "--list").stdout
    assert "Đã huỷ thông báo #2" in cli.run("broadcast", "--cancel", "2").stdout
    again = cli.run("broadcast", "--cancel", "2")
    assert again.returncode == 2 and "Không huỷ được thông báo #2" in again.stderr
    bad = cli.run("broadcast", "--to", "khoi:KDN", "--text", "x")
    assert bad.returncode == 2 and "không phải nhóm nhận hợp lệ" in bad.stderr


def test_run_and_console_with_jobs_start_the_scheduler(cli: Cli) -> None:
    cli = Cli(cli.env | {"SANGKIEN__SCHEDULES__ENABLED": "true"}, cli.cwd)
    log = cli.cwd / "data" / "sangkien.log"
    assert cli.run("console", "--as", "0900000002", stdin=":who\n").returncode == 0
    assert "scheduler started" not in log.read_text(encoding="utf-8")
    assert cli.run("console", "--with-jobs", stdin=":who\n").returncode == 0
    assert re.search(r"scheduler started: .*officer_digest", log.read_text(encoding="utf-8"))
    log.write_text("", encoding="utf-8")
    assert cli.run("run", stdin="/tiendo\n").returncode == 0
    assert re.search(r"scheduler started: .*officer_digest", log.read_text(encoding="utf-8"))
