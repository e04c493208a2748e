"""`sangkien outbox …` in a subprocess, on SQLite and PostgreSQL: list, resend, dismiss, stats."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.channels.memory import MemoryChannel
from handlers.clock import ManualClock
from storage.db import unit_of_work
from storage.models import AuditEntry, OutboxMessage
from storage.repositories import outbox
from storage.work import begin as begin_work
from tests.e2e.conftest import ROOT, Cli
from tests.factories import Federation

LAN = "0900000003"  # Nguyễn Thị Lan's phone: it must never be printed


@pytest.fixture
def ops(db_url: str, tmp_path: Path) -> Cli:
    """The CLI on the same database as the `app` fixture."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")}
    env |= {"SANGKIEN__DATABASE__URL": db_url, "SANGKIEN__WEB__PORT": "0", "PYTHONPATH": str(ROOT)}
    return Cli(env, tmp_path)


async def put(app: App, key: str, *, status: str, member_id: int | None = None,
              text: str = "Xin chào", chat_id: str = "c1", **values: Any) -> int:
    """Queue one row on the memory channel, already in `status`."""
    now = app.clock.now()
    row = {"channel": "memory", "chat_id": chat_id, "text": text, "choices": [], "dedup_key": key,
           "member_id": member_id, "status": status, "not_before": now, "created_at": now,
           "attempts": 1, "claimed_by": "worker-a", "claimed_at": now} | values
    async with unit_of_work(app.sessions) as session:
        row_id = await outbox.add(session, row)
    assert row_id is not None
    return row_id


async def snapshot(app: App, row_id: int) -> dict[str, Any]:
    async with app.sessions() as session:
        found = await session.get(OutboxMessage, row_id)
        assert found is not None
        return {c.key: getattr(found, c.key) for c in OutboxMessage.__table__.columns}


async def make_uncertain(app: App, clock: ManualClock, key: str, text: str) -> int:
    """Queue a row, start sending it from a worker that then dies, and let the lease run out."""
    row_id = await put(app, key, status="pending", text=text, attempts=0, claimed_by=None,
                       claimed_at=None)
    async with unit_of_work(app.sessions) as session:
        await outbox.claim(session, ids=[row_id], worker="dead-worker", now=clock.now(),
                           channels=["memory"])
    async with begin_work(app.engine) as work:
        assert await outbox.start_sending(work, [row_id], worker="dead-worker", now=clock.now())
    clock.advance(seconds=app.config.outbox.sending_lease_seconds + 1)
    assert await app.sender.flag_stale() == [row_id]
    return row_id


def test_resend_help_warns_the_message_may_arrive_twice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")}
    result = Cli(env | {"PYTHONPATH": str(ROOT)}, tmp_path).run("outbox", "resend", "--help")
    assert result.returncode == 0
    assert "receive it twice" in " ".join(result.stdout.split())


async def test_list_says_so_when_no_message_is_uncertain(app: App, ops: Cli) -> None:
    await put(app, "sent", status="sent")
    result = ops.run("outbox", "list")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no uncertain messages\n"


async def test_list_shows_uncertain_rows_with_member_name_and_local_time_never_a_phone(
        app: App, federation: Federation, ops: Cli) -> None:
    lan = federation.members[LAN]
    row_id = await put(app, "u1", status="uncertain", member_id=lan.id, chat_id="777",
                       text=f"Chào chị Lan,\nsố của chị là {LAN}, gọi 0912 345 678 nếu cần. " * 3,
                       last_error="found 'sending' after a crash or time-out")
    await put(app, "f1", status="failed")
    result = ops.run("outbox", "list")
    assert result.returncode == 0, result.stderr
    header, line = result.stdout.splitlines()
    assert header == "1 uncertain message, oldest first; times in Asia/Ho_Chi_Minh:"
    assert line.startswith(f'#{row_id} memory chat=777 member="Nguyễn Thị Lan" status=uncertain '
                           "attempts=1 claimed_by=worker-a claimed_at=2026-11-24 09:00:00 "
                           "last_error=\"found 'sending' after a crash or time-out\" "
                           'text="Chào chị Lan, số của chị là 090****003, gọi 091****678 nếu…"')
    assert LAN not in result.stdout and "345 678" not in result.stdout


async def test_list_failed_rows_up_to_the_limit(app: App, ops: Cli) -> None:
    first = await put(app, "f1", status="failed", last_error="502 Bad Gateway", claimed_by=None,
                      claimed_at=None)
    await put(app, "f2", status="failed")
    await put(app, "u1", status="uncertain")
    result = ops.run("outbox", "list", "--status", "failed", "--limit", "1")
    assert result.returncode == 0, result.stderr
    header, line = result.stdout.splitlines()
    assert header.startswith("1 failed message (more exist: raise --limit)")
    assert line.startswith(f"#{first} memory chat=c1 member=- status=failed attempts=1 "
                           'claimed_by=- claimed_at=- last_error="502 Bad Gateway" text="Xin chào"')
    assert ops.run("outbox", "list", "--status", "sent").returncode == 2


