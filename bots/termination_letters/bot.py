"""termination_letters: resignation confirmations (monthly-paid) and ending unpaid hourly staff.

Pure rules in `rules.py`, letters in `letters.py`; this module composes them with the
page objects of `systems` (decision first, then one checkpointed step per write).
"""

from __future__ import annotations

from typing import Any

from hr.formatting import format_date_long
from hr.pdf import render_letter
from hr.records import Employment, as_json
from runner import Bot, BusinessError, Collector, Item, PersonAction, RetryPolicy, Task
from systems import DigitalPost, Edoc, Payroll, Serviceportal

from . import letters, rules
from .models import (
    CaseFacts,
    EmploymentFacts,
    HourlyDecision,
    HourlyEmployment,
    Outcome,
    ResignationCase,
    ResignationDecision,
    Settings,
)

OPEN, SOLVED = "Åben", "Løst"
DOC_TYPE_RESIGNATION = "Opsigelse – bekræftelse"
DOC_TYPE_HOURLY = "Fratrædelse – timelønnet"

#: What the manager (and the person handling the item) is told, in plain Danish.
MESSAGES = {
    "EMPLOYMENT_NOT_FOUND": "Vi kan ikke finde ansættelsen {employment_id} i lønsystemet.",
    "NOT_MONTHLY_PAID": "Medarbejderen er timelønnet; opsigelsen behandles ikke som en månedslønnets.",
    "RECEIVED_DATE_MISSING": "Sagen mangler datoen, hvor opsigelsen blev modtaget.",
    "EMPLOYMENT_INACTIVE": (
        "Ansættelsen er allerede ophørt eller var ikke aktiv, da opsigelsen blev modtaget."
    ),
    "TJENESTEMAND_REVIEW": (
        "Medarbejderen er tjenestemand; opsigelsen behandles af en medarbejder i Løn & Personale."
    ),
    "NO_DIGITAL_POST": (
        "Medarbejderen kan ikke modtage Digital Post; brevet skal printes og sendes med posten."
    ),
    "REQUESTED_BEFORE_RECEIPT": "Den ønskede sidste dag ligger før den dag, opsigelsen blev modtaget.",
    "EARLIER_THAN_NOTICE": (
        "Den ønskede sidste dag er før opsigelsesvarslet udløber ({earliest}), og sagen "
        "siger ikke, at en tidligere fratræden er aftalt."
    ),
    "NEVER_PAID": "Den timelønnede ansættelse er aldrig blevet lønnet; en medarbejder skal vurdere den.",
}


def message(code: str, **facts: Any) -> str:
    """The plain Danish reason for an exception code."""
    return MESSAGES[code].format_map({"employment_id": "", "earliest": "", **facts})


# -- resignations --------------------------------------------------------------------------------


def collect_resignations(run: Collector) -> None:
    """Every open resignation case in Serviceportalen."""
    portal = Serviceportal(run.browser, run.system("serviceportal"))
    for case in portal.cases(type="resignation", status=OPEN):
        run.enqueue(case.case_id, ResignationCase(case_id=case.case_id))


def process_resignation(item: Item) -> dict[str, Any]:
    portal = Serviceportal(item.browser, item.system("serviceportal"))
    payroll = Payroll(item.browser, item.system("payroll"))
    case = portal.case(item.payload.case_id)
    employment_id = str(case.fields.get("employment_id") or "")
    found = payroll.employment(employment_id) if employment_id else None
    employment = as_json(found) if found else None
    decision = ResignationDecision.model_validate(item.decision(lambda: rules.decide_resignation(
        _facts(found), CaseFacts.read(case.fields), item.settings)))
    if decision.outcome is Outcome.EXCEPTION:
        earliest = _earliest_text(employment, case.fields, item.settings)
        code = str(decision.code)
        stop(item, portal, case.case_id, code, message(code, employment_id=employment_id, earliest=earliest))
    assert employment is not None and decision.last_day is not None
    last_day = decision.last_day
    received = CaseFacts.read(case.fields).received_date
    assert received is not None
    item.step(
        "end_date_registered",
        lambda: payroll.register_end_date(employment_id, last_day, reference=item.reference).model_dump(
            mode="json"
        ),
    )
    letter = letters.resignation_letter(
        employment,
        received=received,
        last_day=last_day,
        basis=str(decision.basis),
        as_of=item.as_of,
        reference=item.reference,
    )
    send_and_journal(item, employment_id, render_letter(letter), letter.subject, DOC_TYPE_RESIGNATION)
    reply = (
        f"Opsigelsen fra {employment['name']} ({employment_id}) er registreret. Sidste "
        f"ansættelsesdag er {format_date_long(last_day)}. Medarbejderen har fået en bekræftelse "
        "i Digital Post."
    )
    item.step(
        "case_solved",
        lambda: portal.set_status(case.case_id, SOLVED, reply, reference=item.reference).model_dump(
            mode="json"
        ),
    )
    return {"outcome": Outcome.LETTER, "last_day": last_day.isoformat(), "basis": decision.basis}


def _facts(found: Employment | None) -> EmploymentFacts | None:
    return EmploymentFacts.read(found) if found is not None else None


def _earliest_text(employment: dict[str, Any] | None, fields: dict[str, Any], settings: Settings) -> str:
    received = CaseFacts.read(fields).received_date
    if employment is None or received is None:
        return ""
    facts = EmploymentFacts.read(employment)
    return format_date_long(rules.earliest_last_day(facts, received, settings)[0])


