"""In-memory page objects with the API of docs/systems-api.md, for the bot's fast tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from systems.models import Absence, Employment, Receipt, RefundDecision, Submission


@dataclass
class World:
    """The systems' state, shared by every item's pages; writes verify their reference first."""

    employments: dict[str, Employment] = field(default_factory=dict)
    absences: dict[str, Absence] = field(default_factory=dict)
    decisions: list[RefundDecision] = field(default_factory=list)
    writes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def write(self, kind: str, reference: str, record: dict[str, Any]) -> Receipt:
        done = self.writes.setdefault(kind, [])
        for i, earlier in enumerate(done):
            if earlier["reference"] == reference:
                return Receipt(receipt_id=f"{kind}-{i + 1}", reference=reference, already_done=True)
        done.append({**record, "reference": reference})
        return Receipt(receipt_id=f"{kind}-{len(done)}", reference=reference)

    def pages(self, ctx: Any) -> Pages:
        return Pages(self)


@dataclass
class Pages:
    world: World

    @property
    def payroll(self) -> Payroll:
        return Payroll(self.world)

    @property
    def portal(self) -> Portal:
        return Portal(self.world)

    @property
    def refusion(self) -> Refusion:
        return Refusion(self.world)


@dataclass
class Payroll:
    world: World

    def employment(self, employment_id: str) -> Employment | None:
        return self.world.employments.get(employment_id)

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

    def message_manager(self, unit: str, subject: str, text: str, reference: str) -> Receipt:
        return self.world.write("manager_messages", reference,
                                {"unit": unit, "subject": subject, "text": text})


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
