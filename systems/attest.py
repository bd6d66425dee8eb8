"""Attestpostkasse: incoming børneattester and straffeattester; moving them to "Behandlet"."""

from __future__ import annotations

from systems.base import FormRefused, PageObject
from systems.models import AttestMessage, Receipt

PROCESSED = "Behandlet"
PDF_MAGIC = b"%PDF-"


class Attest(PageObject):
    """The certificate mailbox."""

    system = "attest"

    def inbox(self, folder: str = "Indbakke") -> list[AttestMessage]:
        """The messages in `folder` ("Indbakke", "Behandlet" or "alle")."""
        rows = self.all_rows(self.path("inbox", folder=folder), "messages", "inbox", page_id="inbox")
        return [AttestMessage.model_validate(row) for row in rows]

    def document(self, message_id: str) -> bytes:
        """The message's PDF (a scan may take a moment the first time)."""
        self._open(message_id, "document")
        return self.download("document", "download-pdf", PDF_MAGIC)

    def move_to_processed(self, message_id: str, reference: str) -> Receipt:
        """Move to "Behandlet"; `FormRefused` when someone else already moved it."""
        step = "move_to_processed"

        def find() -> str | None:
            self._open(message_id, step)
            values = self.values("message-details", step)
            if values.get("folder") != PROCESSED:
                return None
            if values.get("reference") != reference:
                raise FormRefused([f"already in {PROCESSED} (reference {values.get('reference')})"],
                                  system=self.system, step=step)
            return f"AP-{message_id}"

        fields = {"reference": reference}
        return self.write(step, reference, find, lambda: self.submit_form("move-form", fields, step))

    def _open(self, message_id: str, step: str) -> None:
        if not self.goto(self.path("messages", message_id), step, page_id="message"):
            raise self.fail(step, f"message {message_id} not found")
