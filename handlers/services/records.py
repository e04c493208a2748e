"""The records services hand out and the words they take: rows to read, enums to compare with.

The rest of the core (router, dialogs, commands, jobs, web pages, CLI) names these through this
module, never through `storage`: services stay the only door to data. `AccountRow` and
`MemberRow` are the writer of an update as the hot path reads it: the fields of `Identity` and
`Member` that dialogs and services read, as plain values.
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
from storage.repositories.identities import AccountRow, MemberRow

__all__ = [
    "EDITABLE_STATUSES",
    "AccountRow",
    "Audience",
    "Broadcast",
    "BroadcastStatus",
    "Identity",
    "Initiative",
    "InitiativeStatus",
    "JobRunState",
    "Member",
    "MemberRow",
    "OutboxStatus",
    "Phase",
    "PhaseStatus",
    "Role",
    "Sprint",
    "Unit",
    "UnitLevel",
]
