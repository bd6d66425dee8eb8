"""document_journaling: certificates from the Attestpostkasse journaled in the personalesag.

`mail` reads each message's PDF (text layer or OCR), decides once (rules.py), then
journals the certificate or a note, tells the hiring manager about refused consent,
and moves the message to "Behandlet". A certificate with records goes to a person with
the attest-reader role, restricted before the exception is raised; so does one whose
text layer says other than its page shows (`DOC_LAYERS_DISAGREE`). `missing_certificates`
reminds the managers of child-facing hires whose personalesag holds no certificate.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bots.document_journaling import lookups, rules
from bots.document_journaling.models import (
    AttestMail,
    EmploymentFacts,
    MailDecision,
    MissingCertificate,
    Outcome,
    Settings,
)
from hr.cpr import normalise_cpr
from hr.documents import parse_certificate
from hr.formatting import format_date_long
from runner import Bot, BusinessError, Collector, Item, RetryPolicy, Task
from systems import Attest, Edoc, Payroll, Serviceportal

DOC_TYPE, ACCESS = "Attest", "Fortrolig"
ATTEST_READER = "attest_reader"

# What the person who handles the exception is told: never the records, never a full CPR.
EXCEPTION_TEXT = {
    "DOC_UNPARSEABLE": "Attesten kan ikke læses (ulæselig eller for stor PDF, ingen navn/CPR, flere "
                       "personer, eller OCR nåede ikke at læse den).",
    "DOC_UNKNOWN_KIND": "Dokumentet er ikke en børneattest, straffeattest eller samtykkemeddelelse.",
    "CPR_MALFORMED": "CPR-nummeret på attesten har ikke 10 cifre.",
    "CPR_INVALID_DATE": "CPR-nummeret på attesten har ingen gyldig fødselsdato.",
    "CPR_SUBSTITUTE": "Attesten har et erstatningspersonnummer.",
    "CPR_CHECK_MANUAL": "CPR-nummeret består ikke modulus 11-kontrollen og skal tjekkes.",
    "EMPLOYEE_NOT_FOUND": "Ingen aktuel eller kommende ansættelse har attestens CPR-nummer.",
    "IDENTITY_MISMATCH": "Navnet på attesten svarer ikke til ansættelsens navn.",
    "MULTIPLE_EMPLOYMENTS": "Personen har flere ansættelser; vælg personalesagen.",
    "ATTEST_HAS_ENTRIES": "Attesten indeholder oplysninger og skal vurderes af en attestlæser.",
    "DOC_LAYERS_DISAGREE": "Attestens tekstlag siger noget andet end det, siden viser; en attestlæser "
                           "skal læse den.",
    "DOC_TOO_LONG": "Dokumentet har flere sider, end en attest har.",
}
# A person who opens these may see records: only the attest reader may see the item.
RESTRICTED_CODES = frozenset({"ATTEST_HAS_ENTRIES", "DOC_LAYERS_DISAGREE"})


# -- mail ----------------------------------------------------------------------------------------


def collect_mail(run: Collector) -> None:
    for message in Attest(run.browser, run.system("attest")).inbox():
        run.enqueue(message.message_id, AttestMail(message_id=message.message_id,
                                                   received_date=message.received_date))


def decide_mail(item: Item, attest: Attest, payroll: Payroll) -> MailDecision:
    """The rules' decision, plus the employment's unit (who to tell when consent is refused)."""
    settings: Settings = item.settings
    document = rules.read_document(attest.document(item.payload.message_id), settings)
    digits = _cpr_digits(document.text) if document.readable else None
    employments = lookups.employments_with_cpr(payroll, digits) if digits else []
    decision = rules.decide_certificate(document, [EmploymentFacts.read(e) for e in employments],
                                        received_date=item.payload.received_date, as_of=item.as_of,
                                        settings=settings)
    units: dict[str | None, str] = {e.employment_id: e.unit for e in employments}
    return MailDecision(**dict(decision), unit=units.get(decision.employment_id))


def process_mail(item: Item) -> dict[str, Any]:
    attest = Attest(item.browser, item.system("attest"))
    decision = MailDecision.model_validate(item.decision(
        lambda: decide_mail(item, attest, Payroll(item.browser, item.system("payroll")))))
    if decision.outcome is Outcome.EXCEPTION:
        _stop(item, decision)
    edoc = Edoc(item.browser, item.system("edoc"))
    employment_id, title = decision.employment_id, decision.title
    assert employment_id is not None and title is not None  # a decision to write names both
    if decision.outcome is Outcome.JOURNAL:
        item.step("journaled", lambda: edoc.journal_document(
            employment_id, title=title, doc_type=DOC_TYPE, access=ACCESS,
            pdf=attest.document(item.payload.message_id), reference=item.reference).model_dump())
    elif decision.outcome is Outcome.NOTE:
        item.step("noted", lambda: _note(edoc, employment_id, title, item.reference))
    else:  # Outcome.NOTIFY_CONSENT_REFUSED
        unit = decision.unit
        assert unit is not None  # the employment's, read with it
        portal = Serviceportal(item.browser, item.system("serviceportal"))
        item.step("manager_told", lambda: portal.message_manager(
            unit, "Manglende samtykke til attest", _consent_text(employment_id),
            reference=item.reference).model_dump())
        item.step("noted", lambda: _note(edoc, employment_id, title, item.reference))
    item.step("moved", lambda: attest.move_to_processed(item.payload.message_id,
                                                        reference=item.reference).model_dump())
    return {"outcome": decision.outcome, "employment_id": employment_id, "kind": decision.kind,
            "title": title}


def _stop(item: Item, decision: MailDecision) -> None:
    code = str(decision.code)
    if code in RESTRICTED_CODES:
        item.restrict_to(ATTEST_READER)  # before the exception is visible to anyone
    where = f" ({decision.employment_id})" if decision.employment_id else ""
    cpr = f", CPR {decision.cpr_masked}" if decision.cpr_masked else ""
    raise BusinessError(code, f"{EXCEPTION_TEXT.get(code, code)} Besked {item.reference}{where}{cpr}.")


def _note(edoc: Edoc, employment_id: str, title: str, reference: str) -> dict[str, Any]:
    return edoc.journal_note(employment_id, title=title, text=title, access=ACCESS,
                             reference=reference).model_dump()


def _consent_text(employment_id: str) -> str:
    return (f"Medarbejderen i ansættelse {employment_id} har ikke givet samtykke til indhentning af "
            "attest inden for fristen på 14 dage og kan ikke starte i en stilling med kontakt til børn.")


def _cpr_digits(text: str) -> str | None:
    cpr_text = parse_certificate(text).cpr_text
    try:
        return normalise_cpr(cpr_text) if cpr_text else None
    except ValueError:
        return None


# -- missing_certificates -----------------------------------------------------------------------


def collect_missing(run: Collector) -> None:
    """Child-facing hires starting within `missing_certificate_days` with no certificate filed."""
    settings: Settings = run.settings
    portal = Serviceportal(run.browser, run.system("serviceportal"))
    payroll = Payroll(run.browser, run.system("payroll"))
    edoc = Edoc(run.browser, run.system("edoc"))
    units = lookups.child_facing_units(portal)
    last_start = run.as_of + timedelta(days=settings.missing_certificate_days)
    for employment in lookups.starting_between(payroll, run.as_of, last_start):
        if (employment.unit not in units or not run.as_of <= employment.start_date <= last_start
                or (employment.end_date and employment.end_date < run.as_of)):
            continue
        if not lookups.has_certificate(edoc, employment.employment_id):
            run.enqueue(f"{employment.employment_id}:missing_certificate", MissingCertificate(
                employment_id=employment.employment_id, unit=employment.unit, name=employment.name,
                start_date=employment.start_date))


def process_missing(item: Item) -> dict[str, Any]:
    payload: MissingCertificate = item.payload
    if not item.done("manager_told") and lookups.has_certificate(
            Edoc(item.browser, item.system("edoc")), payload.employment_id):
        return {"outcome": Outcome.NONE, "reason": "certificate_filed"}
    portal = Serviceportal(item.browser, item.system("serviceportal"))
    text = (f"Der er endnu ikke modtaget børneattest for {payload.name} (ansættelse "
            f"{payload.employment_id}), som starter {format_date_long(payload.start_date)}. "
            "Medarbejderen må ikke starte, før attesten er modtaget.")
    item.step("manager_told", lambda: portal.message_manager(
        payload.unit, "Børneattest mangler", text, reference=item.reference).model_dump())
    return {"outcome": Outcome.MANAGER_TOLD, "employment_id": payload.employment_id}


bot = Bot(
    name="document_journaling",
    version="1.0.0",
    description="Journals børneattester and straffeattester from the Attestpostkasse in the personalesag.",
    owner="HR Koncernservice",
    settings=Settings,
    decide=rules.decide,
    minutes_per_item=4.0,
    roles=(ATTEST_READER,),
    tasks=[
        Task("mail", AttestMail, process_mail, collect=collect_mail, browser=True, lease_s=600,
             retry=RetryPolicy(max_attempts=3, initial_interval_s=30, max_interval_s=600),
             description="Attestpostkasse: read, decide, journal, move to Behandlet"),
        Task("missing_certificates", MissingCertificate, process_missing, collect=collect_missing,
             browser=True, retry=RetryPolicy(max_attempts=3, initial_interval_s=30, max_interval_s=600),
             description="remind managers of child-facing hires with no certificate filed"),
    ],
)
