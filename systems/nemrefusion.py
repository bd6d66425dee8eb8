"""NemRefusion: reports and refund claims for absences; receipts and decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from systems.base import PageObject, receipt_of
from systems.models import Receipt, RefundDecision, Submission


class NemRefusion(PageObject):
    """The employer refund portal."""

    system = "nemrefusion"

    def submissions(self) -> list[Submission]:
        rows = self.all_rows(self.path("submissions"), "submissions", "submissions", page_id="submissions")
        return [Submission.model_validate(row) for row in rows]

    def decisions(self) -> list[RefundDecision]:
        rows = self.all_rows(self.path("decisions"), "decisions", "decisions", page_id="decisions")
        return [RefundDecision.model_validate(row) for row in rows if row.get("decision")]

    def submit(self, absence_id: str, *, kind: str, authority: str, claim_from: date | None,
               claim_to: date | None, hours: Decimal | float | None, max_refund: Decimal | float | None,
               reference: str) -> Receipt:
        """Submit a report (`kind="report"`, no period) or a claim; one per reference and kind."""
        step = "submit"
        fields = {"absence_id": absence_id, "kind": kind, "authority": authority,
                  "claim_from": claim_from, "claim_to": claim_to, "hours": hours,
                  "max_refund": max_refund, "reference": reference}

        def find() -> str | None:
            self.goto(self.path("submissions", q=reference), step, page_id="submissions")
            return receipt_of(self.rows("submissions", step), reference, kind=kind, absence_id=absence_id)

        def act() -> str:
            self.goto(self.path("new"), step, page_id="new")
            return self.submit_form("submission-form", fields, step)

        return self.write(step, reference, find, act)
