"""The permission table and its one refusal shape."""

from __future__ import annotations

import pytest

from runner.errors import PermissionDenied
from runner.permissions import PERMISSIONS, Action, actions_of, allowed, refusal, require
from runner.states import Role
from runner.store import Actor
from runner.testing import person


def test_every_action_is_in_the_table() -> None:
    assert set(PERMISSIONS) == set(Action)


@pytest.mark.parametrize(("action", "text"), [
    (Action.RUN_BOTS, "olga lacks the role 'operator' needed to run bots"),
    (Action.PAUSE_BOTS, "olga lacks the role 'operator' needed to pause bots"),
    (Action.HANDLE_EXCEPTIONS, "olga lacks the role 'ops' needed to handle exceptions"),
    (Action.PURGE, "olga lacks the role 'ops' or 'admin' needed to purge"),
    (Action.MANAGE_USERS, "olga lacks the role 'admin' needed to manage users"),
])
def test_a_refusal_names_the_actor_the_roles_and_the_action(action: Action, text: str) -> None:
    olga = person(Role.PROCESS_OWNER, name="olga")
    with pytest.raises(PermissionDenied) as refused:
        require(olga, action)
    assert str(refused.value) == text == refusal(olga, action)


def test_nobody_is_refused_by_name() -> None:
    assert refusal(None, Action.MANAGE_USERS) == "nobody lacks the role 'admin' needed to manage users"
    with pytest.raises(PermissionDenied):
        require(None, Action.MANAGE_USERS)


def test_admin_and_the_system_may_do_everything() -> None:
    for actor in (person(Role.ADMIN), Actor.scheduler()):
        assert all(allowed(actor, action) for action in Action)


def test_a_role_allows_its_actions_only() -> None:
    ops = person(Role.OPS)
    assert {a for a in Action if allowed(ops, a)} == {
        Action.READ, Action.ACK_ALERTS, Action.HANDLE_EXCEPTIONS, Action.READ_TRACES, Action.READ_AUDIT,
        Action.PURGE}


# CONSOLE.md's default table: which role may do what (admin: everything, as Actor.has says).
CONSOLE_TABLE = {
    Action.READ: {"operator", "ops", "process_owner", "attest_reader", "admin"},
    Action.RUN_BOTS: {"operator", "admin"},
    Action.PAUSE_BOTS: {"operator", "admin"},
    Action.ACK_ALERTS: {"operator", "ops", "admin"},
    Action.HANDLE_EXCEPTIONS: {"ops", "admin"},
    Action.READ_AUDIT: {"operator", "ops", "admin"},
    Action.MANAGE_USERS: {"admin"},
}


@pytest.mark.parametrize("action", sorted(CONSOLE_TABLE))
def test_the_console_table_holds_for_every_role_alone(action: Action) -> None:
    allowed_roles = {role for role in ("operator", "ops", "process_owner", "attest_reader", "admin")
                     if allowed(Actor("x", frozenset({role})), action)}
    assert allowed_roles == CONSOLE_TABLE[action]
    assert not allowed(Actor("nobody", frozenset()), action)


def test_a_person_without_roles_is_told_any_role_would_do() -> None:
    assert refusal(Actor("eve", frozenset()), Action.READ) == (
        "eve has no role, and any role is needed to read the console")


def test_actions_of_lists_what_roles_allow() -> None:
    assert actions_of(frozenset({"attest_reader"})) == [Action.READ]
    assert Action.ACK_ALERTS in actions_of(frozenset({"ops"})) and Action.RUN_BOTS not in actions_of({"ops"})
    assert actions_of(frozenset({"admin"})) == list(Action)
