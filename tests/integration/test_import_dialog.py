"""Staff send a roster file in chat: the dry-run report, then apply or cancel."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from handlers.types import InboundKind
from storage.models import AuditEntry, DialogState, Member
from tests.fakes.driver import ChatDriver, ChatUser
from tests.rosterfiles import MEMBERS, TARGETS, write_csv, write_xlsx

NEW = ("0912345678", "Bùi Thị Hoa", "DN02", "")


async def send_file(user: ChatUser, path: Path) -> None:
    await user.says(kind=InboundKind.FILE, path=str(path), filename=path.name)


async def scalar(chat: ChatDriver, stmt: object) -> object:
    async with chat.app.sessions() as session:
        return (await session.execute(stmt)).scalar_one_or_none()  # type: ignore[call-overload]


async def members_named(chat: ChatDriver, name: str) -> int:
    return await scalar(chat, select(func.count(Member.id)).where(Member.name == name))  # type: ignore[return-value]


async def test_staff_file_gets_the_report_and_apply_writes_it_with_an_audit_entry(
        chat: ChatDriver, tmp_path: Path) -> None:
    ha = await chat.member("0900000001")
    await send_file(ha, write_xlsx(tmp_path / "ds-t11.xlsx", MEMBERS, [NEW]))
    report = await ha.next_reply()
    assert "ds-t11.xlsx (danh sách đoàn viên): 1 dòng dữ liệu" in report
    assert "Sẽ thêm 1, sửa 0, giữ nguyên 0" in report and "+ Dòng 2: 0912345678" in report
    question = await ha.next_message()
    assert "Áp dụng các thay đổi trên" in question.text and question.choices == ("Áp dụng", "Huỷ")
    await ha.says("1")
    assert "Đã ghi ds-t11.xlsx: thêm 1" in await ha.next_reply()
    assert await members_named(chat, "Bùi Thị Hoa") == 1
    entry = await scalar(chat, select(AuditEntry))
    assert isinstance(entry, AuditEntry) and entry.action == "roster.import"
    assert entry.actor_id == await scalar(chat, select(Member.id).where(Member.phone == "0900000001"))
    assert await scalar(chat, select(func.count(DialogState.id))) == 0


async def test_cancel_writes_nothing(chat: ChatDriver, tmp_path: Path) -> None:
    ha = await chat.member("0900000001")
    await send_file(ha, write_csv(tmp_path / "ds.csv", MEMBERS, [NEW]))
    await ha.replies()
    await ha.says("2")
    assert "Đã huỷ, không ghi gì từ tệp ds.csv" in await ha.next_reply()
    assert await members_named(chat, "Bùi Thị Hoa") == 0
    assert await scalar(chat, select(func.count(AuditEntry.id))) == 0


async def test_a_file_with_a_bad_row_gets_the_report_and_no_question(
        chat: ChatDriver, tmp_path: Path) -> None:
    ha = await chat.member("0900000001")
    await send_file(ha, write_csv(tmp_path / "ds.csv", MEMBERS, [NEW, ("0912", "Ai", "DN01", "")]))
    report = await ha.next_reply()
    assert 'Dòng 3: số điện thoại "0912" không phải số di động Việt Nam' in report
    assert "Sửa các dòng lỗi trong tệp rồi gửi lại" in report
    ha.no_reply()
    assert await scalar(chat, select(func.count(DialogState.id))) == 0
    assert await members_named(chat, "Bùi Thị Hoa") == 0


async def test_staff_cannot_make_an_admin_from_chat(chat: ChatDriver, tmp_path: Path) -> None:
    ha = await chat.member("0900000001")
    await send_file(ha, write_csv(tmp_path / "ds.csv", MEMBERS, [("0912000009", "Ai", "DN01", "admin")]))
    assert "Dòng 2: bạn không được giao hoặc đổi vai trò quản trị viên" in await ha.next_reply()


async def test_a_member_sending_a_file_gets_a_polite_refusal(chat: ChatDriver,
                                                              tmp_path: Path) -> None:
    lan = await chat.member("0900000003")
    await send_file(lan, write_csv(tmp_path / "ds.csv", MEMBERS, [NEW]))
    reply = await lan.next_reply()
    assert "Cảm ơn bạn đã gửi tệp" in reply and "/sangkien" in reply
    lan.no_reply()
    assert await members_named(chat, "Bùi Thị Hoa") == 0


async def test_a_stranger_sending_a_file_gets_the_same_refusal(chat: ChatDriver,
                                                                tmp_path: Path) -> None:
    stranger = chat.user("s1")
    await send_file(stranger, write_csv(tmp_path / "ds.csv", MEMBERS, [NEW]))
    assert "chỉ nhận tệp danh sách" in await stranger.next_reply()


async def test_a_second_file_replaces_the_one_waiting(chat: ChatDriver, tmp_path: Path) -> None:
    ha = await chat.member("0900000001")
    await send_file(ha, write_csv(tmp_path / "a.csv", MEMBERS, [NEW]))
    await ha.replies()
    await send_file(ha, write_csv(tmp_path / "b.csv", TARGETS, [("DN01", "2", "14")]))
    assert "b.csv (chỉ tiêu)" in await ha.next_reply()
    assert "thêm 1, sửa 0" in await ha.next_reply()
    await ha.says("1")
    assert "Đã ghi b.csv" in await ha.next_reply()
    assert await members_named(chat, "Bùi Thị Hoa") == 0


async def test_nhapds_without_a_file_explains_how_to_send_one(chat: ChatDriver) -> None:
    ha = await chat.member("0900000001")
    await ha.says("/nhapds")
    assert "gửi tệp Excel (.xlsx) hoặc CSV" in await ha.next_reply()
    assert await scalar(chat, select(func.count(DialogState.id))) == 0


async def test_an_unreadable_file_is_answered_in_one_line(chat: ChatDriver, tmp_path: Path) -> None:
    ha = await chat.member("0900000001")
    path = tmp_path / "ds.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    await send_file(ha, path)
    assert "lưu lại dạng .xlsx" in await ha.next_reply()


async def test_a_file_the_channel_could_not_fetch_is_answered_with_the_reason(
        chat: ChatDriver) -> None:
    ha = await chat.member("0900000001")
    await ha.says(kind=InboundKind.FILE, attachment_error="too_large", file_name="ds.xlsx")
    assert "Tệp ds.xlsx quá lớn nên bot chưa nhận được" in await ha.next_reply()
    await ha.says(kind=InboundKind.FILE, attachment_error="unavailable", file_name="ds.xlsx")
    assert "Bot chưa tải được tệp ds.xlsx" in await ha.next_reply()
    assert await scalar(chat, select(func.count(DialogState.id))) == 0
