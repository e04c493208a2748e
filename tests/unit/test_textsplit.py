"""Splitting long texts for channels that carry at most N UTF-16 units per message."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.textsplit import count_parts, split_text
from handlers.types import utf16_len


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
