"""End to end in Chromium against a seeded sandbox: reports, claims, and the decisions reconciled.

The fault-free run is compared with what the bot's own pure rules compute from the seeded
data; then a dataset of the same generator is worked again with faults on (10 % HTTP 500s
after the write, sessions expired midway, a maintenance window, a worker process SIGKILLed
mid-run and a fresh one started) and must end as the rules say, nothing submitted twice.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from bots.refund_claims import rules
from bots.refund_claims.bot import bot, item_reference
from bots.refund_claims.models import Settings
from runner import State, SystemAccess
from runner.store import Actor
from runner.testing import FakeClock, make_store, run_items, run_task_once

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.long]

AS_OF = date(2024, 11, 18)
EMPLOYEES, SEED = 1000, 22  # about 27 absence items and 22 decisions: every planted case
FAULTS_EMPLOYEES = 200  # about 18 absence items and their decisions
SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")
TASKS = ("absences", "decisions")  # in this order: the decisions are on the claims just made
TEST = Actor.worker("test")


def serve(folder: Path, data: dict[str, Any]) -> tuple[Path, str, Any]:
    from sandbox import dataset
    from sandbox.server import serve_in_thread

    db = folder / "sandbox.db"
    dataset.load(db, data)
    base, stop = serve_in_thread(db, port=0)
    return db, base, stop


@pytest.fixture(scope="module")
def browsers() -> Iterator[Any]:
    from runner.testing import BrowserPool

    pool = BrowserPool(traces=False)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, browsers: Any) -> Iterator[dict[str, Any]]:
    """The seeded data and the fault-free run (collect, work, export)."""
    from sandbox import dataset, generator

    data = generator.generate(EMPLOYEES, seed=SEED)
    db, base, stop = serve(tmp_path_factory.mktemp("refunds"), data)
    systems = {name: SystemAccess(name, f"{base}/{name}", "robot", "sandbox") for name in SYSTEMS}
    store = make_store(tmp_path_factory.mktemp("refunds-store"), clock=FakeClock(AS_OF))
    items = {}
    for task in TASKS:
        run_task_once(bot, task, today=AS_OF, store=store, systems=systems, browsers=browsers)
        items.update(run_items(bot, task, {}, today=AS_OF, store=store, systems=systems,
                               browsers=browsers).items)
    yield {"data": data, "db": db, "systems": systems, "items": items, "export": dataset.export(db),
           "dataset": dataset}
    stop()


def by_reference(records: list[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("reference") == reference]


def expected_absences(data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Item reference → (absence, the rules' decision) for what today's collection enqueues."""
    employments = {e["employment_id"]: e for e in data["employments"]}
    expected = {}
    for absence in data["absences"]:
        try:
            decision = rules.decide_absence(employments.get(absence["employment_id"]), absence, AS_OF,
                                            Settings())
        except ValueError:
            decision = {"outcome": "exception", "code": "ABSENCE_INVALID"}
        reference = item_reference(absence["absence_id"], decision)
        if reference is not None:
            expected[reference] = (absence, decision)
    return expected


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def check_absences(data: dict[str, Any], export: dict[str, Any], items: dict[str, Any],
                   at_least: int) -> None:
    employments = {e["employment_id"]: e for e in data["employments"]}
    expected = expected_absences(data)
    absences = {ref: item for ref, item in items.items() if item.task == "absences"}
    assert set(absences) == set(expected) and len(expected) >= at_least
    outcomes = Counter(d["outcome"] for _, d in expected.values())
    assert outcomes["claim"] and outcomes["report_only"]
    assert {d.get("code") for _, d in expected.values()} >= {"RATE_UNKNOWN", "DEADLINE_PASSED"}
    assert any(rules.LATE_REPORT in (d.get("warnings") or []) for _, d in expected.values())
    after = {a["absence_id"]: a for a in export["absences"]}
    submissions = export["refund_submissions"]
    for ref, (absence, decision) in expected.items():
        item, absence_id = absences[ref], absence["absence_id"]
        mine = [s for s in submissions if s["absence_id"] == absence_id]
        if decision["outcome"] == "exception":
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, decision["code"]), ref
            assert not [s for s in mine if s["submitted_date"] == AS_OF.isoformat()], ref
            assert after[absence_id]["claimed_until"] == absence["claimed_until"]
            continue
        assert item.state is State.DONE, (ref, item.error)
        reports = [s for s in mine if s["kind"] == "report"]
        if decision["report_now"]:
            [report] = reports
            assert (report["reference"], report["authority"]) == (f"{absence_id}:report",
                                                                  rules.OPHOLDSKOMMUNE)
            assert after[absence_id]["reported_date"] == AS_OF.isoformat()
        else:
            assert not reports and after[absence_id]["reported_date"] == absence["reported_date"]
        claims = [s for s in mine if s["kind"] == "claim"]
        if decision["outcome"] == "claim":
            [claim] = claims
            assert claim["reference"] == ref
            assert (claim["authority"], claim["claim_from"], claim["claim_to"]) == (
                decision["authority"], decision["claim_from"], decision["claim_to"]), ref
            assert (money(claim["hours"]), money(claim["max_refund"])) == (
                money(decision["hours"]), money(decision["max_refund"])), ref
            assert after[absence_id]["claimed_until"] == decision["claim_to"]
        else:
            assert not claims and after[absence_id]["claimed_until"] == absence["claimed_until"]
        messages = by_reference(export["manager_messages"], f"{absence_id}:late_report")
        if rules.LATE_REPORT in decision["warnings"]:
            [message] = messages
            employment = employments[absence["employment_id"]]
            assert message["unit"] == employment["unit"]
            assert "Tabt refusion" in message["text"] and employment["employment_id"] in message["text"]
        else:
            assert not messages


