"""Expected refusals, rendered from a template; never a bug."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """An expected refusal: the router rolls back the step and replies with `template`."""

    def __init__(self, template: str, **data: Any) -> None:
        super().__init__(template)
        self.template = template
        self.data = data
