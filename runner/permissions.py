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

    RUN_BOTS = "run_bots"
    PAUSE_BOTS = "pause_bots"
    HANDLE_EXCEPTIONS = "handle_exceptions"
    READ_TRACES = "read_traces"
    PURGE = "purge"
    MANAGE_USERS = "manage_users"


@dataclass(frozen=True)
class Permission:
    """The roles that allow an action (any one of them), and the action as the refusal says it."""

    roles: tuple[Role, ...]
    doing: str


PERMISSIONS: Mapping[Action, Permission] = MappingProxyType({
    Action.RUN_BOTS: Permission((Role.OPERATOR,), "run bots"),
    Action.PAUSE_BOTS: Permission((Role.OPERATOR,), "pause bots"),
    Action.HANDLE_EXCEPTIONS: Permission((Role.OPS,), "handle exceptions"),
    Action.READ_TRACES: Permission((Role.OPS,), "read traces"),
    Action.PURGE: Permission((Role.OPS, Role.ADMIN), "purge"),
    Action.MANAGE_USERS: Permission((Role.ADMIN,), "manage users"),
})


class Acting(Protocol):
    """Who acts (runner.store.Actor): a name, and whether their roles include one of some."""

    @property
    def name(self) -> str: ...

    def has(self, *roles: Role) -> bool: ...


def allowed(actor: Acting, action: Action) -> bool:
    return actor.has(*PERMISSIONS[action].roles)


def refusal(actor: Acting | None, action: Action) -> str:
    """The one shape of a refusal: `anna lacks the role 'ops' needed to handle exceptions`."""
    permission = PERMISSIONS[action]
    roles = " or ".join(f"'{role.value}'" for role in permission.roles)
    who = actor.name if actor is not None else "nobody"
    return f"{who} lacks the role {roles} needed to {permission.doing}"


def require(actor: Acting | None, action: Action) -> None:
    """PermissionDenied unless the actor may take the action (`None`: nobody is acting)."""
    if actor is None or not allowed(actor, action):
        raise PermissionDenied(refusal(actor, action))