def check_decisions(export: dict[str, Any], items: dict[str, Any]) -> None:
    """Every decided claim reconciled: within the tolerance done, else REFUND_DIFFERENCE/REJECTED."""
    decided = {f"{s['absence_id']}:{s['claim_to']}:{s['decision']}": s
               for s in export["refund_submissions"] if s["kind"] == "claim" and s["decision"]}
    decisions = {ref: item for ref, item in items.items() if item.task == "decisions"}
    assert set(decisions) == set(decided) and decided
    codes = Counter()
    for ref, submission in decided.items():
        result = rules.reconcile(submission["decision"], submission["paid"], money(submission["max_refund"]),
                                 Settings())
        item = decisions[ref]
        codes[result["code"]] += 1
        if result["code"]:
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, result["code"]), ref
        else:
            assert item.state is State.DONE, (ref, item.error)
            assert money(item.result["paid"]) == money(submission["paid"])
    assert codes[None] and codes["REFUND_DIFFERENCE"] and codes["REFUND_REJECTED"], codes


def test_absences_end_to_end(world):
    check_absences(world["data"], world["export"], world["items"], at_least=25)


def test_decisions_reconciled_end_to_end(world):
    check_decisions(world["export"], world["items"])


def bot_outputs(export: dict[str, Any]) -> dict[str, Any]:
    """What the bot writes, without receipt ids or ordering: compared across runs."""
    return {
        "submissions": sorted((s["reference"], s["absence_id"], s["kind"], s["authority"], s["claim_from"],
                               s["claim_to"], str(s["hours"]), str(s["max_refund"]))
                              for s in export["refund_submissions"]),
        "absences": sorted((a["absence_id"], a["reported_date"], a["claimed_until"])
                           for a in export["absences"]),
        "messages": sorted((m["reference"], m["unit"], m["subject"], m["text"])
                           for m in export["manager_messages"]),
    }


def assert_no_duplicates(export: dict[str, Any]) -> None:
    for key in ("refund_submissions", "manager_messages"):
        counts = Counter(r["reference"] for r in export[key] if r["reference"])
        assert not [ref for ref, n in counts.items() if n > 1], (key, counts.most_common(3))


