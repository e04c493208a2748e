"""The logs of a whole run hold no token, no webhook secret, no phone number, no link code and
no sign-in link.

`sangkien run` serves Telegram and Zalo at once at DEBUG level, the libraries' loggers raised to
DEBUG too (the most an operator can ask for); people onboard on both by typing and sharing phone
numbers, register initiatives, an operator makes link codes from the shell, an officer links their
chat with one and makes another with /maketnoi, and staff ask /web for a sign-in link. Every line
of every process's log is then scanned. Phones may appear only masked (091****678).
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import Sequence

import pytest

from tests.e2e.conftest import Cli
from tests.e2e.test_zalo_run import Running
from tests.fakes import zalo_events
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_people import TgUser
from tests.fakes.zalo_api import FakeZalo

pytestmark = pytest.mark.slow

PHONE = re.compile(r"(?<![\w*])(?:\+?84|0)[\s.]?\d{2,3}[\s.]?\d{3}[\s.]?\d{3,4}(?![\w*])")
"""A phone number standing alone: not digits inside a longer word (a hex token, a hash)."""
ZALO_USER = "1a2b3c4d5e6f7a8b9c0d"
LINK_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")
SIGN_IN_TOKEN = re.compile(r"/dang-nhap/([A-Za-z0-9_-]+)")
TYPED = ("0912 345 678", "+84 987 654 321", "0900000004")
DIALOG = ["/sangkien", "Cải tiến sổ giao ca bằng điện thoại", "4",
          "Ghi sổ giao ca trên điện thoại thay cho sổ giấy ở từng tổ.", "Không còn thất lạc sổ.",
          "200 triệu", "1"]


def leaks(text: str, secrets: list[str], codes: Sequence[str] = ()) -> list[str]:
    found = [s for s in secrets if s and s in text]
    found += [c for c in codes if re.search(rf"(?<!\d){c}(?!\d)", text)]
    return found + [m.group(0) for m in PHONE.finditer(text)]


def code_in(output: str) -> str:
    """Return the link code in a text (`sangkien link-code` output or the bot's message)."""
    found = LINK_CODE.search(output)
    assert found, output
    return found.group(0)


async def reply_with(fake: FakeTelegram, chat: int, words: str) -> str:
    """Read the bot's messages to a chat up to the one containing `words`; return it."""
    while True:
        text = (await fake.next_message(chat, wait=30)).text
        if words in text:
            return text


async def telegram_officers(fake: FakeTelegram, shell: Cli) -> tuple[list[str], list[str]]:
    """An officer and a staff member link their chats with codes made in the shell; the officer
    makes a code with /maketnoi, the staff member asks /web for a sign-in link.

    Returns the codes and the sign-in token that went through the bot.
    """
    minh, ha = TgUser(fake, 535353, "Minh"), TgUser(fake, 545454, "Hà")
    typed = [code_in((await asyncio.to_thread(shell.run, "link-code", phone)).stdout)
             for phone in ("0900000002", "0900000001")]
    await minh.says(typed[0])
    await reply_with(fake, minh.chat, "Đã liên kết")
    await minh.says("/maketnoi 0900000003")
    made = code_in(await reply_with(fake, minh.chat, "Mã liên kết"))
    await ha.says(typed[1])
    await reply_with(fake, ha.chat, "Đã liên kết")
    await ha.says("/web")
    token = SIGN_IN_TOKEN.search(await reply_with(fake, ha.chat, "/dang-nhap/"))
    assert token is not None
    return [*typed, made], [token.group(1)]


async def telegram_people(fake: FakeTelegram) -> None:
    lan = TgUser(fake, 515151, "Lan")
    await lan.says("/start DN01")
    for _ in range(2):
        await fake.next_message(lan.chat, wait=30)
    await lan.says("Nguyễn Văn Tư")
    await fake.next_message(lan.chat)
    await lan.says(TYPED[0])
    await fake.next_message(lan.chat)
    for line in DIALOG:
        await fake.next_message(lan.chat)
        await lan.says(line)
    assert "Đã gửi sáng kiến" in (await fake.next_message(lan.chat)).text
    huy = TgUser(fake, 525252, "Huy")
    await huy.says("/start TH01")
    for _ in range(2):
        await fake.next_message(huy.chat)
    await huy.says("Phạm Quốc Huy")
    await fake.next_message(huy.chat)
    await huy.shares_contact(TYPED[2])
    await fake.next_message(huy.chat)


async def zalo_person(fake: FakeZalo) -> None:
    for words, answers in (("/start DN02", 2), ("Trần Thị Bình", 1), (TYPED[1], 2)):
        await fake.push(zalo_events.text(ZALO_USER, words))
        for _ in range(answers):
            await fake.next_message(ZALO_USER, within=30)


async def test_a_whole_run_logs_no_secret_and_no_phone(cli: Cli, fake_zalo: FakeZalo) -> None:
    telegram = await FakeTelegram().start()
    env = cli.env | {"SANGKIEN__LOGGING__LEVEL": "DEBUG", "SANGKIEN__LOGGING__LIBRARIES": "DEBUG",
                     "SANGKIEN__TELEGRAM__TOKEN": telegram.token,
                     "SANGKIEN__TELEGRAM__BASE_URL": telegram.base_url,
                     "SANGKIEN__TELEGRAM__POLL_TIMEOUT": "2",
                     "SANGKIEN__TELEGRAM__PACING__PER_CHAT_PER_SECOND": "50",
                     "SANGKIEN__ZALO__TOKEN": fake_zalo.token,
                     "SANGKIEN__ZALO__BASE_URL": fake_zalo.base_url,
                     "SANGKIEN__ZALO__POLL_TIMEOUT": "1"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=cli.cwd,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    running = Running(proc)
    running.reader = asyncio.create_task(running.read_logs())
    try:
        shell = Cli(env, cli.cwd)
        *_, (passed, tokens) = await asyncio.gather(
            telegram_people(telegram), zalo_person(fake_zalo), telegram_officers(telegram, shell))
        codes = [shell.run("link-code", "0900000002"), shell.run("link-code", "0900000004")]
        assert all(c.returncode == 0 for c in codes), [c.stderr for c in codes]
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        await running.reader
        await telegram.close()
    logs = "".join(running.lines) + "".join(c.stderr for c in codes)
    assert proc.returncode == 0, logs[-3000:]
    assert len(running.lines) > 50, "DEBUG logging should have said a lot"
    assert "sendMessage" in logs and " telegram." in logs, "the library's DEBUG lines are in"
    secrets = [telegram.token, telegram.token.split(":")[1], fake_zalo.token,
               fake_zalo.token.split(":")[-1], *tokens]
    link_codes = [*passed, *(code_in(c.stdout) for c in codes)]
    assert leaks(logs, secrets, link_codes) == [], [
        line for line in logs.splitlines() if leaks(line, secrets, link_codes)][:3]
    assert re.search(r"09\d\*{4}\d{3}", logs), "phones should appear masked where logged"
