"""A printable "scan to join" poster: a QR code opening https://t.me/<bot>?start=<UNIT_CODE>."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib
import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

# A4 portrait at 150 dpi.
WIDTH, HEIGHT = 1240, 1754
MARGIN = 90
_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_START_PARAM = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")


def start_link(bot_username: str, code: str) -> str:
    """Return the deep link that opens the bot with `/start CODE` (Telegram's rules checked)."""
    username = bot_username.lstrip("@")
    if not _USERNAME.match(username):
        raise ValueError(f"not a Telegram bot username: {bot_username!r}")
    if not _START_PARAM.match(code):
        raise ValueError(f"unit code {code!r} cannot be a start parameter (A-Z a-z 0-9 _ -)")
    return f"https://t.me/{username}?start={code}"


def make_poster(lines: tuple[str, ...], link: str) -> bytes:
    """Draw the poster: heading, unit name and code, the QR code, the call to action, the link.

    `lines` are the rendered template lines (heading, name, code, call to action, link).
    """
    heading, name, code, action, shown_link = (*lines, "", "", "", "", "")[:5]
    poster = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(poster)
    y = _text(draw, heading, MARGIN, size=52, bold=True)
    y = _text(draw, name, y + 30, size=46, bold=True)
    y = _text(draw, code, y + 10, size=36)
    qr = _qr_image(link, side=WIDTH - 2 * MARGIN - 140)
    poster.paste(qr, ((WIDTH - qr.width) // 2, y + 40))
    y = _text(draw, action, y + 80 + qr.height, size=40, bold=True)
    _text(draw, shown_link, y + 20, size=30)
    out = io.BytesIO()
    poster.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _qr_image(link: str, *, side: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(link)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    return image.resize((side, side), Image.Resampling.NEAREST)


def _text(draw: ImageDraw.ImageDraw, text: str, top: int, *, size: int, bold: bool = False) -> int:
    """Draw `text` centred and wrapped from `top`; return the y below it."""
    font = ImageFont.truetype(str(_FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")),
                              size)
    for line in _wrap(draw, text, font) or [""]:
        left, _, right, bottom = draw.textbbox((0, 0), line, font=font)
        draw.text(((WIDTH - (right - left)) // 2, top), line, fill="black", font=font)
        top += bottom + size // 4
    return top


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= WIDTH - 2 * MARGIN:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
