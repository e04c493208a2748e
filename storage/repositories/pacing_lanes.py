"""Pacing lanes on PostgreSQL: book a message's slot in all its lanes, pause a lane, forget idle ones.

Each call is one statement on an autocommit connection (one round trip, no BEGIN or COMMIT), run
straight on the driver; asyncpg prepares it once per connection. Times are epoch seconds of the
database's clock, unless the caller passes `now` (tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.work import on_driver

# GCRA over the lanes of one message (its chat, its group, its bot), in one statement:
# - `locked` takes the lanes' row locks in key order, so every booking of a bot waits for the one
#   before it (its bot lane is shared) and reads the lanes as that one left them: under READ
#   COMMITTED a locked row is re-read at its newest version. No two bookings get the same slot.
# - the clock is read after the locks (the count makes it wait for them);
# - the slot is the latest of now, each lane's `tat - tolerance` and each lane's pause;
# - when the message's own lanes (chat, group) or a pause would keep it longer than `max_wait`,
#   nothing is booked and the wait is returned: the sender requeues the message;
# - else every lane's `tat` moves to `max(tat, slot) + interval` (inserted when new).
# The bot's lane must exist before its first booking (`ensure`) and is never pruned: then every
# booking of a bot locks that row first and waits for the one before. A chat's or group's lane
# first created by another worker after this statement began is not among `locked`: its `tat` is
# still kept right (greatest), only this one slot ignores it (two workers sending a chat its first
# messages at the same instant: within the chat's burst, unless its burst is 1).
# - a booking commits without waiting for the WAL flush (`relax`: a setting local to the
#   statement's own transaction, read as part of the row returned): a crash of the database server
#   may lose the last few hundred milliseconds of bookings, and the lanes then let that much more
#   through once. A pause (429) is always flushed.
_BOOK = """
WITH relax AS (
    SELECT set_config('synchronous_commit', 'off', true) AS durability
), lanes AS (
    SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[], $4::bool[])
        AS l(key, step, tolerance, own)
), locked AS (
    SELECT key, tat, blocked_until FROM pacing_lanes
    WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE
), clock AS (
    SELECT coalesce($6::float8, extract(epoch FROM clock_timestamp())::float8) + 0 * count(*)
        AS now FROM locked
), state AS (
    SELECT l.key, l.step, l.tolerance, l.own,
           coalesce(k.tat, 0) AS tat, coalesce(k.blocked_until, 0) AS blocked_until
    FROM lanes l LEFT JOIN locked k ON k.key = l.key
), slot AS (
    SELECT c.now,
           greatest(c.now, max(greatest(s.tat - s.tolerance, s.blocked_until))) AS at,
           greatest(c.now, max(CASE WHEN s.own THEN greatest(s.tat - s.tolerance, s.blocked_until)
                                    ELSE s.blocked_until END)) AS own_at,
           coalesce(max(s.blocked_until) FILTER (WHERE s.own), 0) AS chat_blocked,
           coalesce(max(s.blocked_until) FILTER (WHERE NOT s.own), 0) AS bot_blocked
    FROM state s CROSS JOIN clock c GROUP BY c.now
), booked AS (
    INSERT INTO pacing_lanes AS p (key, tat, blocked_until)
    SELECT s.key, greatest(s.tat, slot.at) + s.step, s.blocked_until
    FROM state s CROSS JOIN slot WHERE slot.own_at - slot.now <= $5
    ON CONFLICT (key) DO UPDATE SET tat = greatest(p.tat, excluded.tat)
    RETURNING p.key, p.tat
)
SELECT slot.at, slot.at - slot.now AS wait,
       slot.own_at - slot.now AS own_wait,
       EXISTS (SELECT FROM booked) AS booked,
       coalesce((SELECT max(b.tat - l.tolerance) FROM booked b JOIN lanes l ON l.key = b.key
                 WHERE l.own), slot.own_at) - slot.now AS own_next,
       slot.chat_blocked - slot.now AS chat_blocked,
       slot.bot_blocked - slot.now AS bot_blocked
FROM slot, relax
"""

_HOLD = """
INSERT INTO pacing_lanes AS p (key, tat, blocked_until)
VALUES ($1, 0, coalesce($3::float8, extract(epoch FROM clock_timestamp())::float8) + $2)
ON CONFLICT (key) DO UPDATE SET blocked_until = greatest(p.blocked_until, excluded.blocked_until)
"""

_ENSURE = """
INSERT INTO pacing_lanes (key, tat, blocked_until) VALUES ($1, 0, 0) ON CONFLICT (key) DO NOTHING
"""

# Skip locked rows: a lane being booked is not idle, and waiting for it could deadlock. Bot lanes
# stay (see `_BOOK`).
_PRUNE = """
WITH clock AS (SELECT coalesce($2::float8, extract(epoch FROM clock_timestamp())::float8) AS now)
DELETE FROM pacing_lanes WHERE key IN (
    SELECT key FROM pacing_lanes, clock
    WHERE tat < clock.now - $1 AND blocked_until < clock.now AND key NOT LIKE 'bot:%'
    FOR UPDATE OF pacing_lanes SKIP LOCKED)
"""


@dataclass(frozen=True)
class Lane:
    """One lane of a message: key, interval and tolerance (seconds), own (chat, group) or the bot's."""

    key: str
    interval: float
    tolerance: float
    own: bool


@dataclass(frozen=True)
class Booking:
    """What a booking found, in seconds from the database's now.

    `wait`: until the slot (booked) or until the own lanes free up (not booked). `own_next`: when
    the chat's next message may go, as far as its own lanes say. `chat_blocked`/`bot_blocked`:
    the pauses (429) found on the chat and on the bot (negative when over). `at`: the slot, in
    the database's epoch seconds (when booked).
    """

    wait: float
    booked: bool
    own_next: float
    chat_blocked: float
    bot_blocked: float
    at: float


async def book(conn: AsyncConnection, lanes: Sequence[Lane], *, max_wait: float,
               now: float | None = None) -> Booking:
    """Book the next slot in every lane, unless the own lanes make it wait over `max_wait`."""
    row = await on_driver(conn, "fetchrow", _BOOK, [lane.key for lane in lanes],
                     [lane.interval for lane in lanes], [lane.tolerance for lane in lanes],
                     [lane.own for lane in lanes], max_wait, now)
    wait = row["wait"] if row["booked"] else row["own_wait"]
    return Booking(max(0.0, wait), row["booked"], row["own_next"], row["chat_blocked"],
                   row["bot_blocked"], row["at"])


async def ensure(conn: AsyncConnection, key: str) -> None:
    """Create lane `key` unless it exists (a bot's lane, before its first booking)."""
    await on_driver(conn, "execute", _ENSURE, key)


async def hold(conn: AsyncConnection, key: str, seconds: float, *, now: float | None = None) -> None:
    """Pause lane `key` for `seconds` from now (a longer pause already there stays)."""
    await on_driver(conn, "execute", _HOLD, key, seconds, now)


async def prune(conn: AsyncConnection, *, idle_seconds: float, now: float | None = None) -> None:
    """Delete lanes idle for `idle_seconds` and not paused: an idle lane is the same as none."""
    await on_driver(conn, "execute", _PRUNE, idle_seconds, now)
