"""The thin Zalo client against the fake server: envelopes, error codes, and no token leaks."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest
from aiohttp import web

from bot.channels.zalo.client import (
    AnswerLost,
    NotFound,
    PollTimeout,
    QuotaExceeded,
    Unauthorized,
    ZaloClient,
    ZaloError,
    ZaloUnavailable,
)
from tests.fakes.zalo_api import TOKEN, FakeZalo


@pytest.fixture
async def client(fake_zalo: FakeZalo):
    zalo = ZaloClient(base_url=fake_zalo.base_url, token=TOKEN)
    yield zalo
    await zalo.close()


async def test_get_me_returns_the_result_of_the_envelope(client: ZaloClient) -> None:
    assert (await client.get_me())["account_name"] == "Bot CongDoan"


async def test_method_names_are_case_sensitive(client: ZaloClient) -> None:
    with pytest.raises(NotFound):
        await client.call("getme")


async def test_an_idle_poll_is_a_poll_timeout_not_a_failure(client: ZaloClient) -> None:
    with pytest.raises(PollTimeout):
        await client.get_updates(wait=1)


async def test_one_update_per_poll_in_order(client: ZaloClient, fake_zalo: FakeZalo) -> None:
    await fake_zalo.push({"ok": True, "result": {"event_name": "a", "message": {}}})
    await fake_zalo.push({"event_name": "b", "message": {}})
    assert (await client.get_updates(wait=1))["event_name"] == "a"
    assert (await client.get_updates(wait=1))["event_name"] == "b"


async def test_a_wrong_token_never_shows_in_the_error_or_the_logs(
        fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = ZaloClient(base_url=fake_zalo.base_url, token="4242:very-secret-wrong-token")
    try:
        with pytest.raises(Unauthorized) as refused:
            await wrong.send_message("u1", "xin chào")
    finally:
        await wrong.close()
    assert "very-secret" not in str(refused.value) and "very-secret" not in caplog.text
    assert refused.value.code == 401


async def test_an_unreachable_server_names_only_the_method(unused_tcp_port: int) -> None:
    zalo = ZaloClient(base_url=f"http://127.0.0.1:{unused_tcp_port}", token="77:hidden-token")
    try:
        with pytest.raises(ZaloUnavailable) as failed:
            await zalo.get_me()
    finally:
        await zalo.close()
    assert "hidden-token" not in str(failed.value) and failed.value.__cause__ is None
    assert str(failed.value).startswith("Zalo getMe:")


async def test_quota_exceeded_and_text_length_are_checked(client: ZaloClient,
                                                          fake_zalo: FakeZalo) -> None:
    with pytest.raises(ZaloError) as too_long:
        await client.send_message("u1", "x" * 2001)
    assert too_long.value.code == 400
    fake_zalo.quota_exceeded = True
    with pytest.raises(QuotaExceeded):
        await client.send_message("u1", "xin chào")


async def test_ok_is_checked_before_the_http_status(unused_tcp_port: int) -> None:
    async def refuse(_request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 429, "description": "Quota exceeded"})

    server = web.Application()
    server.router.add_post("/bot1:t/sendMessage", refuse)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    zalo = ZaloClient(base_url=f"http://127.0.0.1:{unused_tcp_port}", token="1:t")
    try:
        with pytest.raises(QuotaExceeded):  # HTTP 200, but ok is false
            await zalo.send_message("u1", "xin chào")
    finally:
        await zalo.close()
        await runner.cleanup()


async def test_webhook_info_is_none_when_no_webhook_is_set(client: ZaloClient) -> None:
    assert await client.get_webhook_info() is None
    await client.set_webhook("https://bot.example.org/zalo/webhook", "secret-123")
    assert (await client.get_webhook_info())["url"] == "https://bot.example.org/zalo/webhook"
    await client.delete_webhook()
    assert await client.get_webhook_info() is None


async def test_a_request_whose_answer_is_cut_off_is_an_answer_lost(
        client: ZaloClient, fake_zalo: FakeZalo) -> None:
    fake_zalo.lose_answers = 1
    with pytest.raises(AnswerLost):
        await client.send_message("u1", "xin chào")
    assert [sent.text for sent in fake_zalo.sent] == ["xin chào"]


async def test_a_request_unanswered_past_the_read_time_out_is_an_answer_lost() -> None:
    async def stall(request: web.Request) -> web.Response:
        await request.read()
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": {}})

    server = web.Application()
    server.router.add_post("/{bot}/{method}", stall)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    zalo = ZaloClient(base_url=f"http://127.0.0.1:{port}", token=TOKEN, request_timeout=0.3)
    try:
        with pytest.raises(AnswerLost):
            await zalo.send_message("u1", "xin chào")
    finally:
        await zalo.close()
        await runner.cleanup()


async def test_a_refused_connection_is_unavailable_not_an_answer_lost() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nobody listens there once the socket is closed
    zalo = ZaloClient(base_url=f"http://127.0.0.1:{port}", token=TOKEN)
    try:
        with pytest.raises(ZaloUnavailable) as caught:
            await zalo.send_message("u1", "xin chào")
        assert not isinstance(caught.value, AnswerLost)
    finally:
        await zalo.close()
