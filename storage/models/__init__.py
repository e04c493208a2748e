"""The models, one per module; importing this package registers them all on `Base.metadata`."""

from storage.models.attachment import Attachment
from storage.models.audit import AuditEntry
from storage.models.base import Base
from storage.models.broadcast import Audience, Broadcast, BroadcastStatus
from storage.models.channel_pause import ChannelPause
from storage.models.chat import Chat
from storage.models.dialog_state import DialogState, DialogStatus
from storage.models.failed_update import FailedUpdate
from storage.models.identity import Identity
from storage.models.initiative import EDITABLE_STATUSES, Initiative, InitiativeStatus
from storage.models.job_run import JobRun, JobRunState
from storage.models.job_state import JobState
from storage.models.lease import Lease
from storage.models.link_code import LinkCode
from storage.models.member import Member, Role
from storage.models.member_reminder import MemberReminder
from storage.models.outbox import OutboxMessage, OutboxStatus, Priority
from storage.models.pacing_lane import PacingLane
from storage.models.phase import Phase, PhaseStatus, Sprint, Target
from storage.models.processed_update import ProcessedUpdate
from storage.models.unit import Unit, UnitLevel
from storage.models.web_session import WebSession
from storage.models.web_sign_in import WebSignIn

__all__ = [
    "EDITABLE_STATUSES",
    "Attachment",
    "Audience",
    "AuditEntry",
    "Base",
    "Broadcast",
    "BroadcastStatus",
    "ChannelPause",
    "Chat",
    "DialogState",
    "DialogStatus",
    "FailedUpdate",
    "Identity",
    "Initiative",
    "InitiativeStatus",
    "JobRun",
    "JobRunState",
    "JobState",
    "Lease",
    "LinkCode",
    "Member",
    "MemberReminder",
    "OutboxMessage",
    "OutboxStatus",
    "PacingLane",
    "Phase",
    "PhaseStatus",
    "Priority",
    "ProcessedUpdate",
    "Role",
    "Sprint",
    "Target",
    "Unit",
    "UnitLevel",
    "WebSession",
    "WebSignIn",
]
