"""Helpers for running the real `sangkien` command in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from tests.e2e.launcher import Launcher

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = Launcher()


@dataclass
class Cli:
    """Runs `python -m bot` against one database, in a child process."""

    env: dict[str, str]
    cwd: Path

    def run(self, *args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """`python -m bot *args`, in a process forked from one that has imported the bot."""
        return LAUNCHER.run(args, env=self.env, cwd=self.cwd, stdin=stdin, timeout=timeout)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "bot", *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env, cwd=self.cwd)


@pytest.fixture
def cli(tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """A CLI on a fresh SQLite database holding the demo federation."""
    db = tmp_path / "e2e.db"
    shutil.copy(sqlite_template, db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")}
    # No scheduler by default: a job due at the wall-clock time of the run (say the 10:00
    # reminder's catch-up) would put a message in the middle of the chats these tests read one
    # message at a time. A test of the scheduler turns it on.
    env |= {"SANGKIEN__DATABASE__URL": f"sqlite+aiosqlite:///{db}", "SANGKIEN__WEB__PORT": "0",
            "SANGKIEN__SCHEDULES__ENABLED": "false", "PYTHONPATH": str(ROOT)}
    for key, value in env.items():
        if key.startswith("SANGKIEN"):
            monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "load"]) == 0
    return Cli(env, tmp_path)


from tests.fakes.zalo_bot import fake_zalo, start_zalo  # noqa: E402, F401 - Zalo fixtures
