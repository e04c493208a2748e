"""The core as chat adapters see it: implements `handlers.port.Port` (and the console's `Desk`).

Updates go to the router, replies leave through the outbox sender, and a platform's troubles
(a quota ran out, a token refused) become pauses and staff notices through services.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.channel import Channel
from handlers.clock import Clock
from handlers.command_table import COMMANDS, Where
from handlers.delivery import OutboxSender
from handlers.port import Lease, MenuEntry
from handlers.router import Handled, Router
from handlers.services import leases, quota, staff_alerts
from handlers.services import members as member_service
from handlers.services.records import Role
from handlers.services.transactions import (
    Sessions,
    forget_connections,
    is_disconnect,
    side_by_side,
    unit_of_work,
)
from handlers.texts import Renderer
from handlers.types import ChatChange, Inbound

log = logging.getLogger(__name__)

REFUSED_PAUSE = timedelta(minutes=15)
JobRunner = Callable[[str, str | None], Awaitable[str]]


class Gateway:
    """Router, sender and the channels served, behind the port adapters are handed."""

    def __init__(self, *, router: Router, sender: OutboxSender, sessions: Sessions,
                 renderer: Renderer, clock: Clock, tz: ZoneInfo,
                 channels: dict[str, Channel] | None = None) -> None:
        self.router, self.sender, self.sessions = router, sender, sessions
        self.renderer, self.clock, self.tz = renderer, clock, tz
        self.channels = channels if channels is not None else {}
        router.worker, router.at_once = sender.worker_id, sender.channels
        router.room = sender.hold_room
        self.lanes = side_by_side(sessions.kw["bind"])
        self.job_runner: JobRunner | None = None
        """Fires a scheduled job for the console's `:run` (set by the wiring when jobs exist)."""
        self._sending: set[asyncio.Task[int]] = set()

    async def handle(self, inbound: Inbound, *, wait: bool = False) -> None:
        """Handle one update; return once it is committed (and its replies left, with `wait`).

        Without `wait` a poller may confirm the update now (it is durable) and take the next one
        while the replies go out; the sender keeps each chat's messages in order.
        """
        handled = await self.router.handle(inbound)
        if not (handled.held or handled.queued):
            return
        task = asyncio.create_task(self._send(handled), name=f"replies {inbound.update_id}")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)
        if wait:
            await task

    async def settle(self, grace: float | None = None) -> None:
        """Wait until the replies in flight have left (or `grace` seconds)."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=grace)

    async def _send(self, handled: Handled) -> int:
        try:
            return (await self.sender.send_held(handled.held)
                    + await self.sender.send_ids(handled.queued))
        except Exception:
            # Rows not marked stay `sending` (found by the lease) or `pending` (the drain).
            log.exception("sending the replies to update failed; the outbox keeps them")
            return 0

    async def chat_changed(self, change: ChatChange) -> None:
        """Record a membership change or a group's new id (claimed like any update)."""
        await self.router.chat_changed(change)

    def serve(self, channel: Channel, *, bot_names: Iterable[str] = ()) -> None:
        """Send through `channel`; the router learns its limits and the bot's names there."""
        self.channels[channel.name] = channel
        self.router.limits[channel.name] = channel.limits
        self.sender.channels[channel.name] = channel
        names = {name.lower() for name in bot_names if name}
        if names:
            self.router.bot_names[channel.name] = names

    def render(self, template: str, /, **data: object) -> str:
        """Render a core template as plain text."""
        return self.renderer.render(template, **data)

    def command_menu(self) -> list[MenuEntry]:
        """List the commands for a platform's own menu: members' in private, all but /start in groups."""
        return [MenuEntry(c.name, self.renderer.render(f"commands/{c.name}"),
                          private=c.where != Where.GROUP and c.minimum in (None, Role.MEMBER),
                          group=c.where != Where.DM and c.name != "start")
                for c in COMMANDS.values()]

    async def paused_until(self, channel: str) -> datetime | None:
        """Return until when `channel` may not send, or None.

        Asked once more on a fresh connection when the pooled one was cut (a platform asks this
        while it starts, and a worker must not die of a database restart then).
        """
        try:
            return await self._pause_of(channel)
        except Exception as exc:
            if not is_disconnect(exc):
                raise
            log.info("reading %s's pause: database connection lost, asking again", channel)
            await forget_connections(self.sessions.kw["bind"])
            return await self._pause_of(channel)

    async def _pause_of(self, channel: str) -> datetime | None:
        async with unit_of_work(self.sessions) as session:
            return await quota.paused_until(session, channel=channel, now=self.clock.now())

    async def quota_exceeded(self, channel: str, *, pause_minutes: int,
                             monthly_quota: int) -> datetime:
        """Pause `channel` (rows stay pending) and tell staff on their other channels."""
        now = self.clock.now()
        until = quota.quota_pause_end(now, pause_minutes=pause_minutes, tz=self.tz)
        async with unit_of_work(self.sessions) as session:
            held = await quota.pause(session, channel=channel, until=until,
                                     reason="quota exceeded", now=now)
            used = await quota.usage_of(session, channel=channel, now=now, quota=monthly_quota,
                                        tz=self.tz)
            await staff_alerts.notify_staff(
                session, renderer=self.renderer, template="zalo/quota_paused",
                # The row in hand is still `sending` (counted as spent) but it was refused.
                data={"month": used.month, "spent": max(0, used.spent - 1), "quota": used.quota,
                      "held": held + 1, "until": until.astimezone(self.tz)},
                markups=self._other_channels(channel), now=now,
                dedup=f"{channel}-quota:{used.month:%Y-%m}")
        return until

    async def token_refused(self, channel: str) -> datetime:
        """Pause `channel` a while and tell staff that its token must be replaced."""
        now = self.clock.now()
        until = now + REFUSED_PAUSE
        day = now.astimezone(self.tz).date()
        async with unit_of_work(self.sessions) as session:
            await quota.pause(session, channel=channel, until=until, reason="token refused",
                              now=now)
            await staff_alerts.notify_staff(
                session, renderer=self.renderer, template="zalo/token_rejected", data={},
                markups=self._other_channels(channel), now=now,
                dedup=f"{channel}-401:{day:%Y-%m-%d}")
        return until

    def lease(self, name: str, *, ttl: timedelta) -> Lease:
        """Return a lease for a singleton job of this process (one poller per bot token)."""
        return leases.lease_for(self.sessions, name=name, holder=self.sender.worker_id,
                                clock=self.clock, ttl=ttl)

    def _other_channels(self, channel: str) -> dict[str, str]:
        return {name: served.limits.markup for name, served in self.channels.items()
                if name != channel}

    # -- the console's desk ----------------------------------------------------------------------

    async def become(self, phone: str) -> tuple[str, bool]:
        """Link the console user for `phone` to that member (the operator is trusted)."""
        async with unit_of_work(self.sessions) as session:
            member = await member_service.link_console(session, phone)
        return member_service.console_user_id(phone), member is not None

    async def group_chat(self, code: str) -> str | None:
        """Return the console chat id of a unit's group chat, or None for an unknown code."""
        async with unit_of_work(self.sessions) as session:
            unit = await member_service.unit_by_code(session, code)
        return f"group:{unit.code}" if unit is not None else None

    async def person(self, phone: str | None) -> object | None:
        """Return the member with `phone`, or None."""
        if not phone:
            return None
        async with unit_of_work(self.sessions) as session:
            return await member_service.get_by_phone(session, phone)

    async def people(self, phones: Iterable[str]) -> list[object]:
        """Return the members with these phones that exist, in order."""
        async with unit_of_work(self.sessions) as session:
            found = [await member_service.get_by_phone(session, p) for p in phones]
        return [member for member in found if member is not None]

    async def run_job(self, name: str, at: str | None) -> str:
        """Fire a scheduled job now (the console's `:run`), or say that jobs are not here."""
        if self.job_runner is None:
            return self.renderer.render("console/no_jobs")
        return await self.job_runner(name, at)
