"""The permission table and its one refusal shape."""

from __future__ import annotations

import pytest

from runner.errors import PermissionDenied
from runner.permissions import PERMISSIONS, Action, allowed, refusal, require
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
        Action.HANDLE_EXCEPTIONS, Action.READ_TRACES, Action.PURGE}
