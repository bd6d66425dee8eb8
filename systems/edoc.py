"""eDoc: the personnel file (personalesag) of each employment; documents and notes."""

from __future__ import annotations

from collections.abc import Callable

from systems.base import PageObject, receipt_of
from systems.models import JournalEntry, Receipt


class Edoc(PageObject):
    """The document management system."""

    system = "edoc"

    def entries(self, employment_id: str) -> list[JournalEntry]:
        self._open_file(employment_id, "entries")
        return [JournalEntry.model_validate({**row, "employment_id": employment_id})
                for row in self.rows("entries", "entries")]

    def journal_document(self, employment_id: str, *, title: str, doc_type: str, access: str,
                         pdf: bytes, reference: str) -> Receipt:
        """Journal a PDF; an entry with the same reference, kind and title counts as done."""
        step = "journal_document"
        fields = {"title": title, "doc_type": doc_type, "access": access, "reference": reference}
        files = {"file": (f"{title}.pdf", pdf)}
        return self.write(step, reference, self._finder(employment_id, step, reference, "document", title),
                          lambda: self.submit_form("document-form", fields, step, files))

    def journal_note(self, employment_id: str, *, title: str, text: str, access: str,
                     reference: str) -> Receipt:
        step = "journal_note"
        fields = {"title": title, "text": text, "access": access, "reference": reference}
        return self.write(step, reference, self._finder(employment_id, step, reference, "note", title),
                          lambda: self.submit_form("note-form", fields, step))

    def _finder(self, employment_id: str, step: str, reference: str, kind: str,
                title: str) -> Callable[[], str | None]:
        def find() -> str | None:
            self._open_file(employment_id, step)
            return receipt_of(self.rows("entries", step), reference, kind=kind, title=title)

        return find

    def _open_file(self, employment_id: str, step: str) -> None:
        if not self.goto(self.path("files", employment_id), step, page_id="file"):
            raise self.fail(step, f"personnel file {employment_id} not found")
