"""Expected refusals (rendered from a template; never a bug), and "try again later"."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """An expected refusal: the router rolls back the step and replies with `template`."""

    def __init__(self, template: str, **data: Any) -> None:
        super().__init__(template)
        self.template = template
        self.data = data


class Unavailable(Exception):
    """The database could not be reached (locked, restarting, connection lost) after a few tries.

    Nothing of the update was kept: a webhook answers 500 and a poller fetches it again, so the
    platform delivers it again later.
    """
