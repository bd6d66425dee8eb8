"""The permission table: which roles may take which action, consulted by the store, the
CLI and the console alike, and the one refusal they all give.

An admin may do everything and the system (a worker, the scheduler) is never refused
(`Actor.has`). Restricted items (`item.restrict_to(role)`) are a matter of visibility,
not of this table: such an item needs its role as well as the action's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol

from runner.errors import PermissionDenied
from runner.states import Role


class Action(StrEnum):
    """What a person may be refused."""

    READ = "read"  # the overview, bots, runs, queue, items and alerts
    RUN_BOTS = "run_bots"  # run now, skip a firing, add a one-off run
    PAUSE_BOTS = "pause_bots"
    ACK_ALERTS = "ack_alerts"
    HANDLE_EXCEPTIONS = "handle_exceptions"  # retry (corrected or not), resolve, reject, assign, bulk
    READ_TRACES = "read_traces"
    READ_AUDIT = "read_audit"
    PURGE = "purge"
    MANAGE_USERS = "manage_users"  # add users, set roles, reset passwords, revoke tokens


@dataclass(frozen=True)
class Permission:
    """The roles that allow an action (any one of them; none listed: any role at all, including
    those bots declare), and the action as the refusal says it."""

    roles: tuple[Role, ...]
    doing: str


PERMISSIONS: Mapping[Action, Permission] = MappingProxyType({
    Action.READ: Permission((), "read the console"),
    Action.RUN_BOTS: Permission((Role.OPERATOR,), "run bots"),
    Action.PAUSE_BOTS: Permission((Role.OPERATOR,), "pause bots"),
    Action.ACK_ALERTS: Permission((Role.OPERATOR, Role.OPS), "acknowledge alerts"),
    Action.HANDLE_EXCEPTIONS: Permission((Role.OPS,), "handle exceptions"),
    Action.READ_TRACES: Permission((Role.OPS,), "read traces"),
    Action.READ_AUDIT: Permission((Role.OPERATOR, Role.OPS, Role.ADMIN), "read the audit trail"),
    Action.PURGE: Permission((Role.OPS, Role.ADMIN), "purge"),
    Action.MANAGE_USERS: Permission((Role.ADMIN,), "manage users"),
})


class Acting(Protocol):
    """Who acts (runner.store.Actor): a name, and whether their roles include one of some."""

    @property
    def name(self) -> str: ...

    @property
    def roles(self) -> frozenset[str]: ...

    def has(self, *roles: Role) -> bool: ...


def allowed(actor: Acting, action: Action) -> bool:
    roles = PERMISSIONS[action].roles
    return actor.has(*roles) if roles else (actor.has() or bool(actor.roles))


def refusal(actor: Acting | None, action: Action) -> str:
    """The one shape of a refusal: `anna lacks the role 'ops' needed to handle exceptions`."""
    permission = PERMISSIONS[action]
    who = actor.name if actor is not None else "nobody"
    if not permission.roles:
        return f"{who} has no role, and any role is needed to {permission.doing}"
    roles = " or ".join(f"'{role.value}'" for role in permission.roles)
    return f"{who} lacks the role {roles} needed to {permission.doing}"


def require(actor: Acting | None, action: Action) -> None:
    """PermissionDenied unless the actor may take the action (`None`: nobody is acting)."""
    if actor is None or not allowed(actor, action):
        raise PermissionDenied(refusal(actor, action))


def actions_of(roles: frozenset[str] | set[str]) -> list[Action]:
    """What a person with these roles may do, in the table's order (admin: everything)."""
    return [action for action, permission in PERMISSIONS.items()
            if Role.ADMIN in roles or not permission.roles or set(permission.roles) & set(roles)]
