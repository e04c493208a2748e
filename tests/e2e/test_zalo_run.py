"""`sangkien run` in a subprocess with SANGKIEN__ZALO__* pointing at the fake Zalo Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from tests.e2e.conftest import Cli
from tests.fakes import zalo_events
from tests.fakes.zalo_api import FakeZalo, WebhookDriver
from tests.fakes.zalo_bot import SECRET

USER = "6ede9afa66b88fe6d6a9"
pytestmark = pytest.mark.slow


@dataclass
class Running:
    """The `sangkien run` process and what it logged so far."""

    proc: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None

    async def read_logs(self) -> None:
        assert self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            self.lines.append(line.decode("utf-8", "replace"))

    async def web_port(self) -> int:
        async with asyncio.timeout(20):
            while True:
                for line in self.lines:
                    if found := re.search(r"listening on [\d.]+:(\d+)", line):
                        return int(found.group(1))
                await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def sangkien_run(cli: Cli, fake: FakeZalo, **zalo: str) -> AsyncIterator[Running]:
    env = cli.env | {"SANGKIEN__ZALO__TOKEN": fake.token, "SANGKIEN__ZALO__BASE_URL": fake.base_url,
                     "SANGKIEN__ZALO__POLL_TIMEOUT": "1"}
    env |= {f"SANGKIEN__ZALO__{key.upper()}": value for key, value in zalo.items()}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=cli.cwd,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    running = Running(proc)
    running.reader = asyncio.create_task(running.read_logs())
    try:
        yield running
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
        await running.reader
        logs = "".join(running.lines)
        assert code == 0, logs
        assert fake.token not in logs and fake.token.split(":")[1] not in logs
        assert SECRET not in logs


async def converse(fake: FakeZalo, deliver) -> None:
    """Onboard, then register an initiative, typing numbers for choices."""
    script = [
        ("/start", ["Chương trình", "công đoàn cơ sở nào"]),
        ("DN01", ["Đơn vị: "]),
        ("Nguyễn Thị Lan", ["Số điện thoại"]),
        ("0900000003", ["Nguyễn Thị Lan", "1. Đăng ký sáng kiến mới"]),
        ("/sangkien", ["Bước 1/6"]),
        ("Cải tiến quy trình nhập kho bằng mã QR", ["4. Kỹ thuật"]),
        ("4", ["Bước 3/6"]),
        ("Dán mã QR lên từng kệ hàng và quét bằng điện thoại khi nhập, xuất kho.", ["Bước 4/6"]),
        ("Giảm một nửa thời gian kiểm kê hằng tháng.", ["Bước 5/6"]),
        ("bỏ qua", ["1. Gửi"]),
        ("1", ["Đã gửi sáng kiến SK-"]),
    ]
    for words, expected in script:
        await deliver(zalo_events.text(USER, words))
        for fragment in expected:
            assert fragment in (await fake.next_message(USER, within=30)).text


async def test_run_answers_start_and_carries_a_member_through_sangkien_by_polling(
        cli: Cli, fake_zalo: FakeZalo) -> None:
    async with sangkien_run(cli, fake_zalo):
        await converse(fake_zalo, fake_zalo.push)
    fake_zalo.assert_all_read()


async def test_run_does_the_same_by_webhook_with_the_secret_set(cli: Cli, fake_zalo: FakeZalo) -> None:
    url = "https://bot.example.org/zalo/webhook"
    async with sangkien_run(cli, fake_zalo, mode="webhook", webhook_secret=SECRET,
                            webhook_url=url) as running:
        port = await running.web_port()
        driver = WebhookDriver(f"http://127.0.0.1:{port}/zalo/webhook", SECRET)
        status, _ = await driver.post(zalo_events.text(USER, "/start"), secret="wrong-secret")
        assert status == 403

        async def deliver(body: dict) -> None:
            status, _ = await driver.post(body)
            assert status == 200

        await converse(fake_zalo, deliver)
    assert fake_zalo.webhook is not None and fake_zalo.webhook["url"] == url
    assert fake_zalo.calls["getUpdates"] == 0
    fake_zalo.assert_all_read()


async def test_zalo_status_and_resume_from_the_command_line(cli: Cli) -> None:
    status = cli.run("zalo", "status")
    assert status.returncode == 0 and "quota 3000" in status.stdout, status.stderr
    resumed = cli.run("zalo", "resume")
    assert resumed.returncode == 0 and "not paused" in resumed.stdout


async def test_zalo_webhook_set_info_and_delete_from_the_command_line(cli: Cli,
                                                                      fake_zalo: FakeZalo) -> None:
    env = cli.env | {"SANGKIEN__ZALO__TOKEN": fake_zalo.token,
                     "SANGKIEN__ZALO__BASE_URL": fake_zalo.base_url,
                     "SANGKIEN__ZALO__WEBHOOK_URL": "https://bot.example.org/zalo/webhook",
                     "SANGKIEN__ZALO__WEBHOOK_SECRET": SECRET}

    async def zalo(*args: str) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "zalo", "webhook", *args, env=env, cwd=cli.cwd,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        assert fake_zalo.token not in (out + err).decode()
        return proc.returncode or 0, out.decode()

    assert await zalo("set") == (0, "webhook: https://bot.example.org/zalo/webhook\n")
    assert fake_zalo.webhook["secret_token"] == SECRET
    assert await zalo("info") == (0, "webhook: https://bot.example.org/zalo/webhook\n")
    assert await zalo("delete") == (0, "webhook: none (polling works)\n")
    fake_zalo.token = "1:another-bot"
    code, _ = await zalo("info")
    assert code == 1
