"""Digital Post: PDF letters to the person of an employment; the outbox."""

from __future__ import annotations

from systems.base import PageObject, receipt_of
from systems.models import Receipt, SentLetter


class DigitalPost(PageObject):
    """The outbox of letters to employees."""

    system = "digitalpost"

    def letters(self, employment_id: str | None = None) -> list[SentLetter]:
        rows = self.all_rows(self.path("outbox", q=employment_id), "outbox", "letters", page_id="outbox")
        return [SentLetter.model_validate(row) for row in rows
                if employment_id is None or row["employment_id"] == employment_id]

    def send(self, employment_id: str, *, subject: str, pdf: bytes, reference: str) -> Receipt:
        """Send a letter; `FormRefused` when refused, e.g. the person has no Digital Post."""
        step = "send"

        def find() -> str | None:
            self.goto(self.path("outbox", q=reference), step, page_id="outbox")
            return receipt_of(self.rows("outbox", step), reference, employment_id=employment_id)

        def act() -> str:
            self.goto(self.path("send"), step, page_id="send")
            fields = {"employment_id": employment_id, "subject": subject, "reference": reference}
            return self.submit_form("send-form", fields, step, {"file": (f"{reference}.pdf", pdf)})

        return self.write(step, reference, find, act)
