"""Run Alembic migrations from code (the CLI and the test fixture), no alembic.ini needed."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Any:
    """Build an Alembic config aimed at `url` (Alembic is loaded only when migrations run)."""
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (blocking).

    Alembic's env.py runs its own event loop, so inside a running loop it goes to a thread.
    """
    from alembic import command

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        command.upgrade(alembic_config(url), revision)
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(command.upgrade, alembic_config(url), revision).result()


def head_revision() -> str:
    """Return the newest revision, read off the file names (`<rev>_<slug>.py`) without Alembic."""
    names = [p.name.split("_", 2) for p in (MIGRATIONS / "versions").glob("*_*_*.py")]
    return max(f"{date}_{time}" for date, time, _ in names)
