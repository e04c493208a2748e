"""Migrations: two workers running `sangkien db upgrade` on one new PostgreSQL database at once."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from tests.conftest import PG_ROOT, _pg_admin, _pg_available

ROOT = Path(__file__).resolve().parents[2]


async def upgrade(url: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")}
    env |= {"SANGKIEN__DATABASE__URL": url, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "db", "upgrade", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate()
    return proc.returncode or 0, err.decode()


async def test_two_workers_upgrading_a_new_database_together_both_succeed() -> None:
    if _pg_available() is not None:
        pytest.skip("PostgreSQL not available")
    name = f"sangkien_mig_{uuid.uuid4().hex[:8]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    base = PG_ROOT.rsplit("/", 1)[0]
    try:
        results = await asyncio.gather(*(upgrade(
            base.replace("postgresql://", "postgresql+asyncpg://") + f"/{name}") for _ in range(2)))
        assert [code for code, _ in results] == [0, 0], [err[-500:] for _, err in results]
        conn = await asyncpg.connect(f"{base}/{name}")
        versions = await conn.fetch("SELECT version_num FROM alembic_version")
        await conn.close()
        assert len(versions) == 1
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_head_read_off_the_file_names_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from storage.migrate import alembic_config, head_revision

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert head_revision() == script.get_current_head()
    assert len(script.get_heads()) == 1, "the migration chain must stay linear"