async def test_resend_puts_uncertain_and_failed_rows_back_to_pending(
        app: App, ops: Cli, clock: ManualClock) -> None:
    uncertain = await put(app, "u1", status="uncertain", attempts=1)
    failed = await put(app, "f1", status="failed", attempts=5, last_error="502")
    before = datetime.now(UTC)
    result = ops.run("outbox", "resend", str(uncertain), str(failed))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"resent #{uncertain} #{failed}: pending again")
    for row_id in (uncertain, failed):
        row = await snapshot(app, row_id)
        assert (row["status"], row["attempts"], row["claimed_by"]) == ("pending", 0, None)
        assert row["last_error"].startswith("resent by operator (cli:")
        assert before - timedelta(seconds=1) <= row["not_before"] <= datetime.now(UTC)
    async with app.sessions() as session:
        audit = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
    assert [(a.action, a.subject, a.before, a.after) for a in audit] == [
        ("outbox.resend", f"outbox:{uncertain}", {"status": "uncertain"}, {"status": "pending"}),
        ("outbox.resend", f"outbox:{failed}", {"status": "failed"}, {"status": "pending"})]


async def test_resend_refuses_a_sent_row_and_an_unknown_id_changing_nothing(
        app: App, ops: Cli) -> None:
    sent = await put(app, "s1", status="sent", sent_at=app.clock.now())
    gone = await put(app, "g1", status="gone", chat_id="c2")
    was = await snapshot(app, sent)
    result = ops.run("outbox", "resend", str(sent), str(gone), "9999")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (f"sangkien: not resent: #{sent} is sent, #{gone} is gone, "
                             "#9999 does not exist (only uncertain or failed messages can be)\n")
    assert await snapshot(app, sent) == was
    assert (await snapshot(app, gone))["status"] == "gone"
    assert ops.run("outbox", "resend", "abc").returncode == 2


async def test_resend_of_a_mix_resends_the_uncertain_row_and_refuses_the_sent_one(
        app: App, ops: Cli) -> None:
    uncertain = await put(app, "u1", status="uncertain")
    sent = await put(app, "s1", status="sent")
    result = ops.run("outbox", "resend", str(uncertain), str(sent))
    assert result.returncode == 2
    assert result.stdout.startswith(f"resent #{uncertain}:")
    assert f"not resent: #{sent} is sent" in result.stderr and result.stderr.count("\n") == 1
    assert (await snapshot(app, uncertain))["status"] == "pending"
    assert (await snapshot(app, sent))["status"] == "sent"


async def test_dismiss_closes_an_uncertain_row_as_failed_without_resending(
        app: App, ops: Cli) -> None:
    uncertain = await put(app, "u1", status="uncertain", text="Bản tin sáng")
    pending = await put(app, "p1", status="pending", chat_id="c2")
    result = ops.run("outbox", "dismiss", str(uncertain))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"dismissed #{uncertain}: now failed")
    row = await snapshot(app, uncertain)
    assert row["status"] == "failed" and row["last_error"].startswith("dismissed: uncertain, not")
    assert ops.run("outbox", "list").stdout == "no uncertain messages\n"
    listed = ops.run("outbox", "list", "--status", "failed").stdout
    assert f'#{uncertain} memory' in listed and 'last_error="dismissed: uncertain' in listed
    refused = ops.run("outbox", "dismiss", str(uncertain), str(pending))
    assert refused.returncode == 2
    assert f"#{uncertain} is failed, #{pending} is pending (only uncertain" in refused.stderr
    assert (await snapshot(app, pending))["status"] == "pending"


async def test_stats_counts_messages_per_channel_and_status(app: App, ops: Cli) -> None:
    assert ops.run("outbox", "stats").stdout == "the outbox is empty\n"
    for index, status in enumerate(["sent", "sent", "uncertain", "failed", "pending"]):
        await put(app, f"m{index}", status=status)
    await put(app, "z1", status="gone", channel="zalo")
    result = ops.run("outbox", "stats")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["channel", "pending", "claimed", "sending", "sent", "failed",
                                "gone", "uncertain"]
    assert lines[1].split() == ["memory", "1", "0", "0", "2", "1", "0", "1"]
    assert lines[2].split() == ["zalo", "0", "0", "0", "0", "0", "1", "0"]
    assert "1 uncertain: see `sangkien outbox list`" in lines[3] and "/healthz" in lines[4]


async def test_a_resent_uncertain_row_is_delivered_by_the_sender(
        app: App, ops: Cli, clock: ManualClock) -> None:
    row_id = await make_uncertain(app, clock, "u1", "Nhắc lịch họp 14:00")
    memory = app.channels["memory"]
    assert isinstance(memory, MemoryChannel)
    assert await app.sender.drain_once() == 0 and memory.sent == []
    assert ops.run("outbox", "resend", str(row_id)).returncode == 0
    clock.current = datetime.now(UTC) + timedelta(seconds=1)  # the CLI made it due at real now
    assert await app.sender.drain_once() == 1
    assert await app.sender.drain_once() == 0
    assert [(m.chat.chat_id, m.text) for m in memory.sent] == [("c1", "Nhắc lịch họp 14:00")]
    row = await snapshot(app, row_id)
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 1, None)
    assert row["claimed_by"] == "test"
