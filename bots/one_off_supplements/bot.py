"""one_off_supplements: engangsvederlag from single cases and spreadsheet batches.

Pure rules in `rules.py`, the sheet reader in `sheet.py`, the letter in `letters.py`;
this module composes them with the page objects of `systems`. A batch case is read
once (its decision holds the rows), each row is its own `rows` item, and the case is
closed by a `close` item the collector enqueues when every row is terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from hr.calendar import Period
from hr.formatting import format_kr, format_month
from hr.money import round_ore
from hr.pdf import render_letter
from hr.records import Employment, as_json
from runner import Bot, BusinessError, Collector, Item, PersonAction, RetryPolicy, State, Task
from systems import DigitalPost, Edoc, Payroll, PayrollLine, Serviceportal

from . import letters, rules, sheet
from .models import (
    BatchRow,
    CaseFacts,
    ControlFigures,
    EmploymentFacts,
    Outcome,
    RowFacts,
    Settings,
    SheetDecision,
    SingleDecision,
    SupplementCase,
)

OPEN, SOLVED = "Åben", "Løst"
WAGE_TYPE = "Engangsvederlag"
DOC_TYPE = "Engangsvederlag – meddelelse"
TERMINAL = (State.DONE, State.RESOLVED, State.REJECTED)

#: What the manager (and the person handling the item) is told, in plain Danish.
MESSAGES = {
    "EMPLOYMENT_NOT_FOUND": "Vi kan ikke finde ansættelsen {employment_id} i lønsystemet.",
    "AMOUNT_OUT_OF_RANGE": (
        "Beløbet skal være mindst 0,01 kr. (afrundet til øre) og højst {max} for et enkelt engangsvederlag."
    ),
    "REASON_MISSING": "Indberetningen mangler en begrundelse for engangsvederlaget.",
    "PAYROLL_CUTOFF_PASSED": "Fristen for lønkørslen i den ønskede udbetalingsmåned er overskredet.",
    "EMPLOYMENT_INACTIVE": "Medarbejderen er ikke ansat i den måned, beløbet skal udbetales.",
    "AGREEMENT_UNKNOWN": (
        "Det fremgår hverken af sagen eller af overenskomsten, om beløbet er pensionsgivende."
    ),
    "DUPLICATE_REQUEST": "Det samme engangsvederlag er allerede indberettet til lønsystemet.",
    "NO_DIGITAL_POST": (
        "Medarbejderen kan ikke modtage Digital Post; brevet skal printes og sendes med posten."
    ),
    "EMPLOYMENT_DATA_INVALID": (
        "Ansættelsens oplysninger i Lønsystemet kan ikke bruges til udbetalingen ({field}); "
        "Løn & Personale retter dem."
    ),
    "BATCH_FILE_INVALID": "Regnearket kan ikke læses: {detail}. Ret filen og indberet igen.",
    "BATCH_CONTROL_MISMATCH": "Regnearket stemmer ikke med sagens kontroltal: {detail}.",
}


def message(code: str, **facts: Any) -> str:
    """The plain Danish reason for an exception code."""
    return MESSAGES[code].format_map({"employment_id": "", "max": "", "detail": "", "field": "", **facts})


# -- the cases task ---------------------------------------------------------------------------------


def collect_cases(run: Collector) -> None:
    """Open single and batch cases; a `close` item for each open batch whose rows are all terminal."""
    portal = Serviceportal(run.browser, run.system("serviceportal"))
    for summary in portal.cases(type="one_off_supplement", status=OPEN):
        run.enqueue(summary.case_id, SupplementCase(case_id=summary.case_id, kind="single"))
    for summary in portal.cases(type="supplement_batch", status=OPEN):
        run.enqueue(summary.case_id, SupplementCase(case_id=summary.case_id, kind="batch"))
        fields = portal.case(summary.case_id).fields
        closing = batch_summary(
            str(fields.get("batch_id") or summary.case_id),
            fields.get("row_count"),
            _row_states(run, str(fields.get("batch_id") or summary.case_id)),
        )
        if closing:
            run.enqueue(
                f"{summary.case_id}:close",
                SupplementCase(case_id=summary.case_id, kind="close", summary=closing),
            )


def batch_summary(batch_id: str, row_count: Any, states: list[State]) -> str | None:
    """The reply that closes a batch case, or None while a row is not terminal."""
    if not states or len(states) != row_count or any(state not in TERMINAL for state in states):
        return None
    done, by_hand = states.count(State.DONE), states.count(State.RESOLVED)
    return (
        f"Alle {len(states)} rækker i masseindberetningen {batch_id} er behandlet: {done} registreret "
        f"automatisk, {by_hand} behandlet manuelt og {states.count(State.REJECTED)} afvist."
    )


def _row_states(run: Collector, batch_id: str) -> list[State]:
    return [record.state for record in run.items(task="rows", reference_prefix=f"{batch_id}:")]


def process_case(item: Item) -> dict[str, Any]:
    kind = item.payload.kind
    if kind == "batch":
        return process_batch(item)
    if kind == "close":
        return close_batch(item)
    return process_single(item)


def process_single(item: Item) -> dict[str, Any]:
    portal = Serviceportal(item.browser, item.system("serviceportal"))
    payroll = Payroll(item.browser, item.system("payroll"))
    case = portal.case(item.payload.case_id)
    found = _employment(payroll, case.fields.get("employment_id"))
    employment = as_json(found) if found else None
    decision = SingleDecision.model_validate(item.decision(lambda: rules.decide_single(
        _facts(found), CaseFacts.read(case.fields), item.settings)))
    if decision.outcome is Outcome.EXCEPTION:
        stop(item, portal, case.case_id, str(decision.code), _why(decision, case.fields, item.settings))
    assert employment is not None
    reason = str(case.fields.get("reason") or "").strip()
    result = pay_out(item, portal, payroll, case.case_id, employment, reason, decision)
    reply = (
        f"Engangsvederlaget på {format_kr(result['amount'])} til {employment['name']} "
        f"({employment['employment_id']}) er registreret og udbetales med lønnen for "
        f"{format_month(Period.parse(result['period']))}.{_moved_text(decision)} Medarbejderen "
        "har fået besked i Digital Post."
    )
    item.step(
        "case_solved",
        lambda: portal.set_status(case.case_id, SOLVED, reply, reference=item.reference).model_dump(
            mode="json"
        ),
    )
    return result


def process_batch(item: Item) -> dict[str, Any]:
    portal = Serviceportal(item.browser, item.system("serviceportal"))
    case = portal.case(item.payload.case_id)
    batch_id = str(case.fields.get("batch_id") or case.case_id)
    decision = SheetDecision.model_validate(
        item.decision(lambda: read_batch(portal, case.case_id, batch_id, case.submitted_date, case.fields))
    )
    if decision.outcome is Outcome.EXCEPTION:
        code = str(decision.code)
        stop(item, portal, case.case_id, code, message(code, detail=decision.detail or ""))
    new = sum(item.enqueue("rows", f"{batch_id}:{row.row}", row) for row in decision.rows)
    item.log.info("batch_rows_enqueued", batch_id=batch_id, rows=len(decision.rows), new=new)
    return {"outcome": Outcome.BATCH, "batch_id": batch_id, "rows": len(decision.rows)}


def read_batch(
    portal: Serviceportal, case_id: str, batch_id: str, submitted: Any, fields: Mapping[str, Any]
) -> SheetDecision:
    """The batch item's decision: the file and control figures checked, every row as a payload."""
    try:
        lines = rules.read_rows(sheet.read_sheet(portal.attachment(case_id)))
    except rules.BatchFileInvalid as bad:
        return SheetDecision(
            outcome=Outcome.EXCEPTION,
            code="BATCH_FILE_INVALID",
            row=bad.row,
            column=bad.column,
            detail=bad.detail,
        )
    total = format_kr(sum((line.amount for line in lines), Decimal(0)))
    detail = (
        f"regnearket har {len(lines)} rækker og i alt {total}, sagen angiver "
        f"{fields.get('row_count')} rækker og i alt {_kr_or_blank(fields.get('control_total'))}"
    )
    try:
        figures = ControlFigures.read(fields)
        matches = rules.controls_match(lines, figures.need("row_count"), figures.need("control_total"))
    except ValueError:  # missing or unreadable: they do not match, and the detail shows them
        matches = False
    if not matches:
        return SheetDecision(outcome=Outcome.EXCEPTION, code="BATCH_CONTROL_MISMATCH", detail=detail)
    duplicates = rules.duplicate_rows(lines)
    rows = [
        BatchRow(
            case_id=case_id,
            batch_id=batch_id,
            row=line.row,
            employment_id=line.employment_id,
            amount=line.amount,
            reason=line.reason,
            payout_period=str(line.payout_period),
            pensionable=line.pensionable,
            submitted_date=submitted,
            duplicate_of=duplicates.get(line.row),
        )
        for line in lines
    ]
    return SheetDecision(outcome=Outcome.BATCH, rows=rows)


