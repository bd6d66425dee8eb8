"""In-memory page objects with the API of docs/systems-api.md, for the bots' fast tests.

Every write verifies before it acts (an earlier write with the reference returns its
receipt with `already_done=True`), like the real page objects. Also the employment of the
rules' examples, as `rpa decide` reads it (`example_employment`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from hr.pdf import extract_text
from systems.models import Absence, Case, CaseSummary, Employment, Receipt, RefundDecision, Submission


@dataclass
class World:
    """The systems' state, shared by every item's pages."""

    employments: dict[str, Employment] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    absences: dict[str, Absence] = field(default_factory=dict)
    decisions: list[RefundDecision] = field(default_factory=list)
    writes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fail_once: set[str] = field(default_factory=set)  # write kinds that crash after writing once

    def write(self, kind: str, reference: str, record: dict[str, Any],
              then: Callable[[], None] = lambda: None) -> Receipt:
        done = self.writes.setdefault(kind, [])
        for i, earlier in enumerate(done):
            if earlier["reference"] == reference:
                return Receipt(receipt_id=f"{kind}-{i + 1}", reference=reference, already_done=True)
        done.append({**record, "reference": reference})
        then()
        if kind in self.fail_once:
            self.fail_once.discard(kind)
            raise RuntimeError(f"{kind}: connection reset after the write")
        return Receipt(receipt_id=f"{kind}-{len(done)}", reference=reference)

    def pages(self, ctx: Any) -> Pages:
        return Pages(self)


class Pages:
    """`pages.payroll`, `pages.portal`, ... over one world, as `systems.pages.BrowserPages` over a browser."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.payroll = Payroll(world)
        self.portal = Portal(world)
        self.post = Post(world)
        self.edoc = Edoc(world)
        self.refusion = Refusion(world)


@dataclass
class Payroll:
    world: World

    def employment(self, employment_id: str) -> Employment | None:
        return self.world.employments.get(employment_id)

    def employments(self, pay: str | None = None, end_from: date | None = None,
                    end_to: date | None = None) -> list[Employment]:
        return [e for e in self.world.employments.values()
                if (pay is None or e.pay == pay)
                and (end_from is None or (e.end_date is not None and e.end_date >= end_from))
                and (end_to is None or (e.end_date is not None and e.end_date <= end_to))]

    def register_line(self, employment_id: str, *, wage_type: str, period: str, amount: Decimal,
                      hours: Decimal | None = None, earning_year: int | None = None, text: str = "",
                      pensionable: bool | None = None, reference: str) -> Receipt:
        assert isinstance(amount, Decimal)

        def raise_paid_hours() -> None:
            emp = self.world.employments[employment_id]
            balances = [b.model_copy(update={"paid_hours": b.paid_hours + (hours or 0)})
                        if b.earning_year == earning_year else b for b in emp.holiday6]
            self.world.employments[employment_id] = emp.model_copy(update={"holiday6": balances})

        return self.world.write("payroll_lines", reference, {
            "employment_id": employment_id, "wage_type": wage_type, "period": period,
            "amount": amount, "hours": hours, "earning_year": earning_year}, raise_paid_hours)

    def absences(self, employment_id: str | None = None) -> list[Absence]:
        return list(self.world.absences.values())

    def absence(self, absence_id: str) -> Absence | None:
        return self.world.absences.get(absence_id)

    def update_absence(self, absence_id: str, *, reported_date: date | None = None,
                       claimed_until: date | None = None, reference: str) -> Receipt:
        absence = self.world.absences[absence_id]
        if absence.reference == reference:  # like Lønsystem: only the last update's reference shows
            return Receipt(receipt_id=f"FA-{absence_id}", reference=reference, already_done=True)
        changes: dict[str, Any] = {"reference": reference}
        changes |= {"reported_date": reported_date} if reported_date else {}
        changes |= {"claimed_until": claimed_until} if claimed_until else {}
        self.world.absences[absence_id] = absence.model_copy(update=changes)
        self.world.writes.setdefault("absence_updates", []).append({"absence_id": absence_id, **changes})
        return Receipt(receipt_id=f"FA-{absence_id}", reference=reference)


@dataclass
class Portal:
    world: World

    def cases(self, type: str | None = None, status: str | None = None) -> list[CaseSummary]:
        return [CaseSummary(case_id=c.case_id, type=c.type, unit=c.unit, status=c.status,
                            submitted_date=c.submitted_date,
                            employment_id=c.fields.get("employment_id"))
                for c in self.world.cases.values()
                if (type is None or c.type == type) and (status is None or c.status == status)]

    def case(self, case_id: str) -> Case:
        return self.world.cases[case_id]

    def reply(self, case_id: str, text: str, reference: str) -> Receipt:
        return self.world.write("replies", reference, {"case_id": case_id, "text": text})

    def set_status(self, case_id: str, status: str, reply: str, reference: str) -> Receipt:
        def update() -> None:
            self.world.cases[case_id] = self.world.cases[case_id].model_copy(update={"status": status})

        return self.world.write("statuses", reference,
                                {"case_id": case_id, "status": status, "reply": reply}, update)

    def message_manager(self, unit: str, subject: str, text: str, reference: str) -> Receipt:
        return self.world.write("manager_messages", reference,
                                {"unit": unit, "subject": subject, "text": text})


@dataclass
class Post:
    world: World

    def send(self, employment_id: str, *, subject: str, pdf: bytes, reference: str) -> Receipt:
        if not self.world.employments[employment_id].digital_post:
            raise AssertionError("sent to someone without Digital Post")
        return self.world.write("letters", reference, {
            "employment_id": employment_id, "subject": subject, "text": extract_text(pdf)})


@dataclass
class Edoc:
    world: World

    def journal_document(self, employment_id: str, *, title: str, doc_type: str, access: str,
                         pdf: bytes, reference: str) -> Receipt:
        assert pdf.startswith(b"%PDF")
        return self.world.write("journal", reference, {
            "employment_id": employment_id, "title": title, "doc_type": doc_type, "access": access})


@dataclass
class Refusion:
    world: World

    def submit(self, absence_id: str, *, kind: str, authority: str, claim_from: date | None,
               claim_to: date | None, hours: Decimal | None, max_refund: Decimal | None,
               reference: str) -> Receipt:
        return self.world.write("submissions", reference, {
            "absence_id": absence_id, "kind": kind, "authority": authority, "claim_from": claim_from,
            "claim_to": claim_to, "hours": hours, "max_refund": max_refund})

    def submissions(self) -> list[Submission]:
        done = self.world.writes.get("submissions", [])
        return [Submission(receipt_id=f"S{i}", **s) for i, s in enumerate(done)]

    def decisions(self) -> list[RefundDecision]:
        return list(self.world.decisions)


def example_employment(**changes: Any) -> dict[str, Any]:
    """Mette Nielsen's monthly-paid employment of the rules' examples, as JSON, with `changes`."""
    return {
        "employment_id": "E100234",
        "cpr": "0707614285",
        "name": "Mette Nielsen",
        "position": "Pædagog",
        "unit": "Børnehuset Solsikken",
        "administration": "BUF",
        "category": "overenskomstansat",
        "pay": "monthly",
        "start_date": "2019-08-01",
        "probation_end": None,
        "end_date": None,
        "weekly_hours": 37,
        "monthly_salary": 32000.0,
        "hourly_rate": None,
        "agreement": "KL-PAED",
        "pension_pct": 18.07,
        "last_paid_date": None,
        "holiday6": [],
        "digital_post": True,
        **changes,
    }
