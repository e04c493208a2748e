"""Console channel: a chat in the terminal, for trying the bot and for scripted sessions.

Reads lines from stdin (a tty or a pipe); `:` meta-commands never reach the bot. Translates only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from bot.channels import limits as channel_limits
from handlers.errors import Unavailable
from handlers.port import Desk, Port
from handlers.types import ChatRef, Inbound, Outbound

log = logging.getLogger(__name__)

NAME = "console"
DEMO_PHONES = ("0900000001", "0900000002", "0900000003", "0900000004")
DEFAULT_PHONE = "0900000003"


class ConsoleChannel:
    """Prints messages; one addressed to another chat gets a header naming it."""

    name = NAME
    limits = channel_limits.CONSOLE

    def __init__(self, render: Callable[..., str], out: TextIO | None = None) -> None:
        self.render = render
        self.out = out or sys.stdout
        self.current: ChatRef | None = None

    async def send(self, message: Outbound) -> str | None:
        """Print the message (its numbered choices are already in the text)."""
        if message.chat != self.current:
            header = self.render("console/other_chat", chat_id=message.chat.chat_id)
            self.out.write(header + "\n")
        self.out.write(message.text + "\n")
        if message.attachment:
            self.out.write(self.render("console/attachment", **message.attachment) + "\n")
        self.out.write("\n")
        self.out.flush()
        return None


@dataclass
class ConsoleSession:
    """Who is typing, where, and the loop that turns lines into updates."""

    port: Port
    desk: Desk
    channel: ConsoleChannel
    phone: str | None = None
    user_id: str = "guest"
    chat: ChatRef = field(default_factory=lambda: ChatRef(NAME, "guest"))
    _run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    _counter: int = 0

    def say(self, template: str, **data: object) -> None:
        """Print a console message from a template."""
        self.channel.out.write(self.port.render(template, **data) + "\n")
        self.channel.out.flush()

    async def become(self, phone: str | None) -> None:
        """Act as the member with this phone (linked at once: the operator is trusted)."""
        if phone is None:
            self.phone, self.user_id = None, "guest"
        else:
            self.user_id, known = await self.desk.become(phone)
            self.phone = phone
            if not known:
                self.say("console/as_stranger")
        if not self.chat.is_group:
            self.chat = ChatRef(NAME, self.user_id)
        self.channel.current = self.chat

    async def enter(self, where: str) -> bool:
        """Switch to the private chat (`dm`) or a unit's group chat (`group:CODE` or `group CODE`)."""
        where = where.replace("group ", "group:").strip()
        if where == "dm":
            self.chat = ChatRef(NAME, self.user_id)
        elif where.startswith("group:") and where[6:]:
            code = where[6:].strip().upper()
            chat_id = await self.desk.group_chat(code)
            if chat_id is None:
                self.say("console/unknown_unit", code=code)
                return False
            self.chat = ChatRef(NAME, chat_id, is_group=True)
        else:
            self.say("console/usage")
            return False
        self.channel.current = self.chat
        return True

    async def who(self) -> None:
        """Print who and where the console user is."""
        member = await self.desk.person(self.phone)
        self.say("console/who", member=member, phone=self.phone, chat=self.chat)

    async def line(self, text: str) -> bool:
        """Handle one typed line; return False when the session should end."""
        stripped = text.strip()
        if stripped.startswith(":"):
            return await self._meta(stripped[1:].strip())
        if not stripped:
            return True
        self._counter += 1
        inbound = Inbound(chat=self.chat, user_id=self.user_id,
                          update_id=f"{self._run_id}-{self._counter}", text=text.rstrip("\n"))
        try:
            await self.port.handle(inbound, wait=True)  # every reply printed before the next prompt
        except Unavailable:
            self.say("console/unavailable")
        return True

    async def _meta(self, command: str) -> bool:
        verb, _, rest = command.partition(" ")
        rest = rest.strip()
        if verb in ("quit", "q", "exit"):
            return False
        if verb == "as":
            await (self.become(rest.split()[0]) if rest else self._list_identities())
        elif verb == "in":
            await self.enter(rest)
        elif verb == "who":
            await self.who()
        elif verb == "run" and rest:
            name, _, at = rest.partition(" ")
            self.channel.out.write(await self.desk.run_job(name, at.strip() or None) + "\n")
        else:
            self.say("console/usage")
        return True

    async def _list_identities(self) -> None:
        self.say("console/identities", people=await self.desk.people(DEMO_PHONES))

    async def loop(self, stdin: TextIO | None = None) -> None:
        """Read lines until end of input or `:quit`; a prompt is shown only on a terminal."""
        stdin = stdin or sys.stdin
        interactive = stdin.isatty()
        lines = _read_lines(stdin)
        while True:
            if interactive:
                self.channel.out.write("> ")
                self.channel.out.flush()
            text = await lines.get()
            if text is None or not await self.line(text):
                break


def _read_lines(stdin: TextIO) -> asyncio.Queue[str | None]:
    """Read stdin in a daemon thread, so a signal can stop the app while a read is blocked."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=1)

    def pump() -> None:
        while True:
            text = stdin.readline()
            future = asyncio.run_coroutine_threadsafe(queue.put(text or None), loop)
            try:
                future.result()
            except (RuntimeError, concurrent.futures.CancelledError):
                return  # the loop is gone
            if not text:
                return

    threading.Thread(target=pump, name="console-stdin", daemon=True).start()
    return queue
