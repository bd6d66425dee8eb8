"""End to end in Chromium against a seeded sandbox: requests and the termination sweep.

The fault-free run is compared with what the bot's own pure rules compute from the seeded
data; then the same dataset is worked again with faults on (10 % HTTP 500s after the
write, sessions expired midway, a maintenance window, a worker process SIGKILLed mid-run
and a fresh one started) and must end in the same state, nothing written twice.
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

from bots.sixth_holiday_week import rules
from bots.sixth_holiday_week.bot import WAGE_TYPE, bot
from bots.sixth_holiday_week.letters import SUBJECT
from bots.sixth_holiday_week.models import Settings
from hr.calendar import Period
from hr.cpr import mask_cprs_in_text
from hr.formatting import format_hours, format_kr
from runner import State, SystemAccess
from runner.store import Actor
from runner.testing import FakeClock, make_store, run_items, run_task_once

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.long]

AS_OF = date(2024, 11, 18)
EMPLOYEES, SEED = 2000, 21  # 46 requests + 4 sweep items: every planted case
FAULTS_EMPLOYEES = 200  # 10 requests + 4 sweep items: every planted case again
SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")
TASKS = ("requests", "termination_sweep")
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
    """One Chromium for the module's in-process work."""
    from runner.testing import BrowserPool

    pool = BrowserPool(traces=False)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, browsers: Any) -> Iterator[dict[str, Any]]:
    """The seeded data and the fault-free run (collect, work, export)."""
    from sandbox import dataset, generator

    data = generator.generate(EMPLOYEES, seed=SEED)
    db, base, stop = serve(tmp_path_factory.mktemp("holiday6"), data)
    systems = {name: SystemAccess(name, f"{base}/{name}", "robot", "sandbox") for name in SYSTEMS}
    store = make_store(tmp_path_factory.mktemp("holiday6-store"), clock=FakeClock(AS_OF))
    items = {}
    for task in TASKS:
        run_task_once(bot, task, today=AS_OF, store=store, systems=systems, browsers=browsers)
        items.update(run_items(bot, task, {}, today=AS_OF, store=store, systems=systems,
                               browsers=browsers).items)
    world = {"data": data, "db": db, "base": base, "systems": systems, "browsers": browsers,
             "items": items, "export": dataset.export(db), "dataset": dataset,
             "tmp": tmp_path_factory}
    yield world
    stop()


