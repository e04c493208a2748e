"""What a handler sees of one update: its unit of work, the person, and the replies queued so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from handlers.clock import Clock, local_today
from handlers.exports.links import Exports
from handlers.services.conversations import Conversation
from handlers.services.records import AccountRow, Identity, Member, MemberRow
from handlers.services.transactions import Session, Work
from handlers.services.updates import state_key
from handlers.services.web_access import SignInPolicy
from handlers.settings import ProgrammeSettings
from handlers.texts import Renderer
from handlers.types import ChatRef, Inbound


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply to queue: a template, its data, numbered choices, and where it goes.

    `ask_contact` offers a "share my phone" button on channels that have one.
    """

    template: str
    data: dict[str, Any]
    choices: tuple[str, ...] = ()
    chat: ChatRef | None = None
    member_id: int | None = None
    dedup_key: str | None = None
    attachment: dict[str, Any] | None = None
    ask_contact: bool = False


@dataclass
class Turn:
    """One update being handled inside one transaction."""

    work: Work
    inbound: Inbound
    settings: ProgrammeSettings
    clock: Clock
    renderer: Renderer
    identity: Identity | AccountRow | None = None
    member: Member | MemberRow | None = None
    state: Conversation | None = None
    """The person's conversation in progress (a dialog or the menu), read with the update."""
    replies: list[Reply] = field(default_factory=list)
    next_dialog: tuple[Any, Any] | None = None
    """A dialog (and its draft) to start once the current one ends, e.g. /nhaptho → register."""
    exports: Exports | None = None
    signin: SignInPolicy | None = None
    """Where /web sign-in links point; None when the web page is off."""

    def reply(self, template: str, /, *, choices: tuple[str, ...] = (), ask_contact: bool = False,
              **data: Any) -> None:
        """Queue a reply to the chat the update came from."""
        self.replies.append(Reply(template, data, choices, ask_contact=ask_contact))

    def attach(self, template: str, /, *, attachment: dict[str, Any], **data: Any) -> None:
        """Queue a reply that carries a file: `{"type": "photo"|"document", "path", ...}`."""
        self.replies.append(Reply(template, data, attachment=attachment))

    def notify(self, template: str, /, *, chat: ChatRef, dedup_key: str,
               member_id: int | None = None, choices: tuple[str, ...] = (), **data: Any) -> None:
        """Queue a message to another chat (an author, an officer) with its own dedup key."""
        self.replies.append(Reply(template, data, choices, chat=chat, member_id=member_id,
                                  dedup_key=dedup_key))

    @property
    def session(self) -> Session:
        """Return the ORM session services take (made on first use, in the same transaction)."""
        return self.work.session

    def labels(self, template: str, /, **data: Any) -> tuple[str, ...]:
        """Render a template of choice labels, one per line."""
        return self.renderer.lines(template, **data)

    @property
    def today(self) -> date:
        """Return today's date in the programme's time zone."""
        return local_today(self.clock, self.settings.tz)

    @property
    def state_key(self) -> str:
        """Return this person's dialog key (see `handlers.services.updates.state_key`)."""
        return state_key(self.inbound, self.member.id if self.member else None)
