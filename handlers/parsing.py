"""Parsing what members type: phone numbers, money in VND, numbered choices."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from handlers.errors import UserError
from handlers.textnorm import fold

_PHONE = re.compile(r"^0(3|5|7|8|9)\d{8}$")
_MONEY = re.compile(r"^(\d+(?:[.,]\d+)*)\s*(ty|trieu|tr|nghin|ngan|k)?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_UNITS = {"ty": 10**9, "trieu": 10**6, "tr": 10**6, "nghin": 10**3, "ngan": 10**3, "k": 10**3}
_CURRENCY = re.compile(r"\s*(vnd|dong|d)\.?$")
_CHOICE = re.compile(r"^(?:so\s*)?(\d{1,4})\s*[.)]?$")
SKIP_WORDS = frozenset({"0", "bo qua", "khong", "khong co", "skip"})
MAX_BENEFIT_VND = 10**15


def normalize_phone(text: str) -> str | None:
    """Return a Vietnamese mobile number as 0xxxxxxxxx, or None when it is not one."""
    digits = re.sub(r"[\s.\-()]", "", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _PHONE.match(digits) else None


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number for logs: 0912345678 → 091****678."""
    return phone[:3] + "*" * max(len(phone) - 6, 0) + phone[-3:] if len(phone) > 6 else "***"


def parse_money(text: str) -> int | None:
    """Parse a benefit in VND ("1,5 tỷ", "200tr", "1.500.000"); None means skipped.

    Raises UserError("errors/bad_money") for anything else.
    """
    folded = fold(text)
    if folded in SKIP_WORDS:
        return None
    folded = _CURRENCY.sub("", folded).strip()
    match = _MONEY.match(folded)
    if not match:
        raise UserError("errors/bad_money")
    number, unit = match.groups()
    amount = _decimal(number, has_unit=unit is not None) * _UNITS.get(unit or "", 1)
    if amount != amount.to_integral_value() and unit is None:
        raise UserError("errors/bad_money")
    value = int(amount)
    if value > MAX_BENEFIT_VND:
        raise UserError("errors/bad_money")
    return value or None


def _decimal(number: str, *, has_unit: bool) -> Decimal:
    # Vietnamese writes 1.500.000 and 1,5 tỷ; people also type 1,500,000 and 1.5 tỷ.
    separators = re.findall(r"[.,]", number)
    if not separators:
        return Decimal(number)
    if len(separators) > 1:
        if _THOUSANDS.match(number):
            return Decimal(re.sub(r"[.,]", "", number))
        raise UserError("errors/bad_money")
    whole, fraction = re.split(r"[.,]", number)
    grouped = len(fraction) == 3 and len(whole) <= 3
    if (separators[0] == "." and grouped) or (separators[0] == "," and grouped and not has_unit):
        return Decimal(whole + fraction)
    if not has_unit:
        raise UserError("errors/bad_money")
    try:
        return Decimal(f"{whole}.{fraction}")
    except InvalidOperation as exc:
        raise UserError("errors/bad_money") from exc


def parse_choice(text: str, options: Sequence[str]) -> int:
    """Return the 0-based index of the option picked by number or by its label.

    Raises UserError("errors/need_number") or UserError("errors/choice_out_of_range").
    """
    folded = fold(text)
    match = _CHOICE.match(folded)
    if match:
        number = int(match.group(1))
        if 1 <= number <= len(options):
            return number - 1
        raise UserError("errors/choice_out_of_range", count=len(options))
    for index, option in enumerate(options):
        if folded and folded == fold(option):
            return index
    raise UserError("errors/need_number", count=len(options))


_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(text: str) -> date | None:
    """Parse 24/11/2026, 24-11-2026 or 2026-11-24; None means skipped ("bỏ qua", "0").

    Raises UserError("errors/bad_date") for anything else.
    """
    folded = fold(text)
    if folded in SKIP_WORDS:
        return None
    if match := _DATE.match(folded):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.match(folded):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise UserError("errors/bad_date")
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise UserError("errors/bad_date") from exc


NUMBER = re.compile(r"\b[A-Za-z]{1,8}-?\d{1,9}\b")


def numbers_in(text: str) -> list[str]:
    """Pick initiative numbers (SK-000123) out of a command's arguments."""
    return [n.upper() for n in NUMBER.findall(text)]
