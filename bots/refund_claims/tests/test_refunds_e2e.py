"""End to end in Chromium against a seeded sandbox: reports, claims, and the decisions reconciled.

One dataset (about 27 absence items and 22 decisions: every planted case) is worked
fault-free, absences first and then NemRefusion's decisions on the claims just made, and
checked against what the bot's own pure rules compute from the seeded data; the next run
on the result claims, reports and messages nothing again; and the same dataset worked with
faults on (10 % HTTP 500s after the write, sessions expired, a maintenance window, a
worker process SIGKILLed mid-item and a fresh one started; see `harness.testing`) ends in
the same state as the fault-free run, nothing submitted twice, no full CPR in the logs.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from bots.refund_claims import rules
from bots.refund_claims.bot import bot, item_reference
from bots.refund_claims.models import AbsenceDecision, AbsenceFacts, EmploymentFacts, Settings
from harness.testing import (
    AS_OF,
    Generated,
    by_reference,
    check_faulty_run,
    check_no_full_cpr,
    fault_free_run,
    run_fixtures,
)
from runner import State

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAGES = [("absences",), ("decisions",)]  # in this order: the decisions are on the claims just made

# the fixtures: the dataset (about 27 absence items and 22 decisions: every planted case),
# its fault-free run and its faulty run
data, clean, faulty = run_fixtures("bots.refund_claims.bot:bot", STAGES, Generated(1000, seed=22))


def expected_absences(data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Item reference → (absence, the rules' decision) for what today's collection enqueues."""
    employments = {e["employment_id"]: e for e in data["employments"]}
    expected = {}
    for absence in data["absences"]:
        try:
            employment = employments.get(absence["employment_id"])
            decision = rules.decide_absence(EmploymentFacts.read(employment) if employment else None,
                                            AbsenceFacts.read(absence), AS_OF, Settings())
        except ValueError:
            decision = AbsenceDecision(outcome="exception", code="ABSENCE_INVALID")
        reference = item_reference(absence["absence_id"], decision)
        if reference is not None:
            expected[reference] = (absence, decision.model_dump(mode="json"))
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
                                 Settings()).model_dump(mode="json")
        item = decisions[ref]
        codes[result["code"]] += 1
        if result["code"]:
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, result["code"]), ref
        else:
            assert item.state is State.DONE, (ref, item.error)
            assert money(item.result["paid"]) == money(submission["paid"])
    assert codes[None] and codes["REFUND_DIFFERENCE"] and codes["REFUND_REJECTED"], codes


def test_absences_end_to_end(data, clean):
    check_absences(data, clean.export, clean.records, at_least=25)


def test_decisions_reconciled_end_to_end(clean):
    check_decisions(clean.export, clean.records)


def test_a_second_run_changes_nothing(clean, tmp_path):
    """The next run on what the first left: nothing claimed or reported twice, no second message."""
    again = fault_free_run(bot, STAGES, clean.db, tmp_path)
    assert again.written() == clean.written()
    absences = [item for item in again.records.values() if item.task == "absences"]
    assert all(item.state is State.BUSINESS_EXCEPTION for item in absences), "an absence was acted on again"


# -- the same dataset with faults on ----------------------------------------------------------


def test_faults_and_a_killed_worker_give_the_same_end_state(clean, faulty):
    check_faulty_run(clean, faulty, ("refund_submissions", "manager_messages"))
    # one report per absence, whichever item made it
    reports = Counter(s["reference"] for s in faulty.export["refund_submissions"] if s["kind"] == "report")
    assert reports and max(reports.values()) == 1


def test_no_full_cpr_in_logs_or_exception_texts(data, faulty):
    check_no_full_cpr(faulty, [e["cpr"] for e in data["employments"]])
