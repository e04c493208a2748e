"""A bug stops an update: the person gets an apology, the update is kept whole for operators,
a redelivery changes nothing, and a replay after the fix answers it for real."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.app import App
from handlers.services import failed_updates
from handlers.types import Inbound
from storage.models import DialogState, FailedUpdate, OutboxMessage
from tests.fakes.driver import ChatDriver, ChatUser

APOLOGY = "Xin lỗi, hệ thống gặp sự cố khi xử lý tin nhắn này."


async def at_the_summary_with_a_broken_draft(chat: ChatDriver) -> ChatUser:
    """A member at the summary whose stored draft has text where a number belongs.

    The summary's money filter then raises: a real bug path, reached through stored data.
    """
    lan = await chat.member("0900000003")
    for text in ("/sangkien", "Cải tiến quy trình nhập kho bằng mã QR", "4",
                 "Dán mã QR lên từng kệ và quét bằng điện thoại khi nhập, xuất kho.",
                 "Giảm một nửa thời gian kiểm kê hằng tháng.", "200 triệu"):
        await lan.says(text)
        await lan.replies()
    async with chat.app.sessions() as session, session.begin():
        state = (await session.execute(select(DialogState))).scalar_one()
        await session.execute(update(DialogState).where(DialogState.id == state.id).values(
            draft={**state.draft, "benefit_vnd": "hai trăm"}))
    return lan


async def count(app: App, model: type) -> int:
    async with app.sessions() as session:
        return (await session.execute(select(func.count(model.id)))).scalar_one()


async def test_a_bug_is_apologised_for_and_the_update_kept_whole(chat: ChatDriver) -> None:
    lan = await at_the_summary_with_a_broken_draft(chat)
    await lan.says("9", update_id="u-bug")
    [reply] = await lan.replies()
    assert reply.startswith(APOLOGY)
    async with chat.app.sessions() as session:
        [failed] = await failed_updates.list_failed(session, limit=10)
        step = (await session.execute(select(DialogState.step))).scalar_one()
    assert (failed.update_id, failed.inbound.text, failed.inbound.user_id) == (
        "u-bug", "9", lan.user_id)
    assert "TypeError" in failed.error and step == "confirm"


async def test_a_failed_update_delivered_again_is_not_kept_or_answered_twice(
        chat: ChatDriver) -> None:
    lan = await at_the_summary_with_a_broken_draft(chat)
    await lan.says("9", update_id="u-bug")
    await lan.replies()
    before = await count(chat.app, OutboxMessage)
    await lan.says("9", update_id="u-bug")
    lan.no_reply()
    assert await count(chat.app, FailedUpdate) == 1
    assert await count(chat.app, OutboxMessage) == before


async def test_a_replay_after_the_fix_answers_the_update_for_real(chat: ChatDriver) -> None:
    lan = await at_the_summary_with_a_broken_draft(chat)
    await lan.says("9", update_id="u-bug")
    assert (await lan.replies())[0].startswith(APOLOGY)
    async with chat.app.sessions() as session, session.begin():  # the fix: a sound draft
        state = (await session.execute(select(DialogState))).scalar_one()
        await session.execute(update(DialogState).where(DialogState.id == state.id).values(
            draft={**state.draft, "benefit_vnd": 200_000_000}))
        [failed] = await failed_updates.list_failed(session, limit=10)
    handled = await chat.app.router.handle(failed_updates.replay_of(failed, 1), apologise=False)
    assert not handled.failed and not handled.duplicate
    await chat.app.sender.send_held(handled.held)
    refusal, summary = await lan.replies()
    assert "Vui lòng gõ một số" in refusal and "200 triệu đồng" in summary


def test_a_replay_gets_an_id_of_its_own() -> None:
    from handlers.types import ChatRef

    failed = failed_updates.Failed(7, "memory", "c", "u1", "", None, None, None,  # type: ignore[arg-type]
                                   Inbound(ChatRef("memory", "c"), "u", "u1", text="9"))
    assert failed_updates.replay_of(failed, 3).update_id == "replay:7:3:u1"
