"""Serviceportalen: managers' cases, their attachments, replies, status, manager messages."""

from __future__ import annotations

from systems.base import PageObject, receipt_of, typed
from systems.models import Case, CaseSummary, Receipt, Unit

CASE_KEYS = ("case_id", "type", "unit", "status", "submitted_date")
OWN_KEYS = ("case_id", "type", "status")
XLSX_MAGIC = b"PK"


class Serviceportal(PageObject):
    """The managers' self-service portal (SEB)."""

    system = "serviceportal"

    def cases(self, type: str | None = None, status: str | None = None) -> list[CaseSummary]:
        rows = self.all_rows(self.path("cases", type=type, status=status), "cases", "cases",
                             page_id="cases")
        return [CaseSummary.model_validate(row) for row in rows]

    def case(self, case_id: str) -> Case:
        """The case; `fields` holds its rule fields (everything shown but id, type and status)."""
        self._open_case(case_id, "case")
        values = self.values("case-details", "case")
        fields = {key: typed(value) for key, value in values.items() if key not in OWN_KEYS}
        return Case.model_validate({**{key: values.get(key) for key in CASE_KEYS}, "fields": fields})

    def attachment(self, case_id: str) -> bytes:
        """The batch case's attached spreadsheet (.xlsx)."""
        self._open_case(case_id, "attachment")
        return self.download("attachment", "attachment-link", XLSX_MAGIC)

    def reply(self, case_id: str, text: str, reference: str) -> Receipt:
        return self._case_write("reply", case_id, "reply", "reply-form",
                                {"reply": text, "reference": reference}, reference)

    def set_status(self, case_id: str, status: str, reply: str, reference: str) -> Receipt:
        """Set the status (e.g. "Løst") with an optional reply to the manager."""
        return self._case_write("set_status", case_id, "status", "status-form",
                                {"status": status, "reply": reply, "reference": reference}, reference)

    def units(self) -> list[Unit]:
        """Every unit (all pages): administration, manager, and whether it is child-facing."""
        rows = self.all_rows(self.path("units"), "units", "units", page_id="units")
        return [Unit.model_validate(row) for row in rows]

    def message_manager(self, unit: str, subject: str, text: str, reference: str) -> Receipt:
        step = "message_manager"

        def find() -> str | None:
            if not self.goto(self.path("units", unit), step, page_id="unit"):
                raise self.fail(step, f"unit {unit!r} not found")
            return receipt_of(self.rows("messages", step), reference)

        fields = {"subject": subject, "text": text, "reference": reference}
        return self.write(step, reference, find, lambda: self.submit_form("message-form", fields, step))

    def _case_write(self, step: str, case_id: str, kind: str, form: str, fields: dict[str, str],
                    reference: str) -> Receipt:
        def find() -> str | None:
            self._open_case(case_id, step)
            return receipt_of(self.rows("events", step), reference, kind=kind)

        return self.write(step, reference, find, lambda: self.submit_form(form, fields, step))

    def _open_case(self, case_id: str, step: str) -> None:
        if not self.goto(self.path("cases", case_id), step, page_id="case"):
            raise self.fail(step, f"case {case_id} not found")