def close_batch(item: Item) -> dict[str, Any]:
    portal = Serviceportal(item.browser, item.system("serviceportal"))
    summary = item.payload.summary or "Alle rækker i masseindberetningen er behandlet."
    item.step(
        "case_solved",
        lambda: portal.set_status(item.payload.case_id, SOLVED, summary, reference=item.reference).model_dump(
            mode="json"
        ),
    )
    return {"outcome": Outcome.CLOSED}


# -- the rows task ------------------------------------------------------------------------------------


def process_row(item: Item) -> dict[str, Any]:
    row: BatchRow = item.payload
    portal = Serviceportal(item.browser, item.system("serviceportal"))
    payroll = Payroll(item.browser, item.system("payroll"))
    found = _employment(payroll, row.employment_id)
    employment = as_json(found) if found else None
    decision = SingleDecision.model_validate(
        item.decision(lambda: rules.decide_row(_facts(found), RowFacts.read(row), item.settings))
    )
    if decision.outcome is Outcome.EXCEPTION:
        why = _why(decision, row.model_dump(), item.settings)
        if row.duplicate_of is not None:
            why += f" (samme som række {row.duplicate_of})"
        stop(
            item,
            portal,
            row.case_id,
            str(decision.code),
            f"Række {row.row} ({row.employment_id}, {format_kr(row.amount)}): {why}",
        )
    assert employment is not None
    return pay_out(item, portal, payroll, row.case_id, employment, row.reason, decision)


