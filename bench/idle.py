"""Benchmark: what an idle bot costs (issue 14): `sangkien run` long-polling a fake Bot API.

Nobody writes for `--seconds`; the bot's process CPU over that time is its idle cost, next to the
PTB echo bot (Application.run_polling) idling on its own fake in the same run. Both poll with a
30 s long poll, as against the real Bot API; `sangkien run` also runs its scheduler, web server
and outbox sender, as in production.

    python bench/idle.py [--seconds 60] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pgdb import fresh_database  # noqa: E402
from bench.telegram_updates import free_port, prepare_database, start, stop  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402


async def idle_cpu(proc_args: list[str], env: dict[str, str], seconds: float, log: Path,
                   fake: FakeTelegram) -> tuple[float, int]:
    """Start a bot, wait until it polls, then measure its CPU seconds and polls while idle."""
    proc = start(proc_args, env, log)
    try:
        while not fake.polls_waiting:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc_args} exited with {proc.returncode}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(5)  # start-up work (catch-up, first drain) settles
        process = psutil.Process(proc.pid)
        polls = len(fake.calls_of("getUpdates"))
        before = process.cpu_times()
        await asyncio.sleep(seconds)
        after = process.cpu_times()
        cpu = (after.user - before.user) + (after.system - before.system)
        return cpu, len(fake.calls_of("getUpdates")) - polls
    finally:
        await asyncio.to_thread(stop, proc)


async def main(seconds: float, db: str) -> None:
    print(f"# idle for {seconds:.0f} s; {platform.machine()}, {psutil.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fake = await FakeTelegram().start()
        env = dict(os.environ) | {"ECHO_TOKEN": fake.token, "ECHO_BASE_URL": fake.base_url,
                                  "ECHO_POLL_TIMEOUT": "30"}
        echo = await idle_cpu([str(ROOT / "bench" / "telegram_updates.py"), "--echo-bot"], env,
                              seconds, work / "echo.log", fake)
        await fake.close()
        async with fresh_database(db, work) as url:
            await prepare_database(url, 1)
            fake = await FakeTelegram().start()
            env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")} | {
                "SANGKIEN__DATABASE__URL": url, "SANGKIEN__TELEGRAM__TOKEN": fake.token,
                "SANGKIEN__TELEGRAM__BASE_URL": fake.base_url,
                "SANGKIEN__WEB__PORT": str(free_port()), "PYTHONPATH": str(ROOT)}
            ours = await idle_cpu(["-m", "bot", "run"], env, seconds, work / "bot.log", fake)
            await fake.close()
    for name, (cpu, polls) in (("PTB echo bot", echo), (f"sangkien run ({db})", ours)):
        print(f"{name:<24} CPU {cpu:6.3f} s = {100 * cpu / seconds:5.2f} % of one core, "
              f"{polls} getUpdates calls")
    if echo[0] >= 0.01:
        print(f"ratio {ours[0] / echo[0]:.1f}x the echo bot's idle CPU")
    else:  # psutil counts in 10 ms ticks: a ratio to (almost) nothing says nothing
        print(f"ratio n/a: the echo bot used under 10 ms; ours {1000 * ours[0] / seconds:.2f} "
              f"ms of CPU per idle second (goal ~0%)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    options = parser.parse_args()
    asyncio.run(main(options.seconds, options.db))
