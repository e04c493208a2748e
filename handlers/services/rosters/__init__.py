"""Importing rosters (units, members, targets) from .xlsx or .csv files: plan, then apply.

A dry run only plans. `apply=True` plans and writes in the caller's transaction, all or nothing:
nothing is written when any row is bad. The CLI and the chat upload dialog both call `import_file`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.services import audit
from handlers.services.rosters import members, targets, units
from handlers.services.rosters.plan import (
    COLUMNS,
    BadRow,
    Change,
    NoProgress,
    Plan,
    Progress,
    RosterKind,
    check_header,
    detect_kind,
)
from handlers.services.spreadsheets import open_sheet
from storage.models import Member, Role

log = logging.getLogger(__name__)

__all__ = ["COLUMNS", "BadRow", "Change", "Plan", "Progress", "RosterKind", "import_file"]

PLANNERS = {RosterKind.UNITS: units, RosterKind.MEMBERS: members, RosterKind.TARGETS: targets}
MAX_AUDITED_CHANGES = 1000


async def import_file(
    session: AsyncSession, path: Path, *, kind: RosterKind | None, at: datetime,
    filename: str | None = None, apply: bool = False, actor: Member | None = None,
    max_role: Role | None = None, progress: Progress | None = None, listed: int | None = None,
) -> Plan:
    """Plan an import of `path` (its kind read from the header when None); apply it if asked.

    `max_role` caps the roles a members file may give (staff in chat cannot make admins);
    `listed` caps the added rows kept in `plan.changes` for the report (None keeps all).
    Raises UserError for a file that cannot be read or has the wrong columns.
    """
    progress = progress or NoProgress()
    sheet = open_sheet(path, filename=filename)
    kind = kind or detect_kind(sheet.header, filename=sheet.filename)
    check_header(kind, sheet.header, filename=sheet.filename)
    plan = Plan(kind, sheet.filename, keep=listed)
    progress.begin("read", sheet.total)
    with paused_gc():
        await PLANNERS[kind].plan(session, plan, sheet.rows(), max_role=max_role,
                                  progress=progress, at=at)
        plan.bad.sort(key=lambda bad: bad.row)
        plan.changes.sort(key=lambda change: change.row)
        log.info("import %s (%s): %s", plan.filename, kind.value, plan.counts())
        if apply and plan.ok and plan.changed:
            await PLANNERS[kind].apply(session, plan, progress)
            await _audit(session, plan, actor=actor, at=at)
            plan.applied = True
    return plan


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while a file is planned and written.

    An import keeps several small objects per row alive until it ends; the collector would scan
    them again and again (measured: half the time of a 100,000-row members import). They hold
    no reference cycles, so reference counting frees them; the collector resumes afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _audit(session: AsyncSession, plan: Plan, *, actor: Member | None, at: datetime) -> None:
    updates = [c for c in plan.changes if c.action == "update"][:MAX_AUDITED_CHANGES]
    await audit.record(
        session, at=at, actor=actor, action="roster.import", subject=f"roster:{plan.kind.value}",
        before={c.key: {k: old for k, (old, _new) in c.fields.items()} for c in updates} or None,
        after={"counts": plan.counts(),
               "updated": {c.key: {k: new for k, (_old, new) in c.fields.items()}
                           for c in updates}},
        note=plan.filename)
