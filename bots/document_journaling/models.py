"""The bot's settings (the defaults are the municipality's rules), task payloads and decisions."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hr.cpr import DEFAULT_EXEMPT_BIRTH_DATES
from hr.decisions import Decision, Facts
from hr.doc_fields import DEFAULT_CLEAN_PHRASES
from hr.documents import TextSource


class Settings(BaseModel):
    """Every value a municipality may set differently; a typo in orchestrator.yaml is an error."""

    model_config = ConfigDict(extra="forbid")

    storage_policy: Literal["journalize_document", "note_only"] = "journalize_document"
    clean_phrases: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CLEAN_PHRASES))
    ocr_language: str = "dan"
    ocr_dpi: int = Field(300, ge=100, le=600)
    ocr_page_timeout_s: float = Field(30, gt=0)
    ocr_document_timeout_s: float = Field(60, gt=0, le=3600)
    max_pages: int = Field(5, ge=1, le=100)
    min_text_chars: int = Field(40, ge=0)
    missing_certificate_days: int = Field(10, ge=0)
    cpr_exempt_birth_dates: list[date] = Field(
        default_factory=lambda: sorted(DEFAULT_EXEMPT_BIRTH_DATES))


class AttestMail(BaseModel):
    """A `mail` item: one message in the Attestpostkasse."""

    model_config = ConfigDict(extra="forbid")

    message_id: str = Field(min_length=1, title="Besked-id")
    received_date: date = Field(title="Modtaget")


class MissingCertificate(BaseModel):
    """A `missing_certificates` item: a child-facing hire whose personalesag has no certificate."""

    model_config = ConfigDict(extra="forbid")

    employment_id: str = Field(min_length=1, title="Ansættelsesnummer")
    unit: str = Field(min_length=1, title="Enhed")
    name: str = Field(title="Navn")
    start_date: date = Field(title="Startdato")


# -- what the rules read -------------------------------------------------------------------------


class EmploymentFacts(Facts):
    """An employment as the rules match a certificate against it (Lønsystem's, or the input's)."""

    WHERE = "employment"

    employment_id: str | None = None
    cpr: str | None = None  # as typed: a CPR that is not ten digits matches no certificate
    name: str | None = None
    start_date: date | None = None
    end_date: date | None = None


class AttestFacts(Facts):
    """The decide input's `attest`: the message and its PDF, as a path or base64."""

    WHERE = "attest"

    message_id: str | None = None
    received_date: date | None = None
    pdf_path: str | None = None
    pdf_base64: str | None = None


# -- the decisions -------------------------------------------------------------------------------


class Outcome(StrEnum):
    """What the rules decided for a message, and what a missing-certificate reminder did."""

    JOURNAL = "journal"
    NOTE = "note"
    NOTIFY_CONSENT_REFUSED = "notify_consent_refused"
    EXCEPTION = "exception"
    MANAGER_TOLD = "manager_told"
    NONE = "none"  # the certificate was filed before the manager was told


class CertificateDecision(Decision):
    """Steps 1–7 for one document; its JSON (every key, null when unknown) is `rpa decide`'s output."""

    outcome: Outcome
    code: str | None = None
    kind: str | None = None
    result: Literal["clean", "entries"] | None = None
    employment_id: str | None = None
    cpr_masked: str | None = None
    text_source: TextSource | None = None
    title: str | None = None


class MailDecision(CertificateDecision):
    """A `mail` item's stored decision: the rules' one, and the employment's unit (who to tell)."""

    unit: str | None = None
