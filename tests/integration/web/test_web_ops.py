"""Operations: /healthz and /metrics (Prometheus text) on the one web server."""

from __future__ import annotations

import json
from collections import deque

from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot import scheduling
from bot.app import App
from handlers.channel import RecipientGone
from handlers.clock import ManualClock
from schedules.control import run_now
from storage.db import unit_of_work
from storage.repositories import outbox as outbox_repo
from tests.conftest import make_config
from tests.factories import Federation
from tests.fakes.driver import ChatDriver
from tests.fakes.flaky_channel import FlakyChannel
from tests.integration.web.conftest import Browser, serve, signed_in


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Read an exposition into {(sample name, sorted labels): value}."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


async def test_healthz_reports_database_scheduler_and_outbox_depth(
        app: App, chat: ChatDriver, browser: Browser) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/tiendo")
    await lan.next_reply()
    page = await browser.get("/healthz")
    body = json.loads(page.body)
    assert page.status == 200 and body["database"] == "ok" and body["scheduler"] == "off"
    assert body["outbox"] == {"sent": 1}
    scheduling.attach(app)
    app.scheduler = await scheduling.start(app)
    try:
        assert json.loads((await browser.get("/healthz")).body)["scheduler"] == "running"
        app.scheduler.shutdown(wait=False)
        stopped = await browser.get("/healthz")
        assert stopped.status == 503 and b'"scheduler": "stopped"' in stopped.body
    finally:
        if app.scheduler.running:
            app.scheduler.shutdown(wait=False)


async def test_metrics_count_updates_sends_job_runs_outbox_and_web_requests(
        app: App, chat: ChatDriver, browser: Browser, clock: ManualClock) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/tiendo", update_id="u-1")
    await lan.says("/tiendo", update_id="u-1")
    await lan.next_reply()
    flaky = FlakyChannel(script=deque([RecipientGone("blocked")]))
    app.add_channel(flaky)
    async with unit_of_work(app.sessions) as session:
        for n in (1, 2):
            await outbox_repo.add(session, {
                "channel": "flaky", "chat_id": f"c{n}", "is_group": False, "text": "x",
                "dedup_key": f"m{n}", "status": "pending", "attempts": 0, "priority": 0,
                "not_before": clock.now(), "created_at": clock.now(), "choices": []})
    await app.sender.drain_once()
    scheduling.attach(app)
    await run_now(scheduling.job_context(app), scheduling.specs(app)["officer_digest"])
    await signed_in(browser, app, "0900000002")
    await browser.get("/tong-quan")
    found = samples((await browser.get("/metrics")).text)
    assert found[("sangkien_updates_total", (("channel", "memory"), ("result", "handled")))] == 1
    assert found[("sangkien_updates_total", (("channel", "memory"), ("result", "duplicate")))] == 1
    assert found[("sangkien_sends_total", (("channel", "flaky"), ("result", "gone")))] == 1
    assert found[("sangkien_sends_total", (("channel", "flaky"), ("result", "sent")))] == 1
    assert found[("sangkien_sends_total", (("channel", "memory"), ("result", "sent")))] == 1
    assert found[("sangkien_job_runs_total", (("job", "officer_digest"), ("result", "done")))] == 1
    assert found[("sangkien_outbox_messages", (("status", "gone"),))] == 1
    assert found[("sangkien_outbox_messages", (("status", "sent"),))] == 2
    count = ("sangkien_web_request_seconds_count",
             (("method", "GET"), ("route", "/tong-quan"), ("status", "200")))
    assert found[count] == 1


async def test_two_apps_keep_their_own_metrics(db_url: str, clock: ManualClock,
                                               federation: Federation, app: App) -> None:
    other = App.create(make_config(db_url), clock=clock, worker_id="other")
    try:
        async with serve(other) as browser:
            await browser.get("/healthz")
            mine = samples((await browser.get("/metrics")).text)
        route = ("sangkien_web_request_seconds_count",
                 (("method", "GET"), ("route", "/healthz"), ("status", "200")))
        assert mine[route] == 1
        assert app.metrics.registry is not other.metrics.registry
        assert not [s for s in samples(generate_latest(
            app.metrics.registry).decode()) if s[0] == "sangkien_web_request_seconds_count"]
    finally:
        await other.close()


async def test_metrics_count_the_statements_and_commits_an_update_costs(
        app: App, chat: ChatDriver, browser: Browser) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.next_reply()
    before = samples((await browser.get("/metrics")).text)
    await lan.says("Cải tiến quy trình nhập kho bằng mã QR")
    await lan.next_reply()
    after = samples((await browser.get("/metrics")).text)

    def spent(name: str) -> float:
        return after[(name, ())] - before[(name, ())]

    # The update's transaction and the one that marks its reply sent; the update's statements:
    # claim and writer (one on PostgreSQL), the titles for the duplicate hint, the state, the
    # reply, the sent mark (and what /metrics itself reads).
    assert spent("sangkien_db_commits_total") >= 2
    assert 4 <= spent("sangkien_db_statements_total") <= 12
