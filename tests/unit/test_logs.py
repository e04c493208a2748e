"""Log hygiene without a run: the redactor's rules for links and codes, and who logs at DEBUG."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import load_config
from bot.logs import CHATTY, OWN_PACKAGES, Redactor, set_levels
from handlers.texts import Renderer

TOKEN = "6IrNYqkDlLJECuOq-3fy0HFoyU8Q6Yx_Aycy3w-YIkc"


@pytest.fixture
def levels() -> Iterator[None]:
    """Put every logger level the test changes back as it was."""
    names = ["", *OWN_PACKAGES, *CHATTY]
    before = {name: logging.getLogger(name).level for name in names}
    yield
    for name, level in before.items():
        logging.getLogger(name).setLevel(level)


def test_a_sign_in_link_is_masked_in_logs() -> None:
    sent = {"chat_id": 545454, "text": f"Đường dẫn:\nhttps://bot.example.org/dang-nhap/{TOKEN}\n"}
    for line in (repr(sent), json.dumps(sent, ensure_ascii=False)):
        redacted = Redactor().redact(line)
        assert TOKEN not in redacted and "/dang-nhap/***" in redacted


@pytest.mark.parametrize("markup", ["plain", "html"])
def test_the_message_handing_out_a_code_has_it_masked_in_logs(markup: str) -> None:
    text = Renderer().render("verify/code_issued", markup=markup, code="077962",
                             name="Nguyễn Thị Lan", hours=72)
    assert "077962" in text
    sent = {"chat_id": 535353, "text": text}
    for line in (text, repr(sent), json.dumps(sent, ensure_ascii=False)):
        assert "077962" not in Redactor().redact(line), line


@pytest.mark.parametrize("line", [
    "{'update_id': 100012, 'message': {'chat': {'id': 535353}, 'text': '378137'}}",
    '{"update_id": 100012, "message": {"chat": {"id": 535353}, "text": " 378137 "}}',
    "Message(chat=Chat(id=535353, type='private'), message_id=4, text='378137')",
])
def test_a_code_a_member_types_is_masked_in_logs(line: str) -> None:
    redacted = Redactor().redact(line)
    assert "378137" not in redacted and "535353" in redacted


@pytest.mark.parametrize("line", [
    "telegram.ext.ExtBot: Getting updates: [100010]",
    "{'chat_id': 515151, 'message_id': 100004, 'text': 'Đã gửi sáng kiến SK-000642.'}",
    "{'text': 'Mã liên kết không đúng. Vui lòng kiểm tra lại mã 6 số.', 'chat_id': 515151}",
])
def test_six_digit_ids_and_numbers_stay_readable_in_logs(line: str) -> None:
    assert Redactor().redact(line) == line


def test_other_libraries_stay_at_info_when_our_code_logs_at_debug(levels: None) -> None:
    set_levels(logging.DEBUG)
    assert logging.getLogger("handlers.services.verification").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("bot.channels.telegram.polling").isEnabledFor(logging.DEBUG)
    for library in ("telegram.ext.ExtBot", "aiohttp.access", "asyncio", "apscheduler.scheduler",
                    "some.library.added.later"):
        logger = logging.getLogger(library)
        assert logger.isEnabledFor(logging.INFO) and not logger.isEnabledFor(logging.DEBUG), library
    for chatty in ("httpx", "sqlalchemy.engine", "aiosqlite"):  # a line per request or statement
        assert not logging.getLogger(chatty).isEnabledFor(logging.INFO), chatty


def test_an_operator_can_raise_the_libraries_to_debug(levels: None) -> None:
    set_levels(logging.INFO, logging.DEBUG)
    assert logging.getLogger("telegram.ext.ExtBot").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("httpx").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("sqlalchemy.engine").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("handlers.router").isEnabledFor(logging.DEBUG)


def test_libraries_are_never_louder_than_our_code_by_default(levels: None) -> None:
    set_levels(logging.WARNING)
    assert not logging.getLogger("telegram").isEnabledFor(logging.INFO)


def test_the_libraries_level_comes_from_the_environment() -> None:
    assert load_config(env={}).logging.libraries is None
    config = load_config(env={"SANGKIEN__LOGGING__LIBRARIES": "DEBUG"})
    assert config.logging.libraries == "DEBUG"
