"""A COMMIT that went through but whose answer was lost (a connection cut at that moment).

The router takes it for a transient error and runs the update again: the second try finds it
claimed (a duplicate), yet the replies the first try queued, held by this worker, must still
leave, once.
"""

from __future__ import annotations

from typing import Any

import asyncpg.transaction
import pytest
from sqlalchemy import select

from storage import inline_sqlite
from storage.models import OutboxMessage, ProcessedUpdate
from tests.fakes.driver import ChatDriver


@pytest.fixture
def lose_next_commit_answer(chat: ChatDriver, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Arm: the next COMMIT is applied, then the connection 'drops' before its answer."""
    sqlite = chat.app.engine.dialect.name == "sqlite"
    owner: Any = inline_sqlite.InlineConnection if sqlite else asyncpg.transaction.Transaction
    original = owner.commit
    armed = {"left": 0, "lost": 0}

    async def commit(self: Any) -> None:
        await original(self)
        if armed["left"]:
            armed["left"] -= 1
            armed["lost"] += 1
            raise ConnectionResetError("the answer to COMMIT was lost")

    monkeypatch.setattr(owner, "commit", commit)
    return armed


async def test_the_replies_of_a_commit_whose_answer_was_lost_still_leave_once(
        chat: ChatDriver, lose_next_commit_answer: dict[str, int]) -> None:
    lan = await chat.member("0900000003")
    lose_next_commit_answer["left"] = 1
    update_id = await lan.says("/sangkien")
    assert lose_next_commit_answer["lost"] == 1
    [reply] = await lan.replies()
    assert reply.startswith("Bước 1/6.")
    async with chat.app.sessions() as session:
        claims = (await session.execute(select(ProcessedUpdate.update_id)
                                        .where(ProcessedUpdate.update_id == update_id))).all()
        rows = (await session.execute(select(OutboxMessage.status)
                                      .where(OutboxMessage.dedup_key.like(
                                          f"reply:memory:{update_id}:%")))).scalars().all()
    assert (len(claims), rows) == (1, ["sent"])
    await lan.says("Cải tiến quy trình nhập kho bằng mã QR")  # the dialog goes on as usual
    assert (await lan.next_reply()).startswith("Bước 2/6.")


async def test_given_up_after_a_lost_commit_the_redelivery_sends_the_replies(
        chat: ChatDriver, lose_next_commit_answer: dict[str, int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The first try commits unanswered, the next ones find the database gone: the update is
    # given up (the platform will deliver it again). The redelivery finds it claimed; its
    # replies, held by this worker since the first try, leave then.
    from handlers import router as router_module
    from handlers.errors import Unavailable

    monkeypatch.setattr(router_module, "TRANSIENT_ATTEMPTS", 1)
    lan = await chat.member("0900000003")
    lose_next_commit_answer["left"] = 1
    with pytest.raises(Unavailable):
        await lan.says("/sangkien", update_id="u-lost")
    lan.no_reply()
    await lan.says("/sangkien", update_id="u-lost")
    [reply] = await lan.replies()
    assert reply.startswith("Bước 1/6.")