# -- shared steps ---------------------------------------------------------------------------------------


def pay_out(
    item: Item,
    portal: Serviceportal,
    payroll: Payroll,
    case_id: str,
    employment: dict[str, Any],
    reason: str,
    decision: SingleDecision,
) -> dict[str, Any]:
    """The checks before writing, then the payroll line, the letter and the journal entry; the result."""
    employment_id = employment["employment_id"]
    amount, period, pension = decision.amount, decision.period, decision.pension_amount
    assert amount is not None and period is not None and pension is not None  # a registration has them
    amount = round_ore(amount)
    if not item.done("line_registered"):
        periods = {period, decision.moved_from}
        if is_duplicate(payroll.lines(employment_id), employment_id, amount, reason, periods, item.reference):
            stop(item, portal, case_id, "DUPLICATE_REQUEST", message("DUPLICATE_REQUEST"))
        if not employment["digital_post"]:
            stop(item, portal, case_id, "NO_DIGITAL_POST", message("NO_DIGITAL_POST"))
    item.step(
        "line_registered",
        lambda: payroll.register_line(
            employment_id,
            wage_type=WAGE_TYPE,
            period=period,
            amount=amount,
            text=reason,
            pensionable=decision.pensionable,
            reference=item.reference,
        ).model_dump(mode="json"),
    )
    letter = letters.supplement_letter(
        employment,
        amount=amount,
        reason=reason,
        period=Period.parse(period),
        pensionable=bool(decision.pensionable),
        pension_amount=pension,
        as_of=item.as_of,
        reference=item.reference,
    )
    pdf = render_letter(letter)
    if not item.done("letter_sent"):
        item.save_artifact("letter", f"{item.reference.replace(':', '_')}.pdf", pdf)
    post = DigitalPost(item.browser, item.system("digitalpost"))
    item.step(
        "letter_sent",
        lambda: post.send(
            employment_id, subject=letter.subject, pdf=pdf, reference=item.reference
        ).model_dump(mode="json"),
    )
    edoc = Edoc(item.browser, item.system("edoc"))
    item.step(
        "journaled",
        lambda: edoc.journal_document(
            employment_id,
            title=letter.subject,
            doc_type=DOC_TYPE,
            access="Almindelig",
            pdf=pdf,
            reference=item.reference,
        ).model_dump(mode="json"),
    )
    return {"outcome": Outcome.REGISTER, "period": period, "amount": float(amount)}


