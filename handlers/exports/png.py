"""PNG league cards (matplotlib, Agg): 1080 px wide, large type, readable on a cheap phone.

The font is DejaVu Sans, shipped inside matplotlib, which has every Vietnamese letter.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from PIL import ImageFont

from handlers.exports.tables import Report, Sheet
from handlers.texts import format_number, format_percent

WIDTH = 1080
PX_TO_PT = 72 / 100  # the figure is drawn at 100 dpi
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
INK, GREY, BLUE, PALE, MINE = "#1B1B1B", "#5F6B7A", "#1F4E79", "#F3F6FA", "#FFE9A8"
GOOD, FAIR, LOW = "#1B7F3B", "#A15C00", "#B3261E"


@dataclass(frozen=True)
class Layout:
    """Where each column of the card starts (px) and how it is aligned."""

    margin: int = 28
    row_height: int = 96
    rank_right: int = 78
    name_left: int = 96
    name_width: int = 500
    numbers_right: tuple[int, ...] = (700, 830, 952, 1054)
    keys: tuple[str, ...] = ("count", "ratio", "per_100", "submitted_share")


@cache
def font_path(bold: bool = False) -> str:
    """Return the path of DejaVu Sans (bold or regular) inside matplotlib's data."""
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.exists():
        raise FileNotFoundError(f"DejaVu Sans not found at {path}")
    return str(path)


@cache
def _font(px: int, bold: bool) -> FontProperties:
    return FontProperties(fname=font_path(bold), size=px * PX_TO_PT)


@cache
def _measure(px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(bold), px)


def fit(text: str, px: int, width: int, *, bold: bool = False) -> str:
    """Shorten `text` with an ellipsis so it fits `width` pixels at `px` size."""
    font = _measure(px, bold)
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def shrink(text: str, px: int, width: int, *, bold: bool = False, floor: int = 24) -> tuple[str, int]:
    """Return `text` and the largest size from `px` down to `floor` that fits, else cut at `floor`."""
    for size in range(px, floor - 1, -2):
        if _measure(size, bold).getlength(text) <= width:
            return text, size
    return fit(text, floor, width, bold=bold), floor


class Canvas:
    """A figure whose coordinates are pixels from the top left."""

    def __init__(self, height: int) -> None:
        self.height = height
        self.figure = Figure(figsize=(WIDTH / 100, height / 100), dpi=100, facecolor="white")
        self.ax = self.figure.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, WIDTH)
        self.ax.set_ylim(height, 0)
        self.ax.axis("off")

    def text(self, x: float, y: float, text: str, *, px: int, bold: bool = False,
             color: str = INK, align: str = "left") -> None:
        """Write text with its baseline-centre at (x, y)."""
        self.ax.text(x, y, text, fontproperties=_font(px, bold), color=color, ha=align,
                     va="center")

    def box(self, x: float, y: float, w: float, h: float, color: str) -> None:
        """Fill a rectangle."""
        self.ax.add_patch(Rectangle((x, y), w, h, facecolor=color, edgecolor="none"))

    def png(self) -> bytes:
        """Render to PNG bytes."""
        buffer = io.BytesIO()
        FigureCanvasAgg(self.figure).print_png(buffer)
        return buffer.getvalue()


BAND = 196


def card_height(report: Report, layout: Layout = Layout()) -> int:
    """Return the card's height: a title band, then per sheet a header and its rows."""
    return BAND + sum(210 + layout.row_height * len(s.rows) for s in report.sheets) + 12


def league_card(report: Report, header: Sequence[str], heading: Sequence[str],
                layout: Layout = Layout()) -> bytes:
    """Draw the league tables of a report as one card; highlighted rows stand out.

    `heading` holds three lines for the band on top: what, whose, and as of when.
    """
    canvas = Canvas(card_height(report, layout))
    canvas.box(0, 0, WIDTH, BAND - 16, BLUE)
    inner = WIDTH - 2 * layout.margin
    what, whose, when = heading
    canvas.text(layout.margin, 44, fit(what, 34, inner), px=34, color="#DDE6F0")
    text, px = shrink(whose, 44, inner, bold=True, floor=30)
    canvas.text(layout.margin, 96, text, px=px, bold=True, color="white")
    canvas.text(layout.margin, 146, fit(when, 26, inner), px=26, color="#DDE6F0")
    y = BAND
    for sheet in report.sheets:
        y = _sheet(canvas, sheet, header, y, layout)
    return canvas.png()


def _sheet(canvas: Canvas, sheet: Sheet, header: Sequence[str], y: int, layout: Layout) -> int:
    caption = str((sheet.footer or {}).get("caption", sheet.title))
    text, px = shrink(caption, 38, WIDTH - 2 * layout.margin, bold=True, floor=28)
    canvas.text(layout.margin, y + 40, text, px=px, bold=True, color=BLUE)
    canvas.text(layout.margin, y + 90, fit(_summary(sheet), 28, WIDTH - 2 * layout.margin),
                px=28, color=GREY)
    y += 130
    canvas.box(0, y, WIDTH, 60, PALE)
    canvas.text(layout.rank_right, y + 30, header[0], px=24, bold=True, color=GREY, align="right")
    canvas.text(layout.name_left, y + 30, header[1], px=24, bold=True, color=GREY)
    for right, label in zip(layout.numbers_right, header[2:], strict=False):
        canvas.text(right, y + 30, label, px=24, bold=True, color=GREY, align="right")
    y += 68
    for index, row in enumerate(sheet.rows):
        _row(canvas, row, y, mine=index in sheet.highlight, shaded=index % 2 == 1, layout=layout)
        y += layout.row_height
    return y


def _summary(sheet: Sheet) -> str:
    return str((sheet.footer or {}).get("summary", ""))


def _row(canvas: Canvas, row: dict[str, Any], y: int, *, mine: bool, shaded: bool,
         layout: Layout) -> None:
    if mine or shaded:
        canvas.box(0, y, WIDTH, layout.row_height, MINE if mine else "#FAFBFD")
    if mine:
        canvas.box(0, y, 10, layout.row_height, "#E0A100")
    mid = y + layout.row_height / 2
    canvas.text(layout.rank_right, mid, str(row.get("rank", "")), px=36, bold=True,
                align="right")
    name, px = shrink(str(row.get("name", "")), 30, layout.name_width, bold=mine)
    canvas.text(layout.name_left, mid - 17, name, px=px, bold=mine)
    colour = _movement_colour(row.get("movement"))
    canvas.text(layout.name_left, mid + 22, f"{row.get('code', '')}   {row.get('movement_text', '')}",
                px=22, color=colour)
    for right, key in zip(layout.numbers_right, layout.keys, strict=True):
        text, colour = _number(key, row.get(key))
        canvas.text(right, mid, text, px=32, bold=key == "count", color=colour, align="right")


def _movement_colour(value: int | None) -> str:
    if not value:
        return GREY
    return GOOD if value > 0 else LOW


def _number(key: str, value: Any) -> tuple[str, str]:
    if value is None:
        return "–", GREY
    if key == "count":
        return format_number(value), INK
    if key == "per_100":
        return format_number(value, 1), INK
    colour = INK
    if key == "ratio":
        colour = GOOD if value >= 1 else FAIR if value >= 0.5 else LOW
    return format_percent(value), colour
