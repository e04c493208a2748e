"""Long messages split on paragraph, line or word boundaries, within UTF-16 limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.textsplit import count_parts, split_text
from handlers.types import utf16_len


def test_short_text_is_one_part() -> None:
    assert split_text("xin chào", 4096) == ["xin chào"]


def test_paragraphs_stay_whole_when_they_fit() -> None:
    text = "\n\n".join(["a" * 30, "b" * 30, "c" * 30])
    assert split_text(text, 70) == ["a" * 30 + "\n\n" + "b" * 30, "c" * 30]


def test_a_long_paragraph_is_cut_between_lines() -> None:
    text = "\n".join(f"dòng {n}" for n in range(10))
    parts = split_text(text, 20)
    assert all(utf16_len(p) <= 20 for p in parts)
    assert "\n".join(parts).split("\n") == [f"dòng {n}" for n in range(10)]


def test_a_long_line_is_cut_between_words() -> None:
    parts = split_text("một hai ba bốn năm sáu bảy tám", 12)
    assert parts == ["một hai ba", "bốn năm sáu", "bảy tám"]


def test_a_word_longer_than_the_limit_is_cut_without_breaking_an_entity_or_emoji() -> None:
    parts = split_text("x" * 7 + "&amp;" + "😀" * 4, 10)
    assert all(utf16_len(p) <= 10 for p in parts)
    assert "".join(parts) == "x" * 7 + "&amp;" + "😀" * 4
    assert not any(p.endswith(("&", "&am")) for p in parts)


def test_telegram_limit_counts_utf16_units_not_characters() -> None:
    text = "😀" * 3000  # 6000 UTF-16 units
    parts = split_text(text, 4096)
    assert [utf16_len(p) for p in parts] == [4096, 1904]


@given(st.lists(st.text(alphabet="abc đ😀\n", min_size=0, max_size=60), max_size=40),
       st.integers(min_value=8, max_value=200))
def test_parts_fit_and_keep_every_word_in_order(paragraphs: list[str], limit: int) -> None:
    text = "\n\n".join(paragraphs)
    parts = split_text(text, limit)
    assert all(utf16_len(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


# The same function, as the Zalo channel relies on it.

def test_a_short_text_is_one_part() -> None:
    assert split_text("xin chào", 2000) == ["xin chào"]


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    text = "a" * 1500 + "\n\n" + "b" * 1500
    assert split_text(text, 2000) == ["a" * 1500, "b" * 1500]


def test_lines_then_words_are_the_next_boundaries() -> None:
    assert split_text("aaa\nbbb ccc", 7) == ["aaa", "bbb ccc"]
    assert split_text("aaa bbb ccc", 7) == ["aaa bbb", "ccc"]


def test_a_word_longer_than_the_limit_is_cut_between_characters() -> None:
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_emoji_count_as_two_units() -> None:
    parts = split_text("😀" * 6, 5)
    assert parts == ["😀😀", "😀😀", "😀😀"] and count_parts("😀" * 6, 5) == 3


@given(st.text(alphabet=st.sampled_from(["a", "ế", " ", "\n", "😀", "b"]), max_size=400),
       st.integers(min_value=2, max_value=60))
def test_every_part_fits_and_nothing_but_whitespace_is_lost(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(0 < utf16_len(p) <= limit for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", "")
