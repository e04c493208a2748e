"""Roles and who may do what: each role may do everything the roles below it may."""

from __future__ import annotations

from storage.models import Role

RANK = {Role.MEMBER: 0, Role.OFFICER: 1, Role.STAFF: 2, Role.ADMIN: 3}


def allows(role: str | None, minimum: Role | None) -> bool:
    """Tell whether a person with `role` (None: a stranger) may use something needing `minimum`."""
    if minimum is None:
        return True
    if role is None:
        return False
    return RANK[Role(role)] >= RANK[minimum]


def roles_from(minimum: Role) -> list[str]:
    """List the roles that reach `minimum`, lowest first (for "ask an officer or staff")."""
    return [role.value for role, rank in RANK.items() if rank >= RANK[minimum]]
