"""The one renderer of user-facing text: Jinja2 templates under templates/vi with Vietnamese filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "vi"
MEMO_SIZE = 4096
"""Rendered labels and choice lists kept; the memo starts again when it is full."""


def format_number(value: float | int | Decimal, digits: int = 0) -> str:
    """Format the Vietnamese way: 1008 → "1.008", 3.5 → "3,5"."""
    if type(value) is int:  # the common case (counts), without Decimal: a page formats thousands
        return f"{value:,}".replace(",", ".")
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    sign = "-" if rounded < 0 else ""
    fraction = fraction.rstrip("0")
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def format_percent(ratio: float | None, digits: int = 0) -> str:
    """Format a ratio as a percentage: 0.8634 → "86%"."""
    if ratio is None:
        return "–"
    return f"{format_number(ratio * 100, digits)}%"


def format_vnd(value: int | None) -> str:
    """Format an amount of money in words people read: 1_500_000_000 → "1,5 tỷ đồng"."""
    if not value:
        return "0 đồng"
    for size, word in ((10**9, "tỷ"), (10**6, "triệu")):
        if value >= size:
            return f"{format_number(value / size, 2)} {word} đồng"
    return f"{format_number(value)} đồng"


def format_date(value: date | datetime, tz: ZoneInfo | None = None) -> str:
    """Format a date as 24/11/2026 (a datetime is first moved to the programme's zone)."""
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    return value.strftime("%d/%m/%Y")


class Renderer:
    """Render `templates/vi/<area>/<name>.j2`; markup is chosen per channel."""

    def __init__(self, root: Path = TEMPLATES_DIR, *, tz: ZoneInfo | None = None) -> None:
        self.root = root
        self._envs = {"plain": self._env(autoescape=False, strong=_strong_plain),
                      "html": self._env(autoescape=True, strong=_strong_html)}
        self._tz = tz
        self._memo: dict[tuple[Any, ...], Any] = {}

    def _env(self, *, autoescape: bool, strong: Any) -> Environment:
        env = Environment(
            loader=FileSystemLoader(self.root), undefined=StrictUndefined,
            autoescape=autoescape,  # noqa: S701 - plain-text chat templates; html env escapes
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
            # Templates are compiled once: no stat() of the file at every render.
            auto_reload=False, cache_size=-1,
        )
        env.filters.update(
            number=format_number, percent=format_percent, vnd=format_vnd, strong=strong,
            date=lambda value: format_date(value, self._tz),
        )
        return env

    def render(self, name: str, /, markup: str = "plain", **data: Any) -> str:
        """Render one template to text, trailing spaces removed from every line."""
        text = self._envs[markup].get_template(f"{name}.j2").render(**data)
        return "\n".join(line.rstrip() for line in text.strip().split("\n"))

    def lines(self, name: str, /, **data: Any) -> tuple[str, ...]:
        """Render a template whose non-empty lines are separate labels (choices).

        Labels depend only on their template and data: the same ones are rendered once.
        """
        key = (name, *sorted(data.items()))
        try:
            found = self._memo.get(key)
        except TypeError:  # a value that cannot be a key (a list): render it every time
            return self._lines(name, data)
        if found is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            found = self._memo[key] = self._lines(name, data)
        return found

    def _lines(self, name: str, data: dict[str, Any]) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.render(name, **data).split("\n") if line.strip())

    def choices(self, choices: tuple[str, ...], markup: str = "plain") -> str:
        """Render numbered choices ("1. Gửi", "2. Sửa"...), once per list and markup."""
        key = ("common/choices", markup, choices)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            found = self._memo[key] = self.render("common/choices", markup=markup, choices=choices)
        return found

    def names(self) -> list[str]:
        """List every template name, for the test that renders them all."""
        return sorted(str(p.relative_to(self.root).with_suffix("")) for p in self.root.rglob("*.j2"))


def _strong_plain(value: Any) -> str:
    return str(value)


def _strong_html(value: Any) -> Markup:
    return Markup("<b>%s</b>") % escape(value)
