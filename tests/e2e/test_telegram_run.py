"""`sangkien run` with a Telegram token, against the fake Bot API: the real command, end to end."""

from __future__ import annotations

import asyncio
import signal

from tests.e2e.conftest import Cli
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.telegram_people import TgUser

ANSWERS = ["Cải tiến quy trình nhập kho bằng mã QR", "4",
           "Dán mã QR lên từng kệ hàng và quét bằng điện thoại khi nhập, xuất kho.",
           "Giảm một nửa thời gian kiểm kê hằng tháng.", "200 triệu", "1"]


async def test_sangkien_run_answers_start_and_carries_a_member_through_sangkien(cli: Cli) -> None:
    fake = await FakeTelegram().start()
    env = cli.env | {"SANGKIEN__TELEGRAM__TOKEN": fake.token,
                     "SANGKIEN__TELEGRAM__BASE_URL": fake.base_url,
                     "SANGKIEN__TELEGRAM__POLL_TIMEOUT": "5",
                     "SANGKIEN__TELEGRAM__PACING__PER_CHAT_PER_SECOND": "50",
                     "SANGKIEN__LOGGING__LEVEL": "DEBUG"}
    proc = Cli(env, cli.cwd).popen("run")
    try:
        lan = TgUser(fake, 424242, "Lan")
        await lan.says("/start")
        assert "Chương trình" in (await fake.next_message(lan.chat, wait=30)).text
        assert "công đoàn cơ sở nào" in (await fake.next_message(lan.chat)).text
        await lan.says("DN01")
        await fake.next_message(lan.chat)
        await lan.says("Nguyễn Thị Lan")
        assert (await fake.next_message(lan.chat)).contact_button
        await lan.shares_contact("0900000003")
        assert "có trong danh sách" in (await fake.next_message(lan.chat)).text
        await fake.next_message(lan.chat)
        await lan.says("/sangkien")
        for answer in ANSWERS:
            await fake.next_message(lan.chat)
            await lan.says(answer)
        assert "Đã gửi sáng kiến SK-" in (await fake.next_message(lan.chat)).text
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.to_thread(proc.communicate, timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        await fake.close()
    assert proc.returncode == 0, stderr[-2000:]
    assert "connected as @fake_bot" in stderr
    assert fake.token not in stderr and fake.token.split(":")[1] not in stderr
    assert "0900000003" not in stderr
    fake.assert_all_read()
