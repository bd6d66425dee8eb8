"""The worker: retries, business exceptions, deferral, checkpoints, the circuit breaker."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from runner import Bot, BusinessError, Item, RetryPolicy, SystemUnavailable, Task
from runner.states import ErrorKind, State
from runner.store import Actor
from runner.testing import make_store, person, run_items

NO_WAIT = RetryPolicy(max_attempts=3, initial_interval_s=0, max_interval_s=0)


class Case(BaseModel):
    name: str
    fail_times: int = 0
    code: str | None = None
    down: bool = False


class SideEffects:
    """Counts writes to an imaginary target system, as its receipts would."""

    def __init__(self) -> None:
        self.writes: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()


def make_bot(effects: SideEffects, **bot_options: Any) -> Bot:
    def process(item: Item) -> dict[str, Any]:
        effects.calls[item.reference] += 1
        decision = item.decision(lambda: {"outcome": "letter", "name": item.payload.name})
        if item.payload.code:
            raise BusinessError(item.payload.code, f"{item.payload.name}: stopped")
        if item.payload.down:
            raise SystemUnavailable("Planlagt vedligeholdelse", system="payroll", retry_after_s=60)

        def write() -> dict[str, Any]:
            effects.writes[item.reference] += 1
            return {"receipt": f"R-{item.reference}"}

        item.step("registered", write)
        if effects.calls[item.reference] <= item.payload.fail_times:
            raise TimeoutError("payroll did not answer")
        return {"outcome": decision["outcome"]}

    return Bot(name="t", version="1", tasks=[Task("cases", Case, process, retry=NO_WAIT)], **bot_options)


def test_item_done_with_outcome_and_acted() -> None:
    effects = SideEffects()
    run = run_items(make_bot(effects), "cases", {"a": Case(name="Jens")})
    item = run["a"]
    assert item.state is State.DONE
    assert item.result == {"outcome": "letter", "acted": True}
    assert [c.name for c in item.checkpoints] == ["decision", "registered"]


def test_technical_error_is_retried_and_a_done_step_is_not_repeated() -> None:
    effects = SideEffects()
    run = run_items(make_bot(effects), "cases", {"a": Case(name="Jens", fail_times=2)})
    assert run["a"].state is State.DONE and run["a"].attempts == 3
    assert effects.calls["a"] == 3
    assert effects.writes["a"] == 1


def test_attempts_spent_give_system_exception_named_by_type() -> None:
    effects = SideEffects()
    run = run_items(make_bot(effects), "cases", {"a": Case(name="Jens", fail_times=9)})
    item = run["a"]
    assert item.state is State.SYSTEM_EXCEPTION and item.attempts == 3
    assert item.error.kind is ErrorKind.SYSTEM and item.error.code == "TimeoutError"
    assert effects.writes["a"] == 1


def test_business_error_goes_straight_to_the_exception_queue() -> None:
    effects = SideEffects()
    run = run_items(make_bot(effects), "cases", {"a": Case(name="Jens", code="EARLIER_THAN_NOTICE")})
    item = run["a"]
    assert item.state is State.BUSINESS_EXCEPTION and item.attempts == 1
    assert item.error.code == "EARLIER_THAN_NOTICE"
    assert effects.writes["a"] == 0


def test_invalid_payload_is_a_business_exception_naming_the_fields() -> None:
    effects = SideEffects()
    run = run_items(make_bot(effects), "cases", {"a": {"fail_times": "many"}})
    item = run["a"]
    assert item.state is State.BUSINESS_EXCEPTION and item.error.code == "PAYLOAD_INVALID"
    assert "name" in item.error.message and "fail_times" in item.error.message
    assert effects.calls["a"] == 0


def test_system_unavailable_defers_without_spending_attempts(tmp_path) -> None:
    effects = SideEffects()
    store = make_store(tmp_path)
    run = run_items(make_bot(effects), "cases", {"a": Case(name="Jens", down=True)}, store=store,
                    retry=RetryPolicy(max_attempts=1))
    # run_items advances the clock past each deferral; the item never spends its one attempt
    # while the system is down, so it cannot end in system_exception - it stays deferred.
    item = run["a"]
    assert item.state is State.DEFERRED and item.attempts == 0
    assert item.error.code == "SystemUnavailable"


def test_retry_reuses_the_stored_decision_even_when_data_changed(tmp_path) -> None:
    """A crash after the decision: the retry decides nothing anew (a decision is a checkpoint)."""
    decisions: list[str] = []

    def process(item: Item) -> dict[str, Any]:
        decision = item.decision(lambda: decisions.append(item.payload.name) or {"name": item.payload.name})
        if len(decisions) == 1 and item.attempt == 1:
            raise ConnectionError("crash after deciding")
        return {"outcome": "letter", "to": decision["name"]}

    bot = Bot(name="t", version="1", tasks=[Task("cases", Case, process, retry=NO_WAIT)])
    run = run_items(bot, "cases", {"a": Case(name="Jens")})
    assert run["a"].result["to"] == "Jens" and decisions == ["Jens"]


def test_person_retry_with_corrected_payload_decides_again(tmp_path) -> None:
    from runner.deployment import deploy
    from runner.exceptions import ExceptionDesk
    from runner.testing import FakeClock

    effects = SideEffects()
    bot = make_bot(effects)
    store = make_store(tmp_path)
    run_items(bot, "cases", {"a": Case(name="Jens", code="EARLIER_THAN_NOTICE")}, store=store)
    item = store.list_items(Actor.worker("t"))[0]
    desk = ExceptionDesk(store, deploy({"t": bot}), person("ops"), clock=FakeClock())
    with pytest.raises(Exception, match="name"):
        desk.retry(item.id, payload={"name": None})
    desk.retry(item.id, payload={"name": "Jens Hansen"}, reason="date agreed by phone")
    run = run_items(bot, "cases", {}, store=store)
    assert run["a"].state is State.DONE
    decision = next(c for c in run["a"].checkpoints if c.name == "decision")
    assert decision.receipt["name"] == "Jens Hansen"
    (audit,) = store.audit_trail(person("ops"), item_id=item.id)
    assert audit.details["old_payload"]["name"] == "Jens" and audit.reason == "date agreed by phone"


def test_circuit_breaker_pauses_after_consecutive_system_exceptions(tmp_path) -> None:
    from runner.deployment import WorkerSettings, deploy
    from runner.testing import FakeClock
    from runner.worker import Worker

    effects = SideEffects()
    bot = make_bot(effects)
    clock = FakeClock()
    store = make_store(tmp_path, clock=clock)
    from runner.store import NewItem

    store.enqueue([NewItem("t", "cases", f"r{i}", {"name": "x", "fail_times": 9}, max_attempts=1)
                   for i in range(5)])
    settings = WorkerSettings(breaker_threshold=3, breaker_cooldown_s=600, reaper_s=3600, heartbeat_s=3600)
    worker = Worker(store, deploy({"t": bot}, worker=settings), clock)
    while worker.run_batch():
        pass
    states = Counter(i.state for i in store.list_items(Actor.worker("t")))
    assert states == {State.SYSTEM_EXCEPTION: 3, State.NEW: 2}
    assert store.bot_states()["t"].circuit_open
    (alert,) = store.list_alerts()
    assert alert.kind == "circuit_open" and alert.bot == "t"
    clock.advance(601)  # after the cool-down, one probe item; it fails, so the bot stays paused
    assert worker.run_batch() == 1
    assert worker.run_batch() == 0
    assert store.bot_states()["t"].paused


# -- collectors --------------------------------------------------------------------------------


def collecting_bot(fail_times: int, error: Exception) -> tuple[Bot, Counter[str]]:
    """A bot whose collector enqueues two items, then fails the first `fail_times` tries."""
    tries: Counter[str] = Counter()

    def collect(run: Any) -> None:
        tries["collect"] += 1
        run.enqueue("a", Case(name="Jens"))
        run.flush()  # in the store before the failure, as a collector's batches are
        if tries["collect"] <= fail_times:
            raise error
        run.enqueue("b", Case(name="Anne"))

    task = Task("cases", Case, lambda item: {"outcome": "done"}, collect=collect, retry=NO_WAIT)
    return Bot(name="c", version="1", tasks=[task]), tries


def run_collector(bot: Bot) -> Any:
    from runner.orchestrator import run_task
    from runner.states import Trigger
    from runner.testing import FakeClock, _deployment

    store = make_store()
    deployment = _deployment(bot, None, None, None, Path(store.url.removeprefix("sqlite:///")).parent)
    run = run_task(store, deployment, FakeClock(date(2024, 11, 18)), bot.name, "cases",
                   trigger=Trigger.MANUAL, actor=Actor.scheduler())
    references = sorted(r.reference for r in store.list_items(Actor.worker("test"), bot=bot.name))
    return run, references, store


def test_a_collector_technical_error_is_retried_and_enqueues_each_item_once() -> None:
    bot, tries = collecting_bot(2, TimeoutError("the portal did not answer"))
    run, references, store = run_collector(bot)
    assert tries["collect"] == 3
    assert run.error is None and run.enqueued == 2
    assert references == ["a", "b"]
    assert not store.list_alerts()


def test_a_collector_that_keeps_failing_fails_the_run_with_an_alert_and_keeps_its_items() -> None:
    bot, tries = collecting_bot(9, TimeoutError("the portal did not answer"))
    run, references, store = run_collector(bot)
    assert tries["collect"] == NO_WAIT.max_attempts
    assert run.error == "TimeoutError: the portal did not answer"
    assert references == ["a"] and run.enqueued == 1
    assert [alert.kind for alert in store.list_alerts()] == ["run_failed"]


def test_a_collector_business_error_or_maintenance_is_not_retried() -> None:
    for error in (BusinessError("BATCH_INVALID", "arket mangler kolonnen cpr"),
                  SystemUnavailable("Planlagt vedligeholdelse", system="portal", retry_after_s=60)):
        bot, tries = collecting_bot(9, error)
        run, _, _ = run_collector(bot)
        assert tries["collect"] == 1 and run.error.startswith(type(error).__name__)


def restricting_bot(role: str, declared: tuple[str, ...]) -> Bot:
    def process(item: Item) -> dict[str, Any]:
        item.restrict_to(role)
        raise BusinessError("HAS_ENTRIES", "for the reader's eyes only")

    return Bot(name="t", version="1", tasks=[Task("cases", Case, process, retry=NO_WAIT)], roles=declared)


def test_an_item_is_restricted_only_to_a_role_its_bot_declares() -> None:
    declared = run_items(restricting_bot("reader", ("reader",)), "cases", {"a": Case(name="Jens")})["a"]
    assert declared.state is State.BUSINESS_EXCEPTION and declared.visible_to == "reader"
    undeclared = run_items(restricting_bot("reeder", ("reader",)), "cases", {"a": Case(name="Jens")})["a"]
    assert undeclared.state is State.SYSTEM_EXCEPTION and undeclared.visible_to is None
    assert "'reeder', a role it does not declare (Bot.roles: reader)" in undeclared.error.message


@pytest.mark.parametrize("role", ["Reader", "ops", "", "read-er"])
def test_a_bot_declares_only_new_well_formed_roles(role: str) -> None:
    with pytest.raises(ValueError, match="declares role"):
        restricting_bot("x", (role,))
