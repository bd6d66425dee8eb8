"""refund_claims: reports and claims sickness and maternity refunds, and reconciles the decisions.

`make_bot(pages)` composes the tasks over page objects; `bot` is the deployed one,
whose page objects drive the municipality's systems through `systems` (imported when
an item first needs a browser, so `rpa decide` works without Playwright). Tests pass
in-memory pages with the same API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hr.decisions import parse_date
from hr.formatting import format_date_long, format_kr
from hr.records import Absence, Employment, as_json
from runner import Bot, BusinessError, Collector, Item, RetryPolicy, RunSummary, Task

from . import rules
from .models import (
    AbsenceClaim,
    AbsenceDecision,
    AbsenceFacts,
    EmploymentFacts,
    Outcome,
    ReconcileDecision,
    RefundDecision,
    Settings,
)

ACTIONS = (Outcome.CLAIM, Outcome.REPORT_ONLY)
#: What a done `absences` item's result shows of its decision.
RESULT_FIELDS = {"outcome", "authority", "claim_from", "claim_to", "hours", "max_refund", "warnings"}
SUBJECT_LATE = "Sygefravær anmeldt for sent: refusion tabt"
MESSAGES = {
    "EMPLOYMENT_NOT_FOUND": "Fraværets ansættelse findes ikke i Lønsystemet.",
    "RATE_UNKNOWN": ("Der mangler en refusionssats for et år i kravets periode; tilføj årets sats "
                     "i indstillingerne (rates), så kræves refusionen ved næste kørsel."),
    "DEADLINE_PASSED": "Fristen for at kræve barselsrefusion er overskredet.",
    "ABSENCE_NOT_FOUND": "Fraværet findes ikke længere i Lønsystemet.",
    "ABSENCE_INVALID": ("Fraværets oplysninger i Lønsystemet kan ikke bruges til et krav "
                        "(fx timer pr. uge negative, nul eller over 168); ret fraværet."),
    "EMPLOYMENT_DATA_INVALID": ("Ansættelsens timer pr. uge i Lønsystemet kan ikke bruges til et krav; "
                                "ret ansættelsen, eller angiv fraværets egne timer pr. uge."),
}



def BrowserPages(ctx: Collector | Item) -> Any:
    """The page objects of `systems` for this context (imported here: only browser work needs them)."""
    from systems.pages import BrowserPages as Pages

    return Pages(ctx)


Pages = Callable[[Collector | Item], Any]


def item_reference(absence_id: str, decision: AbsenceDecision) -> str | None:
    """The work item for today's decision on an absence; None when there is nothing to do."""
    if decision.outcome is Outcome.CLAIM:
        return f"{absence_id}:{decision.claim_to}"
    if decision.outcome is Outcome.REPORT_ONLY:
        return f"{absence_id}:report"
    if decision.outcome is Outcome.EXCEPTION:  # a person must know: e.g. a missing rate, a passed deadline
        return f"{absence_id}:{decision.code}"
    return None


