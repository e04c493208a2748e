"""Dialogs, one module per goal, each with a Mermaid diagram beside it."""

from handlers.dialogs import import_roster, onboarding, phases, register_initiative
from handlers.dialogs.engine import Dialog

DIALOGS: dict[str, Dialog] = {d.name: d for d in (onboarding.DIALOG, register_initiative.DIALOG,
                                                  import_roster.DIALOG, phases.DIALOG)}