# -- hourly sweep ---------------------------------------------------------------------------------


def collect_hourly(run: Collector) -> None:
    """Hourly-paid employments to end (or to show a person); the rest are not enqueued."""
    payroll = Payroll(run.browser, run.system("payroll"))
    for employment in payroll.employments(pay="hourly"):
        decision = rules.decide_hourly(EmploymentFacts.read(employment), run.as_of, run.settings)
        if decision.outcome in (Outcome.TERMINATE, Outcome.EXCEPTION):
            last_paid = employment.last_paid_date.isoformat() if employment.last_paid_date else ""
            reference = f"{employment.employment_id}:{last_paid}"
            run.enqueue(reference, HourlyEmployment(employment_id=employment.employment_id))


def process_hourly(item: Item) -> dict[str, Any]:
    payroll = Payroll(item.browser, item.system("payroll"))
    found = payroll.employment(item.payload.employment_id)
    employment = as_json(found) if found else None
    decision = HourlyDecision.model_validate(
        item.decision(lambda: rules.decide_hourly(_facts(found), item.as_of, item.settings)))
    if decision.outcome is Outcome.SKIP:
        return {"outcome": Outcome.SKIP, "reason": decision.reason}
    if decision.outcome is Outcome.EXCEPTION:
        code = str(decision.code)
        raise BusinessError(code, message(code, employment_id=item.payload.employment_id))
    assert employment is not None and decision.last_day is not None
    if not employment["digital_post"] and not item.done("letter_sent"):
        raise BusinessError("NO_DIGITAL_POST", message("NO_DIGITAL_POST"))
    last_day = decision.last_day
    employment_id = employment["employment_id"]
    item.step(
        "end_date_registered",
        lambda: payroll.register_end_date(employment_id, last_day, reference=item.reference).model_dump(
            mode="json"
        ),
    )
    letter = letters.hourly_letter(employment, last_day=last_day, as_of=item.as_of, reference=item.reference)
    send_and_journal(item, employment_id, render_letter(letter), letter.subject, DOC_TYPE_HOURLY)
    return {"outcome": Outcome.TERMINATE, "last_day": last_day.isoformat()}


# -- shared steps ---------------------------------------------------------------------------------


def send_and_journal(item: Item, employment_id: str, pdf: bytes, subject: str, doc_type: str) -> None:
    """Keep the letter with the item, send it by Digital Post, journal it in the personnel file."""
    if not item.done("letter_sent"):
        item.save_artifact("letter", f"{item.reference.replace(':', '_')}.pdf", pdf)
    post = DigitalPost(item.browser, item.system("digitalpost"))
    item.step(
        "letter_sent",
        lambda: post.send(employment_id, subject=subject, pdf=pdf, reference=item.reference).model_dump(
            mode="json"
        ),
    )
    edoc = Edoc(item.browser, item.system("edoc"))
    item.step(
        "journaled",
        lambda: edoc.journal_document(
            employment_id,
            title=subject,
            doc_type=doc_type,
            access="Almindelig",
            pdf=pdf,
            reference=item.reference,
        ).model_dump(mode="json"),
    )


def stop(item: Item, portal: Serviceportal, case_id: str, code: str, text: str) -> None:
    """Tell the manager on the case why it stopped (once per code), then raise the business error."""
    reply = f"Sagen kan ikke behandles automatisk: {text} Sagen er sendt til Løn & Personale."
    item.step(
        f"manager_told_{code}",
        lambda: portal.reply(case_id, reply, reference=f"{item.reference}:{code}").model_dump(mode="json"),
    )
    raise BusinessError(code, text)


def reply_resolved(action: PersonAction) -> None:
    """A person handled a resignation by hand: close the case with their note."""
    if action.record.task != "resignations":
        return
    portal = Serviceportal(action.browser, action.system("serviceportal"))
    text = f"Opsigelsen er behandlet manuelt af Løn & Personale. {action.text}".strip()
    portal.set_status(action.reference, SOLVED, text, reference=f"{action.reference}:resolved")


def reply_rejected(action: PersonAction) -> None:
    """A person decided a resignation will not be processed: tell the manager why."""
    if action.record.task != "resignations":
        return
    portal = Serviceportal(action.browser, action.system("serviceportal"))
    text = f"Opsigelsen behandles ikke af Løn & Personale. Begrundelse: {action.text}".strip()
    portal.reply(action.reference, text, reference=f"{action.reference}:rejected")


RETRY = RetryPolicy(max_attempts=3, initial_interval_s=30, max_interval_s=600)

bot = Bot(
    name="termination_letters",
    version="1.0.0",
    description="Confirms monthly-paid resignations and ends hourly-paid employments without pay.",
    owner="Koncernservice, Løn & Personale (proces: fratrædelser)",
    settings=Settings,
    decide=rules.decide,
    on_resolved=reply_resolved,
    on_rejected=reply_rejected,
    minutes_per_item=12.0,
    tasks=[
        Task(
            "resignations",
            ResignationCase,
            process_resignation,
            collect=collect_resignations,
            browser=True,
            retry=RETRY,
            description="Open resignation cases in Serviceportalen",
        ),
        Task(
            "hourly_sweep",
            HourlyEmployment,
            process_hourly,
            collect=collect_hourly,
            browser=True,
            retry=RETRY,
            description="Hourly-paid staff without pay for the set months",
        ),
    ],
)
