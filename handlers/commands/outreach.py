"""Outreach commands: /baocao (the digest now), /tatnhacnho and /batnhacnho (personal reminders)."""

from __future__ import annotations

from handlers.services import digests, reminders, standings
from handlers.services import members as member_service
from handlers.services.records import UnitLevel
from handlers.turn import Turn


async def digest_now(turn: Turn, _args: str) -> None:
    """Show an officer their union's digest, and staff their blocks' digest."""
    assert turn.member is not None
    unit = await member_service.unit_of(turn.session, turn.member)
    settings = turn.settings
    if unit.level == UnitLevel.GRASSROOTS:
        digest = await digests.digest_for_unit(
            turn.session, unit=unit, today=turn.today, tz=settings.tz,
            statuses=settings.counting_statuses, lagging_share=settings.lagging_share)
        if digest is None:
            turn.reply("member/no_open_phase")
            return
        turn.reply("digest/officer", d=digest, name=turn.member.name)
        return
    snap = await standings.snapshot(turn.session, today=turn.today, tz=settings.tz,
                                    statuses=settings.counting_statuses,
                                    lagging_share=settings.lagging_share)
    if snap is None:
        turn.reply("member/no_open_phase")
        return
    own = await digests.block_targets(turn.session, snap)
    blocks = [digests.block_summary(snap, b, own.get(b.id)) for b in snap.under(unit)]
    turn.reply("digest/district", blocks=blocks, phase=snap.phase,
               days_left=snap.days_left_phase, today=turn.today)


async def reminders_off(turn: Turn, _args: str) -> None:
    """Stop personal reminders for this member."""
    assert turn.member is not None
    changed = await reminders.set_enabled(turn.session, turn.member.id, enabled=False)
    turn.reply("reminder/off", changed=changed)


async def reminders_on(turn: Turn, _args: str) -> None:
    """Resume personal reminders for this member."""
    assert turn.member is not None
    changed = await reminders.set_enabled(turn.session, turn.member.id, enabled=True)
    turn.reply("reminder/on", changed=changed)
