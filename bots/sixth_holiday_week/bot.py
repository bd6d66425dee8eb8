"""sixth_holiday_week: pays out the 6th holiday week on request and at termination.

`make_bot(pages)` composes the tasks over page objects; `bot` is the deployed one,
whose page objects drive the municipality's systems through `systems` (imported when
an item first needs a browser, so `rpa decide` works without Playwright). Tests pass
in-memory pages with the same API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hr.calendar import Period
from hr.formatting import format_hours, format_kr
from hr.records import Employment, as_json
from runner import Bot, BusinessError, Collector, Item, PersonAction, RetryPolicy, Task

from . import letters, rules
from .models import (
    CaseFacts,
    EmploymentFacts,
    Outcome,
    PayoutLine,
    PayoutRequest,
    RequestDecision,
    Settings,
    TerminationDecision,
    TerminationPayout,
)

WAGE_TYPE = "Udbetaling 6. ferieuge"
DOC_TYPE, ACCESS = "Brev", "Almindelig"
SOLVED = "Løst"

MESSAGES = {
    "EMPLOYMENT_NOT_FOUND": "Ansættelsen findes ikke i Lønsystemet.",
    "NO_ENTITLEMENT": "Timelønnede har ikke 6. ferieuge; der udbetales ikke.",
    "EMPLOYMENT_INACTIVE": "Ansættelsen var ikke aktiv på anmodningsdagen.",
    "NO_BALANCE": "Der er ingen saldo for 6. ferieuge i det anmodede optjeningsår.",
    "NOT_YET_AVAILABLE": "Timerne kan først udbetales fra 1. maj året efter optjeningsåret.",
    "REQUEST_LATE": "Anmodningen er modtaget efter fristen for optjeningsåret.",
    "INSUFFICIENT_BALANCE": "Der er ikke timer nok tilbage til den anmodede udbetaling.",
    "NO_DIGITAL_POST": "Medarbejderen kan ikke modtage Digital Post; brevet skal sendes manuelt.",
    "EMPLOYMENT_DATA_INVALID": ("Ansættelsens oplysninger i Lønsystemet kan ikke bruges til at beregne "
                                "udbetalingen; Løn & Personale retter dem."),
}



def BrowserPages(ctx: Collector | Item | PersonAction) -> Any:
    """The page objects of `systems` for this context (imported here: only browser work needs them)."""
    from systems.pages import BrowserPages as Pages

    return Pages(ctx)


Pages = Callable[[Collector | Item | PersonAction], Any]


class SixthHolidayWeek:
    """The two tasks' collectors and performers over one set of page objects."""

    def __init__(self, pages: Pages = BrowserPages) -> None:
        self.pages = pages

    # -- requests --------------------------------------------------------------------------

    def collect_requests(self, run: Collector) -> None:
        for case in self.pages(run).portal.cases(type=rules.REQUEST):
            if getattr(case, "status", None) != SOLVED:
                run.enqueue(case.case_id, PayoutRequest(case_id=case.case_id))

    def process_request(self, item: Item) -> dict[str, Any]:
        pages = self.pages(item)
        case = case_fields(pages.portal.case(item.payload.case_id))
        found = pages.payroll.employment(case["employment_id"]) if case.get("employment_id") else None
        employment = as_json(found) if found is not None else None
        decision = RequestDecision.model_validate(item.decision(lambda: rules.decide_request(
            _facts(found), CaseFacts.read(case), item.as_of, item.settings)))
        if decision.outcome is Outcome.EXCEPTION:
            self._refuse(item, pages, str(decision.code), decision.field)
        assert employment is not None  # a payout decision has an employment
        lines = [PayoutLine.model_validate(decision.model_dump(include=set(PayoutLine.model_fields)))]
        result = self._pay(item, pages, employment, lines, decision, "request")
        reply = (f"Udbetalingen af {format_hours(lines[0].hours)} timer 6. ferieuge "
                 f"({format_kr(lines[0].amount)}) er registreret til lønnen for "
                 f"{decision.period}, og medarbejderen har fået brev.")
        item.step("case_solved", lambda: pages.portal.set_status(
            item.payload.case_id, SOLVED, reply=reply, reference=item.reference))
        return result

    # -- termination sweep -----------------------------------------------------------------

    def collect_terminations(self, run: Collector) -> None:
        current = Period.of(run.as_of)
        ending = self.pages(run).payroll.employments(
            pay="monthly", end_from=current.first_day, end_to=current.next().last_day)
        for employment in map(as_json, ending):
            if employment.get("end_date"):
                run.enqueue(f"{employment['employment_id']}:{employment['end_date']}",
                            TerminationPayout(employment_id=employment["employment_id"],
                                              end_date=employment["end_date"]))

    def process_termination(self, item: Item) -> dict[str, Any]:
        pages = self.pages(item)
        found = pages.payroll.employment(item.payload.employment_id)
        employment = as_json(found) if found is not None else None
        if employment is not None and str(employment.get("end_date")) != str(item.payload.end_date):
            return {"outcome": Outcome.SKIP, "reason": "END_DATE_CHANGED"}
        case = {"transfer_agreed": bool((employment or {}).get("holiday6_transfer_agreed"))}
        decision = TerminationDecision.model_validate(item.decision(lambda: rules.decide_termination(
            _facts(found), CaseFacts.read(case), item.settings)))
        if decision.outcome is Outcome.EXCEPTION:
            self._refuse(item, pages, str(decision.code), decision.field)
        if decision.outcome is Outcome.SKIP:
            return {"outcome": Outcome.SKIP, "reason": decision.reason}
        assert employment is not None
        return self._pay(item, pages, employment, decision.lines, decision, "termination")

    # -- a person's hand on a stopped request -----------------------------------------------

    def resolved(self, action: PersonAction) -> None:
        """A person paid (or settled) a request by hand: close the case with their note."""
        if action.record.task != "requests":
            return  # the sweep has no case to answer
        text = f"Anmodningen er behandlet manuelt af Løn & Personale. {action.text}".strip()
        self.pages(action).portal.set_status(action.reference, SOLVED, reply=text,
                                             reference=f"{action.reference}:resolved")

    def rejected(self, action: PersonAction) -> None:
        """A person decided a request will not be paid: tell the manager why on the case."""
        if action.record.task != "requests":
            return
        text = f"6. ferieuge udbetales ikke. Begrundelse: {action.text}".strip()
        self.pages(action).portal.reply(action.reference, text, reference=f"{action.reference}:rejected")

    # -- shared steps ----------------------------------------------------------------------

    def _pay(self, item: Item, pages: Any, employment: Mapping[str, Any], lines: list[PayoutLine],
             decision: RequestDecision | TerminationDecision, reason: letters.Reason) -> dict[str, Any]:
        """Payroll lines (one per earning year), the letter by Digital Post, the eDoc journal."""
        if not employment.get("digital_post"):  # before anything is written
            self._refuse(item, pages, "NO_DIGITAL_POST")
        employment_id, period = str(employment["employment_id"]), str(decision.period)
        amount = float(decision.amount or 0)  # a payout has its amount; the item's result shows it so
        for line in lines:
            year = line.earning_year
            item.step(f"payroll_line_{year}", lambda line=line, year=year: pages.payroll.register_line(
                employment_id, wage_type=WAGE_TYPE, period=period, amount=line.amount,
                hours=line.hours, earning_year=year, text=f"6. ferieuge, optjeningsår {year}",
                reference=f"{item.reference}:{year}"))
        letter = letters.payout_letter(employment, [line.model_dump(mode="json") for line in lines],
                                       amount=amount, period=period, reason=reason, as_of=item.as_of,
                                       reference=item.reference)
        pdf = letters.render(letter)

        def send() -> Any:
            item.save_artifact("letter", "udbetaling-6-ferieuge.pdf", pdf)
            return pages.post.send(employment_id, subject=letters.SUBJECT, pdf=pdf,
                                   reference=item.reference)

        item.step("letter_sent", send)
        item.step("journaled", lambda: pages.edoc.journal_document(
            employment_id, title=letters.SUBJECT, doc_type=DOC_TYPE, access=ACCESS, pdf=pdf,
            reference=item.reference))
        return {"outcome": Outcome.PAYOUT, "amount": amount, "period": period,
                "years": [line.earning_year for line in lines]}

    def _refuse(self, item: Item, pages: Any, code: str, field: str | None = None) -> None:
        """Stop the item with `code`; on a request, tell the manager on the case first.

        `field` names the employment field an EMPLOYMENT_DATA_INVALID decision found.
        """
        message = MESSAGES.get(code, code) + (f" (felt: {field})" if field else "")
        if item.task == "requests":
            text = f"Anmodningen om udbetaling af 6. ferieuge kan ikke behandles automatisk: {message}"
            item.step(f"replied_{code}", lambda: pages.portal.reply(
                item.payload.case_id, text, reference=f"{item.reference}:{code}"))
        raise BusinessError(code, message)


