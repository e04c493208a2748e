"""What every CLI command needs: a usage error and an app on the configured database."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import App
from bot.config import Config
from handlers.errors import UserError


class UsageError(Exception):
    """Bad usage or bad input: one line on stderr, exit 2."""


@asynccontextmanager
async def open_app(config: Config) -> AsyncIterator[App]:
    """Yield an app whose database answers and is upgraded; a UserError becomes a UsageError."""
    app = App.create(config)
    try:
        await app.check_database()
        yield app
    except UserError as exc:
        raise UsageError(app.renderer.render(exc.template, **exc.data)) from exc
    finally:
        await app.close()


def write_output(data: str | bytes, output: str | None) -> None:
    """Write to a file, or to stdout when no file is given (CSV gets a BOM for Excel)."""
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return
    path = Path(output)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        # Excel opens UTF-8 CSV with Vietnamese correctly only with a byte-order mark.
        path.write_text(data, encoding="utf-8-sig" if output.endswith(".csv") else "utf-8")
