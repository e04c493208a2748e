"""Where the benchmarks' processes run and what CPU they spend (the local PostgreSQL server's too)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import psutil


def _postgres() -> Iterator[psutil.Process]:
    """The local PostgreSQL server's processes: the postmaster and its backends."""
    for server in psutil.process_iter(["name"]):
        if server.info["name"] in ("postgres", "postmaster"):
            yield server


def postgres_cpu() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL server process on this machine (its backends too).

    A backend that ends during the run takes its share with it: the bot keeps its connections.
    """
    found = {}
    for server in _postgres():
        try:
            times = server.cpu_times()
        except psutil.Error:
            continue
        found[server.pid] = times.user + times.system
    return found


def _place_postgres(cpus: set[int]) -> None:
    """Move the PostgreSQL server's processes (new backends follow the postmaster).

    Those that cannot be moved (another user's, without the right) are left where they are.
    """
    for server in _postgres():
        with contextlib.suppress(psutil.Error):
            server.cpu_affinity(sorted(cpus))


@contextlib.contextmanager
def bots_on_own_core() -> Iterator[set[int] | None]:
    """Keep the first CPU for the bots: this process and PostgreSQL's move to the others.

    Yields the bots' CPUs (None on a machine of one CPU: nothing moves); every process is put
    back on every CPU at the end.
    """
    every = set(os.sched_getaffinity(0))
    if len(every) < 2:
        yield None
        return
    bots, rest = {min(every)}, every - {min(every)}
    os.sched_setaffinity(0, rest)
    _place_postgres(rest)
    try:
        yield bots
    finally:
        os.sched_setaffinity(0, every)
        _place_postgres(every)
