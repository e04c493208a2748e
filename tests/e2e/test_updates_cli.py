"""`sangkien updates failed|replay` in a subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from handlers.clock import ManualClock
from storage.models import DialogState, FailedUpdate, OutboxMessage
from tests.e2e.conftest import ROOT, Cli
from tests.fakes.driver import ChatDriver
from tests.integration.test_failed_updates import APOLOGY, at_the_summary_with_a_broken_draft


@pytest.fixture
def ops(db_url: str, tmp_path: Path) -> Cli:
    """The CLI on the same database as the `app` fixture."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")}
    env |= {"SANGKIEN__DATABASE__URL": db_url, "SANGKIEN__WEB__PORT": "0", "PYTHONPATH": str(ROOT)}
    return Cli(env, tmp_path)


async def test_operators_list_a_failed_update_and_replay_it_after_the_fix(
        chat: ChatDriver, ops: Cli, clock: ManualClock) -> None:
    lan = await at_the_summary_with_a_broken_draft(chat)
    await lan.says("9 0900000003", update_id="u-bug")  # a phone in the text: never printed
    assert (await lan.replies())[0].startswith(APOLOGY)
    listed = ops.run("updates", "failed")
    assert listed.returncode == 0, listed.stderr
    assert "1 failed update" in listed.stdout and "update=u-bug" in listed.stdout
    assert "TypeError" in listed.stdout and "0900000003" not in listed.stdout
    failed_id = listed.stdout.split("#", 1)[1].split()[0]
    async with chat.app.sessions() as session, session.begin():
        state = (await session.execute(select(DialogState))).scalar_one()
        # The fix; and the CLI runs on the real clock, days after the test's: keep the draft alive.
        await session.execute(update(DialogState).values(
            draft={**state.draft, "benefit_vnd": 200_000_000},
            expires_at=datetime.now(UTC) + timedelta(days=1)))
    replayed = ops.run("updates", "replay", failed_id)
    assert replayed.returncode == 0, replayed.stderr
    assert f"replayed #{failed_id}: handled" in replayed.stdout
    clock.current = datetime.now(UTC) + timedelta(seconds=5)  # the CLI's clock is the real one
    await chat.app.sender.drain_once()  # the running bot's sender sends what the CLI queued
    refusal, summary = await lan.replies()
    assert "Vui lòng gõ một số" in refusal and "200 triệu đồng" in summary
    assert "no failed updates waiting" in ops.run("updates", "failed").stdout
    async with chat.app.sessions() as session:
        row = (await session.execute(select(FailedUpdate))).scalar_one()
        queued = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert row.replay_result == "handled" and "pending" not in queued


async def test_replaying_an_unknown_id_is_refused_with_exit_2(chat: ChatDriver, ops: Cli) -> None:
    result = ops.run("updates", "replay", "999")
    assert result.returncode == 2 and "#999 does not exist" in result.stderr
