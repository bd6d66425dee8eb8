"""The store's contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from runner.errors import InvalidTransition, LeaseLost, NotFound, PermissionDenied
from runner.states import ErrorKind, Role, State, Trigger
from runner.store import DECISION, Actor, DueCounts, NewItem, Store
from runner.testing import person

TODAY = date(2024, 11, 18)
OPS = person(Role.OPS, name="ops-anna")


def items(n: int, bot: str = "b", task: str = "t") -> list[NewItem]:
    return [NewItem(bot, task, f"ref-{i}", {"n": i}) for i in range(n)]


def claim_one(store: Store, worker: str = "w1", **kw):
    claimed = store.claim(worker, limit=1, lease_s=60, as_of=TODAY, **kw)
    assert len(claimed) == 1
    return claimed[0]


def test_enqueue_same_reference_twice_is_a_no_op(store: Store) -> None:
    assert store.enqueue(items(3)) == 3
    assert store.enqueue(items(5)) == 2
    assert len(store.list_items(OPS, bot="b")) == 5


def test_claim_leases_by_priority_then_age_and_counts_an_attempt(store: Store) -> None:
    store.enqueue([NewItem("b", "t", "low", {}), NewItem("b", "t", "high", {}, priority=5)])
    first = claim_one(store)
    assert (first.reference, first.state, first.attempts) == ("high", State.IN_PROGRESS, 1)
    assert first.lease_owner == "w1" and first.as_of == TODAY
    assert claim_one(store, "w2").reference == "low"
    assert store.claim("w3", limit=1, lease_s=60, as_of=TODAY) == []


def test_an_item_takes_its_runs_business_date_when_enqueued_not_when_claimed(store: Store) -> None:
    run = store.start_run(bot="b", task="t", trigger=Trigger.SCHEDULE, actor=Actor.scheduler(),
                          as_of=TODAY)
    assert run is not None
    store.enqueue([NewItem("b", "t", "late-evening", {})], run_id=run.id)
    store.enqueue([NewItem("b", "t", "by-hand", {})])
    assert {item.reference: item.as_of for item in store.list_items(OPS, bot="b")} == {
        "late-evening": TODAY, "by-hand": None}
    next_day = date(2024, 11, 19)
    claimed = store.claim("w1", limit=2, lease_s=60, as_of=next_day)
    assert {item.reference: item.as_of for item in claimed} == {"late-evening": TODAY, "by-hand": next_day}


def test_claim_respects_bot_filters(store: Store) -> None:
    store.enqueue(items(1, bot="a") + items(1, bot="b"))
    assert claim_one(store, bots=["b"]).bot == "b"
    assert store.claim("w", limit=5, lease_s=60, as_of=TODAY, exclude_bots=["a"]) == []


def test_finished_item_keeps_result(store: Store) -> None:
    store.enqueue(items(1))
    item = claim_one(store)
    store.complete(item.id, "w1", {"outcome": "letter", "acted": True}, bot="b")
    done = store.get_item(OPS, item.id)
    assert done.state is State.DONE and done.result == {"outcome": "letter", "acted": True}
    assert done.lease_owner is None


def test_only_the_lease_holder_may_finish(store: Store) -> None:
    store.enqueue(items(1))
    item = claim_one(store)
    with pytest.raises(LeaseLost):
        store.complete(item.id, "somebody-else", {}, bot="b")


def test_expired_lease_returns_item_to_new_with_attempt_counted(store: Store, clock) -> None:
    store.enqueue(items(1))
    item = claim_one(store)
    clock.advance(61)
    assert store.reap() == [item.id]
    back = store.get_item(OPS, item.id)
    assert back.state is State.NEW and back.attempts == 1
    with pytest.raises(LeaseLost):
        store.complete(item.id, "w1", {}, bot="b")


def test_expired_lease_on_last_attempt_goes_to_system_exception(store: Store, clock) -> None:
    store.enqueue([NewItem("b", "t", "r", {}, max_attempts=1)])
    item = claim_one(store)
    clock.advance(61)
    store.reap()
    failed = store.get_item(OPS, item.id)
    assert failed.state is State.SYSTEM_EXCEPTION and failed.error.code == "LeaseExpired"


def test_heartbeat_extends_the_lease(store: Store, clock) -> None:
    store.enqueue(items(1))
    item = claim_one(store)
    clock.advance(50)
    assert store.heartbeat("w1", [item.id], lease_s=60) == {item.id}
    clock.advance(50)
    assert store.reap() == []


def test_retry_later_waits_for_its_time(store: Store, clock) -> None:
    store.enqueue(items(1))
    item = claim_one(store)
    store.fail(item.id, "w1", kind=ErrorKind.SYSTEM, code="TimeoutError", message="slow",
               retry_at=clock.now() + timedelta(seconds=30))
    assert store.claim("w1", limit=1, lease_s=60, as_of=TODAY) == []
    clock.advance(31)
    again = claim_one(store)
    assert again.attempts == 2 and again.error.code == "TimeoutError"


def test_deferred_item_does_not_spend_an_attempt(store: Store, clock) -> None:
    store.enqueue(items(1))
    item = claim_one(store)
    store.defer(item.id, "w1", until=clock.now() + timedelta(seconds=300), message="maintenance")
    deferred = store.get_item(OPS, item.id)
    assert deferred.state is State.DEFERRED and deferred.attempts == 0
    assert store.claim("w1", limit=1, lease_s=60, as_of=TODAY) == []
    clock.advance(301)
    assert claim_one(store).attempts == 1


def test_checkpoints_are_kept_once_per_name(store: Store) -> None:
    store.enqueue(items(1))
    item = claim_one(store)
    store.add_checkpoint(item.id, "w1", DECISION, {"outcome": "letter"}, 1)
    store.add_checkpoint(item.id, "w1", "registered", {"line": 7}, 1)
    store.add_checkpoint(item.id, "w1", "registered", {"line": 8}, 1)
    marks = store.checkpoints(item.id)
    assert list(marks) == [DECISION, "registered"] and marks["registered"].receipt == {"line": 7}


def test_error_messages_are_stored_masked(store: Store) -> None:
    store.enqueue(items(1))
    item = claim_one(store)
    store.fail(item.id, "w1", kind=ErrorKind.BUSINESS, code="CPR_CHECK_MANUAL",
               message="CPR 0707614285 and 150589-4010 failed")
    stored = store.get_item(OPS, item.id)
    assert stored.state is State.BUSINESS_EXCEPTION
    assert "0707614285" not in stored.error.message and "4010" not in stored.error.message
    assert "070761-XXXX" in stored.error.message


def _exception(store: Store) -> int:
    store.enqueue(items(1))
    item = claim_one(store)
    store.add_checkpoint(item.id, "w1", DECISION, {"outcome": "letter"}, 1)
    store.add_checkpoint(item.id, "w1", "registered", {"line": 7}, 1)
    store.fail(item.id, "w1", kind=ErrorKind.BUSINESS, code="EARLIER_THAN_NOTICE", message="x")
    return item.id


def test_retry_with_corrected_payload_clears_decision_and_is_audited(store: Store) -> None:
    item_id = _exception(store)
    retried = store.retry_item(OPS, item_id, reason="date agreed", payload={"n": 99})
    assert retried.state is State.NEW and retried.attempts == 0 and retried.error is None
    assert retried.payload == {"n": 99}
    assert [c.name for c in retried.checkpoints] == ["registered"]
    (entry,) = store.audit_trail(OPS, item_id=item_id)
    assert (entry.actor, entry.action, entry.reason) == ("ops-anna", "retry", "date agreed")
    assert entry.details["old_payload"] == {"n": 0} and entry.details["new_payload"] == {"n": 99}


def test_plain_retry_keeps_the_decision(store: Store) -> None:
    item_id = _exception(store)
    retried = store.retry_item(OPS, item_id)
    assert [c.name for c in retried.checkpoints] == [DECISION, "registered"]


def test_resolve_needs_a_note_and_reject_a_reason(store: Store) -> None:
    item_id = _exception(store)
    with pytest.raises(InvalidTransition, match="note"):
        store.close_item(OPS, item_id, state=State.RESOLVED, text="  ")
    resolved = store.close_item(OPS, item_id, state=State.RESOLVED, text="posted by hand")
    assert resolved.state is State.RESOLVED
    with pytest.raises(InvalidTransition):
        store.close_item(OPS, item_id, state=State.REJECTED, text="too late")
    assert store.audit_trail(OPS, item_id=item_id)[0].reason == "posted by hand"


def test_only_ops_handle_exceptions(store: Store) -> None:
    item_id = _exception(store)
    with pytest.raises(PermissionDenied, match="ops"):
        store.retry_item(person(Role.PROCESS_OWNER), item_id)


def test_restricted_items_are_visible_only_to_their_role(store: Store) -> None:
    store.enqueue(items(2))
    item = claim_one(store)
    store.restrict(item.id, "w1", "attest_reader")
    store.fail(item.id, "w1", kind=ErrorKind.BUSINESS, code="ATTEST_HAS_ENTRIES", message="x")
    ops_only = person(Role.OPS)
    reader = person(Role.OPS, "attest_reader")
    assert [i.reference for i in store.list_items(ops_only)] == ["ref-1"]
    assert {i.reference for i in store.list_items(reader)} == {"ref-0", "ref-1"}
    with pytest.raises(NotFound):
        store.get_item(ops_only, item.id)
    with pytest.raises(NotFound):
        store.retry_item(ops_only, item.id)


def test_one_run_per_run_key(store: Store) -> None:
    first = store.start_run(bot="b", task="t", trigger=Trigger.SCHEDULE, actor=Actor.scheduler(),
                            as_of=TODAY, run_key="b.t@2024-11-18T07:00:00+01:00")
    second = store.start_run(bot="b", task="t", trigger=Trigger.SCHEDULE, actor=Actor.scheduler(),
                             as_of=TODAY, run_key="b.t@2024-11-18T07:00:00+01:00")
    assert first is not None and second is None
    store.finish_run(first.id, enqueued=4)
    assert store.get_run(first.id).state == "finished" and store.list_runs()[0].enqueued == 4


def test_users_first_is_bootstrap_then_admin_only(store: Store) -> None:
    store.add_user(None, "admin", [Role.ADMIN])
    with pytest.raises(PermissionDenied):
        store.add_user(None, "eve", [Role.ADMIN])
    admin = store.get_user("admin").actor()
    store.add_user(admin, "anna", [Role.OPS, "attest_reader"])
    assert store.get_user("anna").roles == {Role.OPS, "attest_reader"}
    assert [u.name for u in store.list_users()] == ["admin", "anna"]
    with pytest.raises(NotFound, match="rpa users add"):
        store.get_user("nobody")


def test_pause_survives_and_is_audited(store: Store) -> None:
    operator = person(Role.OPERATOR, name="olga")
    store.set_paused(operator, "b", True, "month end")
    assert store.bot_states()["b"].paused
    with pytest.raises(PermissionDenied):
        store.set_paused(person(Role.OPS), "b", False)
    store.set_paused(operator, "b", False)
    assert not store.bot_states()["b"].paused


def test_circuit_opens_after_threshold_and_probe_closes_it(store: Store, clock) -> None:
    for _ in range(2):
        assert store.record_failure("b", 1, threshold=3) is False
    assert store.record_failure("b", 1, threshold=3) is True
    state = store.bot_states()["b"]
    assert state.paused and state.circuit_open
    store.enqueue(items(2))
    assert store.take_probe("b", cooldown_s=600, worker_id="w", as_of=TODAY, lease_s=60) is None
    clock.advance(601)
    probe = store.take_probe("b", cooldown_s=600, worker_id="w", as_of=TODAY, lease_s=60)
    assert probe is not None
    assert store.take_probe("b", cooldown_s=600, worker_id="w", as_of=TODAY, lease_s=60) is None
    store.complete(probe.id, "w", {}, bot="b")
    assert not store.bot_states()["b"].paused


def test_passwords_and_tokens_are_kept_as_hashes_changed_by_admins_or_the_user(store: Store) -> None:
    store.add_user(None, "admin", [Role.ADMIN])
    admin = store.get_user("admin").actor()
    store.add_user(admin, "olga", [Role.OPERATOR])
    olga = store.get_user("olga").actor()
    store.set_password(None, "admin", "hash-a")  # bootstrap: no one has a password yet
    with pytest.raises(PermissionDenied):
        store.set_password(None, "olga", "hash-o")  # once one has, nobody anonymous sets any
    store.set_password(olga, "olga", "hash-o")
    with pytest.raises(PermissionDenied):
        store.set_password(olga, "admin", "stolen")
    assert (store.password_hash("admin"), store.password_hash("olga"), store.password_hash("nobody")) == (
        "hash-a", "hash-o", None)
    store.add_token(olga, "olga", "t1")
    store.add_token(admin, "olga", "t2")
    with pytest.raises(PermissionDenied):
        store.add_token(olga, "admin", "t3")
    assert store.user_for_token("t1").name == "olga" and store.user_for_token("t3") is None
    assert store.revoke_tokens(admin, "olga") == 2
    assert store.user_for_token("t1") is None and store.user_for_token("t2") is None
    actions = [entry.action for entry in store.audit_trail(admin)]
    assert actions.count("password_set") == 2 and actions.count("token_created") == 2
    assert "tokens_revoked" in actions


def test_failed_logins_count_since_a_time_and_since_the_last_success(store: Store, clock) -> None:
    store.add_user(None, "olga", [Role.OPERATOR])
    start = clock.now()
    for _ in range(3):
        store.record_login("olga", ok=False)
        clock.advance(60)
    assert store.login_failures("olga", start - timedelta(seconds=1)) == 3
    assert store.login_failures("olga", start + timedelta(seconds=90)) == 1
    assert store.login_failures("mallory", start) == 0
    store.record_login("olga", ok=True)
    clock.advance(1)
    store.record_login("olga", ok=False)
    assert store.login_failures("olga", start - timedelta(seconds=1)) == 1


def test_a_lockout_is_audited_by_the_console(store: Store) -> None:
    store.add_user(None, "admin", [Role.ADMIN])
    store.record_lockout("olga", failures=5)
    entry = store.audit_trail(store.get_user("admin").actor())[0]
    assert (entry.actor, entry.action, entry.details) == ("console", "login_locked", {"user": "olga"})
    assert entry.reason == "5 failed logins"


def test_due_counts_per_bot_count_open_items_overdue_and_due_soon(store: Store) -> None:
    dated = [NewItem("a", "t", f"a-{days}", {}, due=TODAY + timedelta(days=days))
             for days in (-3, -1, 0, 1, 2)]
    store.enqueue([*dated, NewItem("a", "t", "undated", {}), NewItem("b", "t", "b-late", {}, due=TODAY)])
    late = claim_one(store, bots=["b"])
    store.complete(late.id, "w1", {}, bot="b")  # done: nothing is due any more
    assert store.due_counts(TODAY) == {"a": DueCounts(overdue=2, due_soon=2)}
    assert store.due_counts(TODAY, soon_days=2) == {"a": DueCounts(overdue=2, due_soon=3)}
    assert store.due_counts(TODAY - timedelta(days=10)) == {}


def test_an_exception_is_assigned_and_released_audited_and_a_retry_releases_it(store: Store) -> None:
    item_id = _exception(store)
    assert store.assign_item(OPS, item_id, to="ops-anna").assigned_to == "ops-anna"
    assert [i.id for i in store.list_items(OPS, assignee="ops-anna")] == [item_id]
    assert store.assign_item(OPS, item_id, to=None).assigned_to is None
    store.assign_item(OPS, item_id, to="ops-anna")
    assert store.retry_item(OPS, item_id).assigned_to is None
    trail = [e.action for e in store.audit_trail(OPS, item_id=item_id)]
    assert trail == ["retry", "assign", "release", "assign"]
    with pytest.raises(InvalidTransition):
        store.assign_item(OPS, item_id, to="ops-anna")  # back in the queue: not an exception
    with pytest.raises(PermissionDenied):
        store.assign_item(person(Role.OPERATOR), _exception(store), to="olga")


def test_items_are_listed_a_page_after_an_id_and_within_times(store: Store, clock) -> None:
    store.enqueue(items(3))
    clock.advance(3600)
    store.enqueue([NewItem("b", "t", "late", {})])
    everything = store.list_items(OPS)
    assert [i.reference for i in store.list_items(OPS, after_id=everything[1].id, limit=1)] == ["ref-2"]
    assert [i.reference for i in store.list_items(OPS, since=clock.now())] == ["late"]
    assert len(store.list_items(OPS, until=clock.now())) == 3


def test_an_alert_is_acknowledged_once_by_operator_or_ops_and_audited(store: Store) -> None:
    alert = store.add_alert(bot="b", kind="run_failed", message="run 1 failed")
    with pytest.raises(PermissionDenied):
        store.ack_alert(person(Role.PROCESS_OWNER), alert.id)
    acked = store.ack_alert(OPS, alert.id)
    assert acked.acked_by == "ops-anna" and acked.acked_at is not None
    assert store.ack_alert(person(Role.OPERATOR, name="olga"), alert.id).acked_by == "ops-anna"
    assert [e.action for e in store.audit_trail(OPS)] == ["alert_ack"]
    with pytest.raises(NotFound):
        store.ack_alert(OPS, 999)


def test_an_operator_skips_one_firing_and_adds_one_off_runs(store: Store, clock) -> None:
    operator = person(Role.OPERATOR, name="olga")
    firing = clock.now() + timedelta(hours=1)
    with pytest.raises(PermissionDenied):
        store.change_schedule(OPS, bot="b", task="t", kind="skip", at=firing)
    store.change_schedule(operator, bot="b", task="t", kind="skip", at=firing, reason="lønkørsel")
    extra = store.change_schedule(operator, bot="b", task="t", kind="extra", at=firing + timedelta(hours=2))
    assert store.is_skipped("b", "t", firing) and not store.is_skipped("b", "t", firing + timedelta(days=1))
    assert not store.is_skipped("b", "other", firing)
    assert [c.kind for c in store.schedule_changes(since=clock.now())] == ["skip", "extra"]
    assert store.schedule_changes(since=firing + timedelta(minutes=1)) == [extra]
    assert [e.action for e in store.audit_trail(operator)] == ["schedule_extra", "schedule_skip"]


def test_the_last_finished_run_of_each_task(store: Store) -> None:
    def run(task: str, error: str | None = None, *, finish: bool = True) -> int:
        started = store.start_run(bot="b", task=task, trigger=Trigger.SCHEDULE, actor=Actor.scheduler(),
                                  as_of=TODAY)
        assert started is not None
        if finish:
            store.finish_run(started.id, enqueued=0, error=error)
        return started.id

    run("t1", "boom")
    last_t1 = run("t1")
    failed_t2 = run("t2", "down")
    run("t2", finish=False)  # still running: the last finished one counts
    latest = store.last_finished_runs()
    assert {key: (r.id, r.state) for key, r in latest.items()} == {
        ("b", "t1"): (last_t1, "finished"), ("b", "t2"): (failed_t2, "failed")}
