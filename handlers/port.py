"""The port a chat adapter is handed by the wiring: all a platform may ask of the core.

Adapters (bot/channels) import this, the message types and the `Channel` protocol, never the
wiring, the configuration or storage. `handlers.gateway.Gateway` is the core's implementation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from handlers.channel import Channel
from handlers.clock import Clock
from handlers.services.leases import Lease
from handlers.types import ChatChange, Inbound


@dataclass(frozen=True)
class MenuEntry:
    """A command as a platform's own command menu shows it (Telegram's "/" list)."""

    name: str
    label: str
    private: bool
    """Shown in private chats (members' commands); else only in groups."""
    group: bool


class Port(Protocol):
    """What every chat adapter may ask of the core."""

    clock: Clock
    lanes: int
    """How many updates of different chats a poller may hand over at once: as many units of
    work as the database pool keeps connections for (more at once was slower, not faster)."""

    async def handle(self, inbound: Inbound, *, wait: bool = False) -> None:
        """Handle one update: claimed, answered and committed when this returns.

        Its replies leave meanwhile, in order per chat, so a poller may confirm the update and
        fetch the next; a webhook passes `wait=True` to answer only once they have left.
        """
        ...

    async def settle(self, grace: float | None = None) -> None:
        """Wait until the replies in flight have left (the console, before its next prompt)."""
        ...

    async def chat_changed(self, change: ChatChange) -> None:
        """Record a membership change or a group's new id, claimed like any update."""
        ...

    def serve(self, channel: Channel, *, bot_names: Iterable[str] = ()) -> None:
        """Send through `channel`; in its groups, `/cmd@name` is for us when `name` is ours."""
        ...

    def render(self, template: str, /, **data: object) -> str:
        """Render a template of the core (plain text)."""
        ...

    def command_menu(self) -> list[MenuEntry]:
        """List the commands a platform's own menu may show, with their labels."""
        ...

    async def paused_until(self, channel: str) -> datetime | None:
        """Return until when `channel` may not send (a quota ran out), or None."""
        ...

    async def quota_exceeded(self, channel: str, *, pause_minutes: int,
                             monthly_quota: int) -> datetime:
        """Pause `channel` after the platform said its quota ran out; tell staff; return until."""
        ...

    async def token_refused(self, channel: str) -> datetime:
        """Pause `channel` a while after the platform refused its token; tell staff; return until."""
        ...

    def lease(self, name: str, *, ttl: timedelta) -> Lease:
        """Return a lease for a singleton job of this process (a poller)."""
        ...


class Desk(Protocol):
    """What the console adds for the person at the terminal (identity and chat switching)."""

    async def become(self, phone: str) -> tuple[str, bool]:
        """Act as the member with `phone`; return the console user id and whether they exist."""
        ...

    async def group_chat(self, code: str) -> str | None:
        """Return the console chat id of a unit's group chat, or None for an unknown code."""
        ...

    async def person(self, phone: str | None) -> object | None:
        """Return the member with `phone` (for `:who` and the banner), or None."""
        ...

    async def people(self, phones: Iterable[str]) -> list[object]:
        """Return the members with these phones that exist (for `:as` with no phone)."""
        ...

    async def run_job(self, name: str, at: str | None) -> str:
        """Fire a scheduled job now and describe its outcome."""
        ...


__all__ = ["Desk", "Lease", "MenuEntry", "Port"]
