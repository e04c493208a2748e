"""Dialogs, one module per goal, each with a Mermaid diagram beside it."""

from handlers.dialogs import (
    broadcast,
    confirm_entry,
    export_report,
    import_roster,
    onboarding,
    phases,
    proxy_entry,
    register_initiative,
    review,
    verify_accounts,
    withdraw,
)
from handlers.dialogs.engine import Dialog

DIALOGS: dict[str, Dialog] = {d.name: d for d in (
    onboarding.DIALOG, register_initiative.DIALOG, review.DIALOG, verify_accounts.DIALOG,
    proxy_entry.DIALOG, confirm_entry.DIALOG, withdraw.DIALOG, broadcast.DIALOG,
    export_report.DIALOG, import_roster.DIALOG, phases.DIALOG,
)}
