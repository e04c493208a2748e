"""The models, one per module; importing this package registers them all on `Base.metadata`."""

from storage.models.base import Base
from storage.models.broadcast import Audience, Broadcast, BroadcastStatus
from storage.models.chat import Chat
from storage.models.dialog_state import DialogState, DialogStatus
from storage.models.identity import Identity
from storage.models.initiative import Initiative, InitiativeStatus
from storage.models.job_run import JobRun, JobRunState
from storage.models.job_state import JobState
from storage.models.member import Member, Role
from storage.models.member_reminder import MemberReminder
from storage.models.outbox import OutboxMessage, OutboxStatus, Priority
from storage.models.phase import Phase, PhaseStatus, Sprint, Target
from storage.models.processed_update import ProcessedUpdate
from storage.models.unit import Unit, UnitLevel

__all__ = [
    "Base", "Chat", "DialogState", "DialogStatus", "Identity", "Initiative", "InitiativeStatus",
    "Member", "OutboxMessage", "OutboxStatus", "Phase", "PhaseStatus", "Priority",
    "ProcessedUpdate", "Role", "Sprint", "Target", "Unit", "UnitLevel",
]
# Scheduled outreach (issue 6).
__all__ += ["Audience", "Broadcast", "BroadcastStatus", "JobRun", "JobRunState", "JobState",
            "MemberReminder"]