class RefundClaims:
    """The two tasks' collectors and performers over one set of page objects."""

    def __init__(self, pages: Pages = BrowserPages) -> None:
        self.pages = pages

    # -- absences ---------------------------------------------------------------------------

    def collect_absences(self, run: Collector) -> None:
        pages = self.pages(run)
        employments: dict[str, Employment | None] = {}
        for absence in pages.payroll.absences():
            employment = _employment(pages, absence.employment_id, employments)
            try:
                decision = rules.decide_absence(_facts(employment), AbsenceFacts.read(absence), run.as_of,
                                                run.settings)
            except ValueError:  # data the rules cannot read: the item says why
                decision = AbsenceDecision(outcome=Outcome.EXCEPTION, code=rules.ABSENCE_INVALID)
            reference = item_reference(absence.absence_id, decision)
            if reference is not None:
                kind = decision.outcome if decision.outcome in ACTIONS else Outcome.EXCEPTION
                run.enqueue(reference, AbsenceClaim(absence_id=absence.absence_id, kind=kind,
                                                    claim_to=decision.claim_to))

    def process_absence(self, item: Item) -> dict[str, Any]:
        pages = self.pages(item)
        absence_id = item.payload.absence_id
        found = pages.payroll.absence(absence_id)
        if found is None:
            raise BusinessError("ABSENCE_NOT_FOUND", MESSAGES["ABSENCE_NOT_FOUND"])
        employment = pages.payroll.employment(found.employment_id)
        decision = AbsenceDecision.model_validate(item.decision(lambda: rules.decide_absence(
            _facts(employment), AbsenceFacts.read(found), item.as_of, item.settings)))
        if decision.outcome is Outcome.EXCEPTION:
            code = str(decision.code)
            raise BusinessError(code, _message(code, found, item.settings, decision.field))
        if decision.outcome not in ACTIONS:
            return {"outcome": decision.outcome, "reason": decision.reason}
        assert employment is not None
        if decision.report_now:
            self._report(item, pages, found.absence_id)
        if rules.LATE_REPORT in decision.warnings:
            self._warn_manager(item, pages, employment, found)
        if decision.outcome is Outcome.CLAIM:
            self._claim(item, pages, absence_id, decision)
        return decision.model_dump(mode="json", include=RESULT_FIELDS)

    def _report(self, item: Item, pages: Any, absence_id: str) -> None:
        # one report per absence, whichever item makes it: the reference says so
        reference = f"{absence_id}:report"
        item.step("reported", lambda: pages.refusion.submit(
            absence_id, kind="report", authority=rules.OPHOLDSKOMMUNE,
            claim_from=None, claim_to=None,
            hours=None, max_refund=None, reference=reference))
        item.step("reported_date_updated", lambda: pages.payroll.update_absence(
            absence_id, reported_date=item.as_of, reference=reference))

    def _claim(self, item: Item, pages: Any, absence_id: str, decision: AbsenceDecision) -> None:
        item.step("claimed", lambda: pages.refusion.submit(
            absence_id, kind="claim", authority=decision.authority, claim_from=decision.claim_from,
            claim_to=decision.claim_to, hours=decision.hours, max_refund=decision.max_refund,
            reference=item.reference))
        item.step("claimed_until_updated", lambda: pages.payroll.update_absence(
            absence_id, claimed_until=decision.claim_to, reference=item.reference))

    def _warn_manager(self, item: Item, pages: Any, employment: Employment, found: Absence) -> None:
        absence = AbsenceFacts.read(found)
        report_date = absence.reported_date or item.as_of
        lost = rules.lost_refund(EmploymentFacts.read(employment), absence, report_date, item.settings) or {}
        amount = format_kr(lost["refund_lost"]) if lost.get("refund_lost") is not None else "ukendt"
        text = (f"Sygefraværet for {employment.name} ({employment.employment_id}), første "
                f"fraværsdag {format_date_long(found.first_day)}, "
                f"blev anmeldt til NemRefusion efter fristen. Refusion gives først fra "
                f"{format_date_long(parse_date(lost.get('refund_from'), 'refund_from'))}. "
                f"Husk at melde sygefravær til Løn & Personale straks. Tabt refusion: {amount}")
        reference = f"{found.absence_id}:late_report"  # one message per absence
        item.step("manager_messaged", lambda: pages.portal.message_manager(
            employment.unit, SUBJECT_LATE, text, reference=reference))

    # -- summary ------------------------------------------------------------------------------

    def refunds_at_risk(self, ctx: Collector | Item | RunSummary) -> dict[str, Any]:
        """The run summary's refunds at risk, read from Lønsystem as of `ctx.today`."""
        pages = self.pages(ctx)
        absences = pages.payroll.absences()
        cache: dict[str, Employment | None] = {}
        employments = [e for e in (_employment(pages, a.employment_id, cache) for a in absences) if e]
        return rules.refunds_at_risk(map(AbsenceFacts.read, absences), map(EmploymentFacts.read, employments),
                                     ctx.as_of, ctx.settings)

    # -- decisions --------------------------------------------------------------------------

    def collect_decisions(self, run: Collector) -> None:
        refusion = self.pages(run).refusion
        claimed: dict[str, Any] | None = None
        for decision in map(as_json, refusion.decisions()):
            if not decision.get("decision") or decision.get("claim_to") is None:
                continue  # not decided yet, or a report
            if decision.get("max_refund") is None:  # the decision page may omit it: the claim has it
                if claimed is None:
                    claimed = {s["reference"]: s.get("max_refund")
                               for s in map(as_json, refusion.submissions()) if s["kind"] == "claim"}
                decision["max_refund"] = claimed.get(decision.get("reference"))
            run.enqueue(f"{decision['absence_id']}:{decision['claim_to']}:{decision['decision']}",
                        RefundDecision.model_validate(
                            {key: decision.get(key) for key in RefundDecision.model_fields}))

    def process_decision(self, item: Item) -> dict[str, Any]:
        payload: RefundDecision = item.payload
        result = ReconcileDecision.model_validate(item.decision(lambda: rules.reconcile(
            payload.decision, payload.paid, payload.max_refund, item.settings)))
        if result.code == "REFUND_REJECTED":
            raise BusinessError("REFUND_REJECTED", (
                f"NemRefusion har afvist kravet for {payload.absence_id} "
                f"({payload.claim_from} – {payload.claim_to}, krævet {format_kr(result.max_refund)})."))
        if result.code == "REFUND_DIFFERENCE":
            raise BusinessError("REFUND_DIFFERENCE", (
                f"Udbetalt {format_kr(result.paid)}, krævet {format_kr(result.max_refund)} "
                f"(forskel {format_kr(result.difference)}) for {payload.absence_id} "
                f"{payload.claim_from} – {payload.claim_to}: kontrollér om nedsættelsen er rigtig, "
                f"eller om der skal betales tilbage."))
        return {"outcome": Outcome.RECONCILED, "paid": float(result.paid),
                "max_refund": float(result.max_refund)}