def by_reference(records: list[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("reference") == reference]


def flat(text: str) -> str:
    return " ".join(text.split())


def expected_requests(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Case id → the rules' decision, with NO_DIGITAL_POST where a payout cannot be lettered."""
    employments = {e["employment_id"]: e for e in data["employments"]}
    expected = {}
    for case in data["cases"]:
        if case["type"] != rules.REQUEST:
            continue
        employment = employments.get(case["employment_id"])
        decision = rules.decide_request(employment, case, AS_OF, Settings())
        if decision["outcome"] == "payout" and not (employment or {}).get("digital_post"):
            decision = {**decision, "outcome": "exception", "code": "NO_DIGITAL_POST"}
        expected[case["case_id"]] = decision
    return expected


def expected_sweep(data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Sweep reference → (employment, decision) for monthly staff ending this or next period."""
    current = Period.of(AS_OF)
    first, last = current.first_day.isoformat(), current.next().last_day.isoformat()
    expected = {}
    for employment in data["employments"]:
        end = employment.get("end_date")
        if employment["pay"] != "monthly" or not end or not first <= end <= last:
            continue
        case = {"type": rules.TERMINATION, "employment_id": employment["employment_id"],
                "transfer_agreed": bool(employment.get("holiday6_transfer_agreed"))}
        decision = rules.decide_termination(employment, case, Settings())
        if decision["outcome"] == "payout" and not employment.get("digital_post"):
            decision = {**decision, "outcome": "exception", "code": "NO_DIGITAL_POST"}
        expected[f"{employment['employment_id']}:{end}"] = (employment, decision)
    return expected


def assert_paid(export: dict[str, Any], seeded: dict[str, Any], ref: str,
                lines: list[dict[str, Any]], amount: float, period: str) -> None:
    """One payroll line per year, paid_hours raised, one letter stating hours and amount, a journal entry."""
    employment_id = seeded["employment_id"]
    after = next(e for e in export["employments"] if e["employment_id"] == employment_id)
    for line in lines:
        year = line["earning_year"]
        [registered] = by_reference(export["payroll_lines"], f"{ref}:{year}")
        assert (registered["employment_id"], registered["wage_type"], registered["period"],
                registered["earning_year"]) == (employment_id, WAGE_TYPE, period, year), ref
        assert (Decimal(str(registered["hours"])), Decimal(str(registered["amount"]))) == (
            Decimal(str(line["hours"])), Decimal(str(line["amount"]))), ref
        before = next(h for h in seeded["holiday6"] if h["earning_year"] == year)
        now = next(h for h in after["holiday6"] if h["earning_year"] == year)
        assert Decimal(str(now["paid_hours"])) == (
            Decimal(str(before.get("paid_hours") or 0)) + Decimal(str(line["hours"]))), ref
    [letter] = by_reference(export["letters"], ref)
    text = flat(letter["text"])
    assert (letter["employment_id"], letter["subject"]) == (employment_id, SUBJECT)
    assert format_kr(amount) in text, (ref, text)
    for line in lines:
        assert format_hours(line["hours"]) in text and format_kr(line["amount"]) in text, (ref, text)
    assert mask_cprs_in_text(text) == text
    [entry] = by_reference(export["journal"], ref)
    assert (entry["kind"], entry["title"], entry["doc_type"], entry["access"]) == (
        "document", SUBJECT, "Brev", "Almindelig")


def assert_nothing_written(export: dict[str, Any], ref: str) -> None:
    assert not [line for line in export["payroll_lines"] if line["reference"].startswith(f"{ref}:")]
    assert not by_reference(export["letters"], ref) and not by_reference(export["journal"], ref)


def test_requests_end_to_end(world):
    check_requests(world["data"], world["export"], world["items"], at_least=40)


def check_requests(data: dict[str, Any], export: dict[str, Any], items: dict[str, Any],
                   at_least: int) -> None:
    employments = {e["employment_id"]: e for e in data["employments"]}
    expected = expected_requests(data)
    requests = {ref: item for ref, item in items.items() if item.task == "requests"}

    assert set(requests) == set(expected) and len(expected) >= at_least
    assert {d["code"] for d in expected.values()} >= {
        None, "EMPLOYMENT_NOT_FOUND", "NO_ENTITLEMENT", "EMPLOYMENT_INACTIVE", "NO_BALANCE",
        "NOT_YET_AVAILABLE", "INSUFFICIENT_BALANCE"}
    status = {s["case_id"]: s for s in export["case_status"]}
    cases = {c["case_id"]: c for c in data["cases"]}
    for ref, decision in expected.items():
        item = requests[ref]
        if decision["outcome"] == "exception":
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, decision["code"]), ref
            assert status[ref]["status"] != "Løst"
            assert "kan ikke behandles automatisk" in (status[ref]["reply"] or "")
            assert_nothing_written(export, ref)
            continue
        assert item.state is State.DONE, (ref, item.error)
        assert decision["period"] == "2024-12"  # 18 November is after the cut-off (the 10th)
        seeded = employments[cases[ref]["employment_id"]]
        line = {key: decision[key] for key in ("earning_year", "hours", "amount")}
        assert_paid(export, seeded, ref, [line], decision["amount"], decision["period"])
        assert status[ref]["status"] == "Løst"
        assert format_kr(decision["amount"]) in status[ref]["reply"]


def test_termination_sweep_end_to_end(world):
    check_sweep(world["data"], world["export"], world["items"])


def check_sweep(data: dict[str, Any], export: dict[str, Any], items: dict[str, Any]) -> None:
    expected = expected_sweep(data)
    sweep = {ref: item for ref, item in items.items() if item.task == "termination_sweep"}

    assert set(sweep) == set(expected)
    reasons = Counter(d.get("reason") or d["outcome"] for _, d in expected.values())
    assert reasons["payout"] >= 2 and reasons["TRANSFER_AGREED"] and reasons["NOTHING_UNUSED"]
    for ref, (employment, decision) in expected.items():
        item = sweep[ref]
        if decision["outcome"] == "exception":
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, decision["code"]), ref
            assert_nothing_written(export, ref)
        elif decision["outcome"] == "skip":
            assert item.state is State.DONE, (ref, item.error)
            assert (item.result["outcome"], item.result["reason"]) == ("skip", decision["reason"])
            assert_nothing_written(export, ref)
        else:
            assert item.state is State.DONE, (ref, item.error)
            assert decision["period"] == employment["end_date"][:7]
            assert_paid(export, employment, ref, decision["lines"], decision["amount"], decision["period"])


def bot_outputs(export: dict[str, Any]) -> dict[str, Any]:
    """What the bot writes, without receipt ids or ordering: compared across runs."""
    return {
        "payroll_lines": sorted((r["reference"], r["employment_id"], r["wage_type"], r["period"],
                                 str(r["hours"]), str(r["amount"]), r["earning_year"])
                                for r in export["payroll_lines"] if r["wage_type"] == WAGE_TYPE),
        "letters": sorted((r["reference"], r["employment_id"], r["subject"], r["text"])
                          for r in export["letters"]),
        "journal": sorted((r["reference"], r["employment_id"], r["kind"], r["title"], r["doc_type"])
                          for r in export["journal"]),
        "cases": sorted((r["case_id"], r["status"], r["reply"]) for r in export["case_status"]),
        "holiday6": sorted((e["employment_id"], h["earning_year"], str(h.get("paid_hours")))
                           for e in export["employments"] for h in e["holiday6"]),
    }


def assert_no_duplicates(export: dict[str, Any]) -> None:
    for key in ("payroll_lines", "letters", "journal"):
        counts = Counter(r["reference"] for r in export[key])
        assert not [ref for ref, n in counts.items() if n > 1], (key, counts.most_common(3))


def test_a_second_run_changes_nothing(world, tmp_path):
    """The next day's run on a fresh queue: solved cases are not collected, the sweep finds nothing unused."""
    store = make_store(tmp_path, clock=FakeClock(AS_OF))
    items = {}
    for task in TASKS:
        run_task_once(bot, task, today=AS_OF, store=store, systems=world["systems"],
                      browsers=world["browsers"])
        items.update(run_items(bot, task, {}, today=AS_OF, store=store, systems=world["systems"],
                               browsers=world["browsers"]).items)
    after = world["dataset"].export(world["db"])
    assert bot_outputs(after) == bot_outputs(world["export"])
    assert_no_duplicates(after)
    first = world["items"]
    assert not [ref for ref in items if ref in first and first[ref].state is State.DONE
                and first[ref].task == "requests"], "a solved case came back"
    for ref, item in items.items():
        assert item.state in (State.DONE, State.BUSINESS_EXCEPTION), (ref, item.error)
        if item.task == "termination_sweep" and item.state is State.DONE:
            assert item.result["outcome"] == "skip", (ref, item.result)


# -- the same dataset with faults on ------------------------------------------------------


def admin(base: str, **faults: Any) -> None:
    httpx.post(f"{base}/_admin/faults", json=faults, timeout=10).raise_for_status()


def finished(store: Any) -> int:
    counts = store.count_by_state()
    return sum(n for (name, state), n in counts.items()
               if name == bot.name and state in ("done", "business_exception", "system_exception"))


def outcome(items: dict[str, Any]) -> dict[str, tuple[State, str | None]]:
    return {ref: (i.state, i.error.code if i.state is State.BUSINESS_EXCEPTION else None)
            for ref, i in items.items()}


def test_faults_and_a_killed_worker_end_as_the_rules_say(browsers, tmp_path):
    """A smaller dataset of the same generator (every planted case), worked through faults.

    The end state is checked with the same assertions as the fault-free run: what the rules
    compute from the seeded data, once.
    """
    from runner.bench.payouts import open_items, start_worker
    from sandbox import dataset, generator

    folder = tmp_path
    data = generator.generate(FAULTS_EMPLOYEES, seed=SEED)
    db, base, stop = serve(folder, data)
    systems = {name: SystemAccess(name, f"{base}/{name}", "robot", "sandbox") for name in SYSTEMS}
    try:
        store = make_store(folder / "store")  # the wall clock: leases, retries and deferrals are real
        for task in TASKS:
            run_task_once(bot, task, today=AS_OF, store=store, systems=systems, browsers=browsers)
        total = open_items(store, bot.name)
        admin(base, error_rate=0.1, error_phase="after")  # the write happens, the answer is a 500

        # a worker is SIGKILLed (with its Chromium) mid-run
        first = start_worker(bot.name, store.url, base, AS_OF, "w1", logs=folder / "w1")
        deadline = time.monotonic() + 180
        in_hand = None
        while in_hand is None and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.02)
            if finished(store) >= 3:  # then the next item, once it has written something
                in_hand = next((i for i in store.list_items(TEST, bot=bot.name, states=[State.IN_PROGRESS])
                                if i.has_checkpoints), None)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        done_at_kill = finished(store)
        assert 0 < done_at_kill < total, "the kill must land mid-run"

        # a maintenance window opens; the fresh worker defers, then finishes after it ends;
        # sessions are expired twice while it works
        second = start_worker(bot.name, store.url, base, AS_OF, "w2", go=True, logs=folder / "w2")
        now = datetime.now(UTC)
        admin(base, maintenance_from=now.isoformat(),
              maintenance_until=(now + timedelta(seconds=4)).isoformat())
        assert second.stdin is not None
        second.stdin.write("go\n")
        second.stdin.flush()
        seen: set[str] = set()
        expiries = 0
        started = time.monotonic()
        while second.poll() is None and time.monotonic() - started < 300:
            counts = store.count_by_state()
            seen |= {state for (name, state), n in counts.items() if name == bot.name and n}
            if expiries < 2 and finished(store) >= done_at_kill + 2 * (expiries + 1):
                admin(base, expire_sessions=True)
                expiries += 1
            time.sleep(0.1)
        assert second.wait(timeout=5) == 0
        assert "deferred" in seen, "the maintenance window deferred nothing"
        assert expiries == 2

        items = {i.reference: store.get_item(TEST, i.id)
                 for i in store.list_items(TEST, bot=bot.name, limit=None)}
        assert len(items) == total
        assert in_hand is not None, "the kill must land mid-item"
        assert items[in_hand.reference].state in (State.DONE, State.BUSINESS_EXCEPTION)
        admin(base, reset=True)
        export = dataset.export(db)
        assert_no_duplicates(export)
        check_requests(data, export, items, at_least=8)
        check_sweep(data, export, items)
    finally:
        stop()
