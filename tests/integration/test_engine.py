from __future__ import annotations

from dataclasses import dataclass, field

from handlers.dialogs.engine import Dialog
from tests.fakes.driver import ChatDriver


@dataclass
class ListDraft:
    version: int = 1
    items: list[str] = field(default_factory=list)


def test_a_loaded_draft_shares_nothing_with_the_stored_json() -> None:
    dialog = Dialog(name="t", draft_type=ListDraft, first_step="a", handlers={}, prompt=None)  # type: ignore[arg-type]
    stored = {"version": 1, "items": ["a"], "gone": 1}
    draft = dialog.load(stored)
    draft.items.append("b")
    assert stored["items"] == ["a"]
    assert dialog.dump(draft) == {"version": 1, "items": ["a", "b"]}


async def test_a_step_the_dialog_no_longer_has_starts_it_over_with_the_draft(chat, federation) -> None:
    from sqlalchemy import update

    from storage.models import DialogState

    lan = await chat.member("0900000003")
    await lan.says("/sangkien Cải tiến sổ giao ca điện tử")
    await lan.next_reply()
    async with chat.app.sessions() as session, session.begin():
        await session.execute(update(DialogState).values(step="renamed_by_a_deploy"))
    await lan.says("Cải tiến sổ giao ca trên điện thoại")
    assert "Bước 2/6" in await lan.next_reply()


async def test_a_dialog_that_expired_unanswered_does_not_block_the_next_one(
        chat: ChatDriver, clock) -> None:
    lan = await chat.member("0900000003")
    await lan.says("/sangkien")
    await lan.replies()
    clock.advance(days=8)  # the draft expired, still marked active (housekeeping runs at night)
    await lan.says("xin chào")
    [menu] = await lan.replies()
    assert "1." in menu
    await lan.says("/rut")
    assert "Bạn muốn rút" in (await lan.replies())[0]
