"""What one update costs on the hot path: statements, round trips, commits, thread hops, a profile.

Members run the whole registration dialog (7 updates) through `App.handle` (the router's
transaction, then the reply sent through the outbox to the in-memory channel), on SQLite and
PostgreSQL. Counted per update, by instrumenting the drivers from outside (nothing in the project
changes for this): statements the driver executed, transactions begun and committed, SAVEPOINTs,
asyncpg round trips, aiosqlite thread hops. `--profile` adds a cProfile of the run, grouped by
package. The figures go into docs/benchmarks.md (issue 14).

    python bench/update_path.py [--members 100] [--db sqlite|postgresql|both] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import functools
import inspect
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from bench.dialog import ANSWERS, add_members, make_app  # noqa: E402
from bench.pgdb import scratch_database  # noqa: E402
from handlers.types import ChatRef, Inbound  # noqa: E402

COUNTS: collections.Counter[str] = collections.Counter()


DEPTH = {"calls": 0}


def count_calls(owner: Any, name: str, key: str) -> None:
    """Wrap `owner.name` so every outermost call adds one to COUNTS[key] (nested calls don't).

    Some asyncpg methods are plain functions returning a coroutine: the depth is held while
    the coroutine runs, not while it is made.
    """
    original = getattr(owner, name)

    async def held(awaitable: Any, counted: bool) -> Any:
        DEPTH["calls"] += 1
        try:
            return await awaitable
        finally:
            DEPTH["calls"] -= 1

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outermost = DEPTH["calls"] == 0
        COUNTS[key] += outermost
        DEPTH["calls"] += 1
        try:
            result = original(*args, **kwargs)
        finally:
            DEPTH["calls"] -= 1
        return held(result, outermost) if inspect.isawaitable(result) else result

    setattr(owner, name, wrapper)


def instrument_drivers() -> None:
    """Count what reaches each driver, whichever way it came (SQLAlchemy or prepared).

    SQLite: statements executed (every one, BEGIN and COMMIT included), and thread hops when
    aiosqlite is used. PostgreSQL: asyncpg round trips (a statement, BEGIN, COMMIT, ROLLBACK,
    a PREPARE each), counted once even when one asyncpg call makes another.
    """
    import aiosqlite.core
    import asyncpg.connection
    import asyncpg.prepared_stmt
    import asyncpg.transaction

    from storage import inline_sqlite

    count_calls(aiosqlite.core.Connection, "_execute", "thread hops")
    for owner, names in ((inline_sqlite.InlineCursor, ("execute", "executemany")),
                         (inline_sqlite.InlineConnection, ("rows", "rows_many", "begin_immediate",
                                                           "commit", "rollback"))):
        for name in names:
            count_calls(owner, name, "sqlite statements")
    for name in ("prepare", "execute", "fetch", "fetchrow", "fetchval", "executemany"):
        count_calls(asyncpg.connection.Connection, name, f"rt conn.{name}")
    for name in ("fetch", "fetchrow", "fetchval", "executemany"):
        count_calls(asyncpg.prepared_stmt.PreparedStatement, name, f"rt stmt.{name}")
    for name in ("start", "commit", "rollback"):
        count_calls(asyncpg.transaction.Transaction, name, f"rt tx.{name}")
    # Transactions as the drivers see them: a unit of work begins and commits on the driver,
    # past SQLAlchemy's events.
    for owner, begin in ((inline_sqlite.InlineConnection, "begin_immediate"),
                         (asyncpg.transaction.Transaction, "start")):
        for name, key in ((begin, "transactions"), ("commit", "commits"),
                          ("rollback", "rollbacks")):
            tally(owner, name, key)


def tally(owner: Any, name: str, key: str) -> None:
    """Count every call of `owner.name` (wrapped over `count_calls`, so both count)."""
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        COUNTS[key] += 1
        return original(*args, **kwargs)

    setattr(owner, name, wrapper)


def instrument_engine(engine: Any) -> None:
    """Count SAVEPOINTs and the statements that still go through SQLAlchemy's execution."""
    sync = engine.sync_engine

    @event.listens_for(sync, "before_cursor_execute")
    def _statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        word = statement.lstrip().split(None, 1)[0].upper()
        COUNTS["through SQLAlchemy"] += 1
        COUNTS[f"  {word}"] += 1

    @event.listens_for(sync, "savepoint")
    def _savepoint(*_: Any) -> None:
        COUNTS["savepoints"] += 1


async def run_dialogs(app: Any, users: list[str], step: Callable[[Inbound], Any]) -> int:
    updates = 0
    for user in users:
        for n, text in enumerate(ANSWERS):
            await step(Inbound(ChatRef("memory", user), user, f"{user}-{n}-{time.time_ns()}",
                               text=text))
            updates += 1
    return updates


def report(label: str, path: str, counts: collections.Counter[str], updates: int) -> None:
    print(f"{label} ({path}), per update over {updates} updates:")
    order = ["transactions", "commits", "rollbacks", "savepoints", "sqlite statements",
             "round trips", "thread hops", "through SQLAlchemy"]
    keys = [k for k in order if counts[k] or k in order[:4]] + sorted(
        k for k in counts if k.startswith(("  ", "rt ")))
    for key in keys:
        print(f"  {key:<16}{counts[key] / updates:8.2f}")


def profile_summary(profile: cProfile.Profile, top: int = 25) -> None:
    """Print where the time went: by package (own time), then the costliest functions."""
    stats = pstats.Stats(profile)
    by_package: collections.Counter[str] = collections.Counter()
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        by_package[_package(filename)] += tottime
    print(f"  profile: {total:.2f} s of own time")
    for package, seconds in by_package.most_common(14):
        print(f"    {package:<28}{100 * seconds / total:5.1f} %")
    stats.sort_stats("tottime").print_stats(top)


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    if str(ROOT) in filename:
        return "project:" + filename.split(str(ROOT) + "/", 1)[1].split("/", 1)[0]
    if filename.startswith("<") or filename == "~":
        return "builtins"
    return "stdlib:" + Path(filename).name


async def measure(label: str, url: str, members: int, profile: bool) -> None:
    app = await make_app(url)
    instrument_engine(app.engine)
    try:
        users = await add_members(app, 2 * members + 10)
        await run_dialogs(app, users[:10], app.handle)  # warm-up: caches, prepared statements
        for path, step, chosen in (("router only", app.router.handle, users[10:10 + members]),
                                   ("router + sending the reply", app.handle,
                                    users[10 + members:])):
            COUNTS.clear()
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            started = time.perf_counter()
            updates = await run_dialogs(app, chosen, step)
            seconds = time.perf_counter() - started
            if profiler:
                profiler.disable()
            report(label, path, COUNTS, updates)
            print(f"  {'ms per update':<16}{1000 * seconds / updates:8.2f}"
                  f"{'   (profiled)' if profiler else ''}")
            if profiler and path.startswith("router +"):
                profile_summary(profiler)
    finally:
        await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    instrument_drivers()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            await measure("sqlite", f"sqlite+aiosqlite:///{tmp}/path.db", args.members, args.profile)
    if args.db in ("postgresql", "both"):
        async with scratch_database("bench_path") as url:
            await measure("postgresql", url, args.members, args.profile)


if __name__ == "__main__":
    asyncio.run(main())
