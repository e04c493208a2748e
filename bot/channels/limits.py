"""What each chat platform can carry, known without connecting (so a CLI process renders right)."""

from __future__ import annotations

from handlers.types import ChannelLimits

TELEGRAM = ChannelLimits(max_text=4096, has_buttons=True, markup="html", contact_button=True)
"""4096 UTF-16 units after entity parsing; inline keyboards; HTML with escaped user text."""

ZALO = ChannelLimits(max_text=2000, has_buttons=False, markup="plain")
"""2000 characters; no buttons; never parse_mode for user text (Zalo Bot API notes §3)."""

CONSOLE = ChannelLimits(max_text=4096, has_buttons=False)

KNOWN = {"telegram": TELEGRAM, "zalo": ZALO, "console": CONSOLE}
