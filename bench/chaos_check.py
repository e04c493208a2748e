"""The chaos run's verdict: the database and the fakes against the people's ground truth."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.chaos_people import World
from handlers.textsplit import split_text

JOBS = ("urge_units", "officer_digest", "district_digest", "weekly_league", "sprint_countdown",
        "silent_reminders", "housekeeping", "broadcasts")
SLOTTED = JOBS[:-1]
"""Jobs that record every slot; `broadcasts` records only a slot that sent a broadcast."""
MAX_TEXT = {"telegram": 4096, "zalo": 2000}
PHONE = re.compile(r"(?<!\d)0\d{9}(?!\d)")


@dataclass
class Verdict:
    """What was lost or duplicated, by kind; the uncertain rows; notes worth printing."""

    lost: Counter[str] = field(default_factory=Counter)
    duplicated: Counter[str] = field(default_factory=Counter)
    uncertain: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def check(pool: asyncpg.Pool, world: World, *, workers: dict[int, str], killed: set[int],
                slots: tuple[datetime, datetime]) -> Verdict:
    """Compare; `workers` names each worker pid, `killed` holds the pids that got kill -9."""
    verdict = Verdict()
    await _initiatives(pool, world, verdict)
    await _approvals(pool, world, verdict)
    await _answers(pool, world, verdict)
    await _messages(pool, world, verdict, workers=workers, killed=killed)
    await _schedules(pool, verdict, slots)
    return verdict


async def _initiatives(pool: asyncpg.Pool, world: World, verdict: Verdict) -> None:
    """Every acknowledged registration is one initiative, every field as typed."""
    stored = await pool.fetch("SELECT member_id, title, field, content, effect, benefit_vnd "
                              "FROM initiatives")
    have = Counter(tuple(row.values()) for row in stored)
    want = Counter(tuple(e.values()) for e in world.truth.initiatives)
    verdict.lost["initiatives"] = sum((want - have).values())
    verdict.duplicated["initiatives"] = sum((have - want).values())


async def _approvals(pool: asyncpg.Pool, world: World, verdict: Verdict) -> None:
    """Every acknowledged "1" approved its initiative, and only once (the audit log)."""
    expected = set(world.truth.approved)
    approved = {r["number"] for r in await pool.fetch(
        "SELECT number FROM initiatives WHERE status = 'approved'")}
    audit = Counter(r["subject"] for r in await pool.fetch(
        "SELECT subject FROM audit_log WHERE action = 'review.approve'"))
    verdict.lost["approvals"] = len(expected - approved)
    verdict.duplicated["approvals"] = (sum(n - 1 for n in audit.values() if n > 1)
                                       + len(approved - expected))


async def _answers(pool: asyncpg.Pool, world: World, verdict: Verdict) -> None:
    """Each acknowledged update was claimed once and got a reply queued."""
    claimed = Counter((r["channel"], r["update_id"]) for r in await pool.fetch(
        "SELECT channel, update_id FROM processed_updates"))
    replied = set()
    for row in await pool.fetch("SELECT dedup_key FROM outbox WHERE dedup_key LIKE 'reply:%'"):
        _, channel, rest = row["dedup_key"].split(":", 2)  # reply:<channel>:<update id>:<index>
        replied.add((channel, rest.rsplit(":", 1)[0]))
    verdict.lost["answers"] = sum(1 for key in world.truth.acked
                                  if key not in claimed or key not in replied)
    verdict.duplicated["answers"] = sum(1 for n in claimed.values() if n > 1)


async def _messages(pool: asyncpg.Pool, world: World, verdict: Verdict, *,
                    workers: dict[int, str], killed: set[int]) -> None:
    """What reached the fakes, chat by chat, against the outbox rows (split parts included)."""
    received: dict[tuple[str, str], Counter[str]] = {}
    for chat_id, sent in world.telegram.by_chat.items():
        received[("telegram", str(chat_id))] = Counter(m.html for m in sent)
    for zalo_chat, texts in world.zalo.by_chat.items():
        received[("zalo", zalo_chat)] = Counter(texts)
    explained: dict[tuple[str, str], Counter[str]] = {}
    must: dict[tuple[str, str], Counter[str]] = {}
    for row in await pool.fetch("SELECT id, channel, chat_id, text, status, claimed_by, "
                                "dedup_key, last_error FROM outbox"):
        chat = (row["channel"], row["chat_id"])
        parts = split_text(row["text"], MAX_TEXT[row["channel"]])
        if row["status"] in ("sent", "uncertain"):
            explained.setdefault(chat, Counter()).update(parts)
        if row["status"] == "sent":
            must.setdefault(chat, Counter()).update(parts)
        elif row["status"] == "uncertain":
            pid = int(str(row["claimed_by"]).rsplit(":", 1)[-1])
            verdict.uncertain.append({
                "id": row["id"], "key": row["dedup_key"], "worker": workers.get(pid, "?"),
                "pid": pid, "killed": pid in killed,
                "arrived": all(received.get(chat, Counter())[p] > 0 for p in parts)})
        else:
            verdict.lost["messages"] += 1
            verdict.notes.append(f"outbox row {row['id']} ({row['dedup_key']}) ended "
                                 f"{row['status']}: {row['last_error']}")
    for chat, got in received.items():
        verdict.duplicated["messages"] += sum((got - explained.get(chat, Counter())).values())
    for chat, need in must.items():
        verdict.lost["messages"] += sum((need - received.get(chat, Counter())).values())


async def _schedules(pool: asyncpg.Pool, verdict: Verdict, slots: tuple[datetime, datetime]) -> None:
    """Every full minute of the chaos has one run of every job; the broadcast reached all."""
    first, last = slots
    runs = await pool.fetch("SELECT job_name, slot, state FROM job_runs WHERE NOT manual")
    done = Counter((r["job_name"], r["slot"].replace(second=0, microsecond=0)) for r in runs)
    minute = first
    while minute <= last:
        for job in SLOTTED:
            if done[(job, minute)] == 0:
                verdict.lost["slots"] += 1
                verdict.notes.append(f"job {job} has no run for the slot {minute:%H:%M} UTC")
        minute += timedelta(minutes=1)
    verdict.duplicated["slots"] = sum(n - 1 for n in done.values() if n > 1)
    for cast in await pool.fetch("SELECT id, status, expected FROM broadcasts"):
        queued = await pool.fetchval("SELECT count(*) FROM outbox WHERE dedup_key LIKE $1 AND "
                                     "dedup_key NOT LIKE '%:report:%'", f"broadcast:{cast['id']}:%")
        verdict.notes.append(f"broadcast {cast['id']}: {cast['status']}, {queued} messages "
                             f"queued of {cast['expected']} expected")
        if cast["status"] != "sent" or queued != cast["expected"]:
            verdict.lost["broadcasts"] += 1
    states = Counter(r["state"] for r in runs)
    verdict.notes.append("job runs by state: "
                         + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))


def scan_logs(work: Path, secrets: list[str]) -> int:
    """Count tokens, webhook secrets and phone numbers in the workers' logs (none may appear)."""
    count = 0
    for path in work.glob("*.log"):
        text = path.read_text(errors="replace")
        count += sum(text.count(secret) for secret in secrets) + len(PHONE.findall(text))
    return count