def _facts(found: Employment | None) -> EmploymentFacts | None:
    return EmploymentFacts.read(found) if found is not None else None


def case_fields(case: Any) -> dict[str, Any]:
    """A Serviceportalen case as the rules' case fields (`fields` plus the case's own ids)."""
    fields = dict(getattr(case, "fields", None) or {})
    for key in ("case_id", "employment_id"):
        if fields.get(key) is None and getattr(case, key, None) is not None:
            fields[key] = getattr(case, key)
    return fields


def make_bot(pages: Pages = BrowserPages) -> Bot:
    """The bot over these page objects (the deployed `bot` uses the browser's)."""
    work = SixthHolidayWeek(pages)
    retry = RetryPolicy(max_attempts=3, initial_interval_s=30, max_interval_s=600)
    return Bot(
        name="sixth_holiday_week",
        version="1.0.0",
        description="Udbetaling af 6. ferieuge: on the employee's request and at termination.",
        owner="Koncernservice, Løn & Personale",
        settings=Settings,
        decide=rules.decide,
        on_resolved=work.resolved,
        on_rejected=work.rejected,
        minutes_per_item=12.0,
        tasks=[
            Task("requests", PayoutRequest, work.process_request, collect=work.collect_requests,
                 retry=retry, browser=True,
                 description="Serviceportalen cases holiday6_payout_request, one item per case"),
            Task("termination_sweep", TerminationPayout, work.process_termination,
                 collect=work.collect_terminations, retry=retry, browser=True,
                 description="monthly-paid employments ending in this or the next payroll period"),
        ],
    )


bot = make_bot()
