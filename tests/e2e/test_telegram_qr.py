"""`sangkien qr`: posters whose QR code opens the bot with the unit's start parameter."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from bot.channels.telegram.poster import start_link
from tests.e2e.conftest import Cli
from tests.fakes.telegram_api import FakeTelegram


def decoded(path: Path) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(path))]


def test_poster_qr_code_opens_the_bot_with_the_unit_code(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "posters" / "dn01.png"
    result = cli.run("qr", "--unit", "dn01", "-o", str(out), "--bot", "@sangkien_bot")
    assert result.returncode == 0, result.stderr
    assert Image.open(out).size == (1240, 1754)
    assert decoded(out) == ["https://t.me/sangkien_bot?start=DN01"]


def test_all_posters_go_to_a_folder_one_per_grassroots_union(cli: Cli, tmp_path: Path) -> None:
    result = cli.run("qr", "--all", "-o", str(tmp_path / "all"), "--bot", "sangkien_bot")
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "all").glob("qr-*.png"))
    assert len(files) == len(result.stdout.split()) >= 20
    assert decoded(tmp_path / "all" / "qr-TH01.png") == ["https://t.me/sangkien_bot?start=TH01"]


@pytest.mark.parametrize(("unit", "message"), [("ZZ99", "ZZ99"), ("KDN", "không phải công đoàn cơ sở")])
def test_unknown_or_non_grassroots_unit_exits_2(cli: Cli, tmp_path: Path, unit: str,
                                                message: str) -> None:
    result = cli.run("qr", "--unit", unit, "-o", str(tmp_path / "x.png"), "--bot", "sangkien_bot")
    assert result.returncode == 2 and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_without_a_username_or_token_it_says_what_to_set(cli: Cli, tmp_path: Path) -> None:
    result = cli.run("qr", "--unit", "DN01", "-o", str(tmp_path / "x.png"))
    assert result.returncode == 2 and "--bot" in result.stderr


async def test_with_only_a_token_it_asks_telegram_for_the_username(cli: Cli, tmp_path: Path) -> None:
    fake = await FakeTelegram(username="donvi_bot").start()
    env = cli.env | {"SANGKIEN__TELEGRAM__TOKEN": fake.token,
                     "SANGKIEN__TELEGRAM__BASE_URL": fake.base_url}
    out = tmp_path / "q.png"
    try:
        result = await asyncio.to_thread(Cli(env, cli.cwd).run, "qr", "--unit", "DN01", "-o",
                                         str(out))
    finally:
        await fake.close()
    assert result.returncode == 0, result.stderr
    assert decoded(out) == ["https://t.me/donvi_bot?start=DN01"]


def test_start_links_follow_telegrams_rules() -> None:
    assert start_link("@Sangkien_bot", "LDLD-DA") == "https://t.me/Sangkien_bot?start=LDLD-DA"
    with pytest.raises(ValueError, match="start parameter"):
        start_link("sangkien_bot", "ĐN 01")
    with pytest.raises(ValueError, match="username"):
        start_link("x", "DN01")
