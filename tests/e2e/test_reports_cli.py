"""`sangkien report …` and `sangkien demo load --scale national` as a person runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from tests.e2e.conftest import Cli


def test_league_workbook_has_both_blocks_and_every_union(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "league.xlsx"
    result = cli.run("report", "league", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["KDN", "KHC"]
    codes = [row[2] for name in book.sheetnames
             for row in book[name].iter_rows(min_row=4, values_only=True) if row[0] is not None]
    assert len(codes) == 30 and codes[0].startswith("DN") and "HC05" in codes


def test_league_card_is_a_1080_pixel_png(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "league.png"
    result = cli.run("report", "league", "--format", "png", "-o", str(out), "--unit", "TH01")
    assert result.returncode == 0, result.stderr
    image = Image.open(out)
    assert image.format == "PNG" and image.width == 1080 and image.height > 2000


@pytest.mark.parametrize(("kind", "expect"), [
    ("league", "Bảng xếp hạng"), ("league", "Khối Trường học"), ("units", "Cảnh báo sớm"),
    ("awards", "Đề xuất khen thưởng cá nhân"), ("benefits", "Giá trị làm lợi"),
    ("silent", "chưa gửi sáng kiến nào")])
def test_every_report_prints_as_text(cli: Cli, kind: str, expect: str) -> None:
    result = cli.run("report", kind)
    assert result.returncode == 0, result.stderr
    assert expect in result.stdout


def test_a_block_report_holds_only_that_block(cli: Cli) -> None:
    result = cli.run("report", "league", "--block", "KDN", "--format", "csv")
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0 and len(lines) == 13 and "TH01" not in result.stdout


def test_png_of_a_report_without_a_card_exits_2(cli: Cli, tmp_path: Path) -> None:
    result = cli.run("report", "awards", "--format", "png", "-o", str(tmp_path / "a.png"))
    assert result.returncode == 2 and "không có dạng ảnh" in result.stderr


def test_unknown_phase_exits_2(cli: Cli) -> None:
    result = cli.run("report", "league", "--phase", "9")
    assert result.returncode == 2 and "9" in result.stderr


def test_national_demo_at_a_small_fraction_on_sqlite(tmp_path: Path) -> None:
    from tests.e2e.test_cli import run

    env = {"SANGKIEN__DATABASE__URL": f"sqlite+aiosqlite:///{tmp_path}/nat.db"}
    assert run("db", "upgrade", env=env).returncode == 0
    loaded = run("demo", "load", "--scale", "national", "--fraction", "0.001", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "demo loaded" in loaded.stdout and "initiatives" in loaded.stdout
    league = run("report", "league", "--block", "T01", "--format", "csv", env=env)
    assert league.returncode == 0 and "T01-H01-0001" in league.stdout
    bad = run("demo", "load", "--scale", "national", "--fraction", "2", env=env)
    assert bad.returncode == 2 and "--fraction" in bad.stderr