def test_a_second_run_changes_nothing(world, browsers, tmp_path):
    """The next run on a fresh queue: nothing claimed or reported twice, no second message."""
    store = make_store(tmp_path, clock=FakeClock(AS_OF))
    items = {}
    for task in TASKS:
        run_task_once(bot, task, today=AS_OF, store=store, systems=world["systems"], browsers=browsers)
        items.update(run_items(bot, task, {}, today=AS_OF, store=store, systems=world["systems"],
                               browsers=browsers).items)
    after = world["dataset"].export(world["db"])
    assert bot_outputs(after) == bot_outputs(world["export"])
    assert_no_duplicates(after)
    absences = [item for item in items.values() if item.task == "absences"]
    assert all(item.state is State.BUSINESS_EXCEPTION for item in absences), "an absence was acted on again"


# -- a dataset of the same generator, with faults on ----------------------------------------


def admin(base: str, **faults: Any) -> None:
    httpx.post(f"{base}/_admin/faults", json=faults, timeout=10).raise_for_status()


def finished(store: Any) -> int:
    counts = store.count_by_state()
    return sum(n for (name, state), n in counts.items()
               if name == bot.name and state in ("done", "business_exception", "system_exception"))


def test_faults_and_a_killed_worker_end_as_the_rules_say(browsers, tmp_path):
    from runner.bench.payouts import start_worker
    from sandbox import dataset, generator

    data = generator.generate(FAULTS_EMPLOYEES, seed=SEED)
    db, base, stop = serve(tmp_path, data)
    systems = {name: SystemAccess(name, f"{base}/{name}", "robot", "sandbox") for name in SYSTEMS}
    try:
        store = make_store(tmp_path / "store")  # the wall clock: leases, retries and deferrals are real
        run_task_once(bot, "absences", today=AS_OF, store=store, systems=systems, browsers=browsers)
        total = sum(n for (name, _), n in store.count_by_state().items() if name == bot.name)
        admin(base, error_rate=0.1, error_phase="after")  # the write happens, the answer is a 500

        # a worker is SIGKILLed (with its Chromium) mid-item
        first = start_worker(bot.name, store.url, base, AS_OF, "w1", logs=tmp_path / "w1")
        deadline, in_hand = time.monotonic() + 180, None
        while in_hand is None and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.02)
            if finished(store) >= 3:
                in_hand = next((i for i in store.list_items(TEST, bot=bot.name, states=[State.IN_PROGRESS])
                                if i.has_checkpoints), None)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        done_at_kill = finished(store)
        assert in_hand is not None and 0 < done_at_kill < total, "the kill must land mid-run"

        # a maintenance window; the fresh worker defers, then finishes; sessions expire twice
        second = start_worker(bot.name, store.url, base, AS_OF, "w2", go=True, logs=tmp_path / "w2")
        now = datetime.now(UTC)
        admin(base, maintenance_from=now.isoformat(),
              maintenance_until=(now + timedelta(seconds=4)).isoformat())
        assert second.stdin is not None
        second.stdin.write("go\n")
        second.stdin.flush()
        seen: set[str] = set()
        expiries, started = 0, time.monotonic()
        while second.poll() is None and time.monotonic() - started < 300:
            seen |= {state for (name, state), n in store.count_by_state().items() if name == bot.name and n}
            if expiries < 2 and finished(store) >= done_at_kill + 2 * (expiries + 1):
                admin(base, expire_sessions=True)
                expiries += 1
            time.sleep(0.1)
        assert second.wait(timeout=5) == 0
        assert "deferred" in seen and expiries == 2

        # the decisions, still with 500s
        run_task_once(bot, "decisions", today=AS_OF, store=store, systems=systems, browsers=browsers)
        third = start_worker(bot.name, store.url, base, AS_OF, "w3", logs=tmp_path / "w3")
        assert third.wait(timeout=300) == 0

        items = {i.reference: store.get_item(TEST, i.id)
                 for i in store.list_items(TEST, bot=bot.name, limit=None)}
        assert items[in_hand.reference].state in (State.DONE, State.BUSINESS_EXCEPTION)
        admin(base, reset=True)
        export = dataset.export(db)
        assert_no_duplicates(export)
        check_absences(data, export, items, at_least=12)
        check_decisions(export, items)
    finally:
        stop()
