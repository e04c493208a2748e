"""The records services hand out and the words they take: rows to read, enums to compare with.

The rest of the core (router, dialogs, commands, jobs, web pages, CLI) names these through this
module, never through `storage`: services stay the only door to data.
"""

from storage.models import (
    EDITABLE_STATUSES,
    Audience,
    Broadcast,
    BroadcastStatus,
    Identity,
    Initiative,
    InitiativeStatus,
    JobRunState,
    Member,
    OutboxStatus,
    Phase,
    PhaseStatus,
    Role,
    Sprint,
    Unit,
    UnitLevel,
)

__all__ = [
    "EDITABLE_STATUSES",
    "Audience",
    "Broadcast",
    "BroadcastStatus",
    "Identity",
    "Initiative",
    "InitiativeStatus",
    "JobRunState",
    "Member",
    "OutboxStatus",
    "Phase",
    "PhaseStatus",
    "Role",
    "Sprint",
    "Unit",
    "UnitLevel",
]
