"""Photo and document messages translated for the download, and how their files are named on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.channels.telegram.inbound import BotIdentity, translate
from handlers.services.attachments import safe_filename, save_file
from handlers.types import Inbound, InboundKind

BOT = BotIdentity(7000001, "fake_bot")


def update(**fields: Any) -> Update:
    message = {"message_id": 5, "date": 1767225600, "chat": {"id": 42, "type": "private"},
               "from": {"id": 42, "is_bot": False, "first_name": "Lan"}, **fields}
    return Update.de_json({"update_id": 1001, "message": message}, None)


def inbound(**fields: Any) -> Inbound:
    item = translate(update(**fields), BOT)
    assert isinstance(item, Inbound)
    return item


def test_a_photo_names_its_largest_size_for_the_download() -> None:
    sizes = [{"file_id": f"id{w}", "file_unique_id": f"u{w}", "width": w, "height": w * 3 // 4,
              "file_size": w * 10} for w in (1280, 90, 320)]
    item = inbound(photo=sizes, caption="ảnh kho")
    assert (item.kind, item.text) == (InboundKind.PHOTO, "ảnh kho")
    assert {k: item.payload[k] for k in ("file_id", "file_size", "file_name", "mime_type")} == {
        "file_id": "id1280", "file_size": 12800, "file_name": "", "mime_type": "image/jpeg"}


def test_a_document_carries_its_name_type_and_size() -> None:
    item = inbound(document={"file_id": "doc1", "file_unique_id": "u1", "file_name": "ds.csv",
                             "mime_type": "text/csv", "file_size": 321})
    assert item.kind == InboundKind.FILE
    assert (item.payload["file_id"], item.payload["file_name"], item.payload["mime_type"],
            item.payload["file_size"]) == ("doc1", "ds.csv", "text/csv", 321)


def test_a_document_without_name_or_size_still_names_its_file() -> None:
    item = inbound(document={"file_id": "doc2", "file_unique_id": "u2"})
    assert (item.payload["file_id"], item.payload["file_name"], item.payload["file_size"]) == (
        "doc2", "", 0)


def test_text_and_stickers_have_no_file_to_download() -> None:
    assert "file_id" not in inbound(text="xin chào").payload
    sticker = {"file_id": "st", "file_unique_id": "su", "width": 512, "height": 512,
               "is_animated": False, "is_video": False, "type": "regular"}
    assert "file_id" not in inbound(sticker=sticker).payload


@pytest.mark.parametrize(("given", "kept"), [
    ("Danh sách T11.xlsx", "Danh sách T11.xlsx"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ha\\ds.csv", "ds.csv"),
    (".bashrc", "bashrc"),
    ("a<b>|c?.csv", "a_b__c_.csv"),
    ("tab\there.csv", "tab_here.csv"),
    ("...", "file"),
    ("", "file"),
])
def test_file_names_are_kept_without_directories_or_unsafe_characters(given: str, kept: str) -> None:
    assert safe_filename(given) == kept


def test_a_long_vietnamese_name_is_cut_in_bytes_and_keeps_its_extension() -> None:
    name = safe_filename("Đoàn viên " * 40 + ".xlsx")
    assert name.endswith(".xlsx") and len(name.encode()) <= 150


def test_a_named_file_is_stored_under_its_content_hash_once(tmp_path: Path) -> None:
    first = save_file(tmp_path, b"phone,name\n", content_type="text/csv", channel="telegram",
                      filename="ds.csv")
    again = save_file(tmp_path, b"phone,name\n", content_type="text/csv", channel="telegram",
                      filename="ds.csv")
    assert first == again
    assert first.path == f"telegram/{first.sha256}/ds.csv"
    assert (tmp_path / first.path).read_bytes() == b"phone,name\n"
    assert [p.name for p in (tmp_path / "telegram" / first.sha256).iterdir()] == ["ds.csv"]
