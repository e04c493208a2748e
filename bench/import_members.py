"""Benchmark: `sangkien import members FILE --apply` of 100,000 generated rows (issue 7).

Baseline, in the same run and on the same database: a bulk insert of the same rows with SQLAlchemy
Core (`insert(Member)` executemany in one transaction). Goal: the import takes at most 2x that.
The import runs through the real CLI entry point in this process (the interpreter start-up is left
out of both figures), so a progress bar shows when stderr is a terminal.

    python bench/import_members.py [--rows 100000] [--repeat 3] [--db sqlite|postgresql|both] [--xlsx]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import delete, func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pgdb import admin, database_url  # noqa: E402
from bot.app import App  # noqa: E402
from bot.cli import main as cli_main  # noqa: E402
from bot.config import load_config  # noqa: E402
from handlers.clock import ManualClock  # noqa: E402
from storage import migrate  # noqa: E402
from storage.models import AuditEntry, Member  # noqa: E402
from tests.factories import build_federation  # noqa: E402

HEADER = ["phone", "name", "unit_code", "role"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quốc", "Ngọc", "Hữu"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Mai", "Nam", "Phúc", "Tâm"]
CODES = ["DN01", "DN02", "TH01", "TH02"]
PREFIX = "08"  # the federation's own members use 09…; generated ones never clash with them


def generate(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    return [[f"{PREFIX}{i:08d}", f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
             CODES[i % len(CODES)], "officer" if i % 50 == 0 else "member"] for i in range(count)]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def prepare(url: str) -> dict[str, int]:
    migrate.upgrade(url)
    app = App.create(load_config(env={"SANGKIEN__DATABASE__URL": url}),
                     clock=ManualClock(datetime(2026, 11, 24, 2, tzinfo=UTC)))
    try:
        fed = await build_federation(app, today=datetime(2026, 11, 24).date())
        return {code: fed.units[code].id for code in CODES}
    finally:
        await app.close()


async def core_insert(url: str, rows: list[dict[str, object]]) -> float:
    """The baseline: one transaction, one executemany of the same rows."""
    app = App.create(load_config(env={"SANGKIEN__DATABASE__URL": url}))
    try:
        start = time.perf_counter()
        async with app.engine.begin() as conn:
            await conn.execute(insert(Member), rows)
        return time.perf_counter() - start
    finally:
        await app.close()


async def reset(url: str) -> int:
    """Remove the generated members and the audit entries; return how many members were there."""
    app = App.create(load_config(env={"SANGKIEN__DATABASE__URL": url}))
    try:
        async with app.engine.begin() as conn:
            found = (await conn.execute(select(func.count(Member.id)).where(
                Member.phone.startswith(PREFIX)))).scalar_one()
            await conn.execute(delete(Member).where(Member.phone.startswith(PREFIX)))
            await conn.execute(delete(AuditEntry))
        return found
    finally:
        await app.close()


def run_cli(url: str, path: Path) -> float:
    os.environ["SANGKIEN__DATABASE__URL"] = url
    os.environ["SANGKIEN__LOGGING__LEVEL"] = "WARNING"
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli_main(["import", "members", str(path), "--apply"])
    elapsed = time.perf_counter() - start
    assert code == 0, code
    return elapsed


def bench(label: str, url: str, rows: list[list[str]], files: dict[str, Path], repeat: int) -> None:
    ids = asyncio.run(prepare(url))
    at = datetime.now(UTC)
    dicts = [{"unit_id": ids[code], "name": name, "phone": phone, "role": role,
              "reminders_enabled": True, "created_at": at} for phone, name, code, role in rows]
    base, imported, again = [], [], []
    for _ in range(repeat):
        asyncio.run(reset(url))
        base.append(asyncio.run(core_insert(url, dicts)))
        assert asyncio.run(reset(url)) == len(rows)
        imported.append(run_cli(url, files["csv"]))
        again.append(run_cli(url, files["csv"]))  # the same file again: nothing to change
    assert asyncio.run(reset(url)) == len(rows)
    b, i, a = statistics.median(base), statistics.median(imported), statistics.median(again)
    # Each import is paired with the baseline measured just before it, so a burst of load from
    # other jobs on the machine hits both sides of a ratio; the median of those ratios is quoted.
    paired = statistics.median(x / y for x, y in zip(imported, base, strict=True))
    print(f"{label:10s} core insert {b:.2f} s | sangkien import members {i:.2f} s "
          f"({len(rows) / i:,.0f} rows/s) | ratio {paired:.2f}x (goal <= 2x; medians "
          f"{i / b:.2f}x) | same file again {a:.2f} s")
    print(f"{label:10s} runs: core {', '.join(f'{x:.2f}' for x in base)} | "
          f"import {', '.join(f'{x:.2f}' for x in imported)}")
    if "xlsx" in files:
        x = run_cli(url, files["xlsx"])
        print(f"{label:10s} the same rows as .xlsx: {x:.2f} s ({x / b:.2f}x the core insert)")
        asyncio.run(reset(url))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--xlsx", action="store_true", help="also time the same rows as .xlsx")
    args = parser.parse_args()
    print(f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}; "
          f"{args.rows:,} members, median of {args.repeat}")
    rows = generate(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        files = {"csv": write_csv(Path(tmp) / "members.csv", rows)}
        if args.xlsx:
            files["xlsx"] = write_xlsx(Path(tmp) / "members.xlsx", rows)
        if args.db in ("sqlite", "both"):
            bench("sqlite", f"sqlite+aiosqlite:///{tmp}/bench.db", rows, files, args.repeat)
        if args.db in ("postgresql", "both"):
            bench_postgres(rows, files, args.repeat)


def bench_postgres(rows: list[list[str]], files: dict[str, Path], repeat: int) -> None:
    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        bench("postgresql", database_url(name), rows, files, repeat)
    finally:
        asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