def is_duplicate(
    lines: Iterable[PayrollLine],
    employment_id: str,
    amount: Decimal,
    reason: str,
    periods: set[str | None],
    reference: str,
) -> bool:
    """A line for the same employment, amount, reason and period that another request wrote."""
    return any(
        line.employment_id == employment_id
        and line.wage_type == WAGE_TYPE
        and round_ore(line.amount) == amount
        and (line.text or "").strip() == reason
        and line.period in periods
        and line.reference != reference
        for line in lines
    )


def stop(item: Item, portal: Serviceportal, case_id: str, code: str, text: str) -> None:
    """Tell the manager on the case why it stopped (once per code), then raise the business error."""
    reply = f"Indberetningen kan ikke behandles automatisk: {text} Sagen er sendt til Løn & Personale."
    item.step(
        f"manager_told_{code}",
        lambda: portal.reply(case_id, reply, reference=f"{item.reference}:{code}").model_dump(mode="json"),
    )
    raise BusinessError(code, text)


def _employment(payroll: Payroll, employment_id: Any) -> Employment | None:
    return payroll.employment(str(employment_id)) if employment_id else None


def _facts(found: Employment | None) -> EmploymentFacts | None:
    return EmploymentFacts.read(found) if found is not None else None


def _why(decision: SingleDecision, fields: Mapping[str, Any], settings: Settings) -> str:
    return message(
        str(decision.code),
        employment_id=fields.get("employment_id") or "",
        max=format_kr(settings.max_single_amount),
        field=decision.field or "",
    )


def _moved_text(decision: SingleDecision) -> str:
    if not decision.moved_from:
        return ""
    return (
        f" Indberetningen kom efter fristen for lønnen for "
        f"{format_month(Period.parse(decision.moved_from))}, så beløbet er flyttet."
    )


def _kr_or_blank(value: Any) -> str:
    try:
        return format_kr(value)
    except (TypeError, ValueError, ArithmeticError):
        return "(intet beløb)"


# -- a person's action ---------------------------------------------------------------------------------


def reply_resolved(action: PersonAction) -> None:
    """A person handled the item by hand: close a whole case, or note the row on its batch case."""
    portal = Serviceportal(action.browser, action.system("serviceportal"))
    case_id, row = _case_of(action)
    if row is None:
        text = f"Indberetningen er behandlet manuelt af Løn & Personale. {action.text}".strip()
        portal.set_status(case_id, SOLVED, text, reference=f"{action.reference}:resolved")
    else:
        text = f"Række {row} er behandlet manuelt af Løn & Personale. {action.text}".strip()
        portal.reply(case_id, text, reference=f"{action.reference}:resolved")


def reply_rejected(action: PersonAction) -> None:
    """A person decided the item will not be done: tell the manager why."""
    portal = Serviceportal(action.browser, action.system("serviceportal"))
    case_id, row = _case_of(action)
    what = "Indberetningen" if row is None else f"Række {row}"
    portal.reply(
        case_id,
        f"{what} udbetales ikke. Begrundelse: {action.text}".strip(),
        reference=f"{action.reference}:rejected",
    )


def _case_of(action: PersonAction) -> tuple[str, int | None]:
    payload = action.payload
    if isinstance(payload, BatchRow):
        return payload.case_id, payload.row
    if isinstance(payload, SupplementCase):
        return payload.case_id, None
    return action.reference.split(":")[0], None


RETRY = RetryPolicy(max_attempts=3, initial_interval_s=30, max_interval_s=600)

bot = Bot(
    name="one_off_supplements",
    version="1.0.0",
    description="Registers one-off supplements (engangsvederlag) and writes to each employee.",
    owner="Koncernservice, Løn & Personale (proces: engangsvederlag)",
    settings=Settings,
    decide=rules.decide,
    on_resolved=reply_resolved,
    on_rejected=reply_rejected,
    minutes_per_item=8.0,
    tasks=[
        Task(
            "cases",
            SupplementCase,
            process_case,
            collect=collect_cases,
            browser=True,
            retry=RETRY,
            description="Open supplement cases in Serviceportalen: single, batch, and batch closing",
        ),
        Task(
            "rows",
            BatchRow,
            process_row,
            browser=True,
            retry=RETRY,
            description="One row of a batch case (enqueued by the batch's cases item)",
        ),
    ],
)
