"""Every module imports on its own, whatever was imported before it: no import cycle can hide.

Each module is imported in a fresh interpreter state for our packages: everything of ours is
forgotten (`sys.modules`) before the next one, so a cycle that only works in one import order
(as `handlers.commands` once did, after `handlers.menu`) fails here. Third-party libraries stay
loaded between modules, which keeps this quick; they cannot hide a cycle of ours.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "schedules", "storage")
SKIPPED = ("storage.migrations",)
"""Alembic's env.py and revisions run migrations when imported (Alembic loads them itself), and
`bot.__main__` runs the CLI."""

PROBE = """
import importlib, sys, traceback
ours = {packages!r}
failed = []
for name in {modules!r}:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ours]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=-3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def modules_of(package: str) -> list[str]:
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
        if not info.name.startswith(SKIPPED) and not info.name.endswith("__main__"):
            found.append(info.name)
    return sorted(found)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_module_imports_on_its_own(package: str) -> None:
    modules = modules_of(package)
    assert len(modules) > 3
    probe = PROBE.format(packages=PACKAGES, modules=modules)
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=240, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
