from __future__ import annotations

import pytest

from handlers.errors import UserError
from handlers.parsing import mask_phone, normalize_phone, parse_choice, parse_money
from handlers.textnorm import clean, fold, has_letters


@pytest.mark.parametrize(("typed", "vnd"), [
    ("1,5 tỷ", 1_500_000_000), ("1.5 ty", 1_500_000_000), ("200 triệu", 200_000_000),
    ("200tr", 200_000_000), ("200 TR", 200_000_000), ("1.500.000", 1_500_000),
    ("1,500,000", 1_500_000), ("15.000.000 đồng", 15_000_000), ("3000000 vnd", 3_000_000),
    ("50k", 50_000), ("50 nghìn", 50_000), ("1.500 triệu", 1_500_000_000), ("2,25 tỷ", 2_250_000_000),
])
def test_money_as_people_type_it(typed: str, vnd: int) -> None:
    assert parse_money(typed) == vnd


@pytest.mark.parametrize("typed", ["0", "bỏ qua", "bo qua", "Bỏ Qua", "không"])
def test_money_skipped(typed: str) -> None:
    assert parse_money(typed) is None


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "-5 triệu", "1.5", "2 tỷ 5", "10^20", "9" * 20])
def test_money_refused(typed: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_money(typed)
    assert caught.value.template == "errors/bad_money"


@pytest.mark.parametrize(("typed", "phone"), [
    ("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("+84912345678", "0912345678"),
    ("84912345678", "0912345678"), ("091.234.5678", "0912345678"), ("(091) 234-5678", "0912345678"),
    ("0312345678", "0312345678"),
])
def test_vietnamese_mobile_numbers(typed: str, phone: str) -> None:
    assert normalize_phone(typed) == phone


@pytest.mark.parametrize("typed", ["12345", "0123456789", "091234567", "09123456789", "+14155550100",
                                   "abc", ""])
def test_not_vietnamese_mobile_numbers(typed: str) -> None:
    assert normalize_phone(typed) is None


def test_phone_masking() -> None:
    assert mask_phone("0912345678") == "091****678"


def test_choice_by_number_or_label() -> None:
    options = ["Giáo dục", "Y tế", "Kỹ thuật"]
    assert parse_choice("2", options) == 1
    assert parse_choice(" 3. ", options) == 2
    assert parse_choice("ky thuat", options) == 2
    assert parse_choice("Y TẾ", options) == 1


@pytest.mark.parametrize(("typed", "template"), [
    ("4", "errors/choice_out_of_range"), ("0", "errors/choice_out_of_range"),
    ("hai", "errors/need_number"), ("", "errors/need_number"),
])
def test_choice_refused(typed: str, template: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_choice(typed, ["a", "b", "c"])
    assert caught.value.template == template


def test_fold_removes_diacritics_case_and_extra_spaces() -> None:
    assert fold("  Sáng   KIẾN  Đường ") == "sang kien duong"
    assert fold("Trường Tiểu học số 1") == "truong tieu hoc so 1"


def test_clean_composes_nfd_and_drops_control_characters() -> None:
    nfd = "Sa\u0301ng kie\u0302\u0301n"
    assert clean(nfd) == "Sáng kiến"
    assert clean("a\x00b\u200bc\u202e d\t e") == "abc d e"
    assert clean("dòng 1\r\n\r\n\r\n\r\ndòng 2", multiline=True) == "dòng 1\n\ndòng 2"


def test_letters_detection() -> None:
    assert has_letters("Máy 2") and not has_letters("123 🚀 !!")