def _message(code: str, absence: Absence, settings: Settings, field: str | None = None) -> str:
    message = MESSAGES.get(code, code) + (f" (felt: {field})" if field else "")
    if code == "DEADLINE_PASSED":
        deadline = rules.maternity_deadline(AbsenceFacts.read(absence), settings)
        message += f" Fristen var {format_date_long(deadline)}." if deadline else ""
    return f"{absence.absence_id}: {message}"


def _employment(pages: Any, employment_id: str, cache: dict[str, Employment | None]) -> Employment | None:
    if employment_id not in cache:
        cache[employment_id] = pages.payroll.employment(employment_id)
    return cache[employment_id]


def _facts(found: Employment | None) -> EmploymentFacts | None:
    return EmploymentFacts.read(found) if found is not None else None


def make_bot(pages: Pages = BrowserPages) -> Bot:
    """The bot over these page objects (the deployed `bot` uses the browser's)."""
    work = RefundClaims(pages)
    retry = RetryPolicy(max_attempts=3, initial_interval_s=30, max_interval_s=600)
    return Bot(
        name="refund_claims",
        version="1.0.0",
        description="Refusion af syge- og barselspenge: report, claim and reconcile in NemRefusion.",
        owner="Koncernservice, Løn & Personale",
        settings=Settings,
        decide=rules.decide,
        summarize=lambda run: {"refunds_at_risk": work.refunds_at_risk(run)},
        minutes_per_item=15.0,
        tasks=[
            Task("absences", AbsenceClaim, work.process_absence, collect=work.collect_absences,
                 retry=retry, browser=True,
                 description="Lønsystem absences to report or claim today"),
            Task("decisions", RefundDecision, work.process_decision, collect=work.collect_decisions,
                 retry=retry, browser=True,
                 description="NemRefusion decisions, reconciled against the claims"),
        ],
    )


bot = make_bot()
