"""Properties of the parsers every typed message goes through, on arbitrary text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.command_table import parse
from handlers.errors import UserError
from handlers.intents import match_intent
from handlers.parsing import normalize_phone, parse_choice, parse_date, parse_money
from handlers.textnorm import clean, fold
from handlers.textsplit import split_text
from handlers.types import utf16_len

MANY = settings(max_examples=600, deadline=None)
ANY_TEXT = st.text(max_size=300)


@MANY
@given(ANY_TEXT)
def test_money_is_a_sane_amount_or_a_refusal(text: str) -> None:
    try:
        value = parse_money(text)
    except UserError as refusal:
        assert refusal.template == "errors/bad_money"
        return
    assert value is None or 0 < value <= 10**15


@MANY
@given(ANY_TEXT, st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=9))
def test_a_choice_is_an_index_in_range_or_a_refusal(text: str, options: list[str]) -> None:
    try:
        index = parse_choice(text, options)
    except UserError as refusal:
        assert refusal.template in ("errors/need_number", "errors/choice_out_of_range")
        return
    assert 0 <= index < len(options)


@MANY
@given(ANY_TEXT)
def test_a_phone_is_ten_digits_or_nothing(text: str) -> None:
    phone = normalize_phone(text)
    assert phone is None or (len(phone) == 10 and phone.isdigit() and phone[0] == "0")


@MANY
@given(ANY_TEXT)
def test_a_date_is_a_date_or_a_refusal(text: str) -> None:
    try:
        parse_date(text)
    except UserError as refusal:
        assert refusal.template == "errors/bad_date"


@MANY
@given(ANY_TEXT)
def test_cleaned_text_has_no_control_characters_and_folding_is_idempotent(text: str) -> None:
    cleaned = clean(text, multiline=True)
    assert not any(ord(ch) < 32 and ch != "\n" for ch in cleaned)
    assert fold(fold(text)) == fold(text)
    assert "\n" not in clean(text)


@MANY
@given(ANY_TEXT)
def test_commands_and_intents_never_raise(text: str) -> None:
    parsed = parse(text)
    assert parsed is None or parsed.name.isascii()
    match_intent(text)


@MANY
@given(st.text(max_size=3000), st.integers(min_value=20, max_value=4096))
def test_split_parts_fit_their_limit(text: str, limit: int) -> None:
    assert all(0 < utf16_len(part) <= limit for part in split_text(text, limit))
