"""The bot's settings (the defaults are the municipality's rules) and task payloads."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hr.cpr import DEFAULT_EXEMPT_BIRTH_DATES
from hr.doc_fields import DEFAULT_CLEAN_PHRASES


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

    message_id: str = Field(min_length=1)
    received_date: date


class MissingCertificate(BaseModel):
    """A `missing_certificates` item: a child-facing hire whose personalesag has no certificate."""

    model_config = ConfigDict(extra="forbid")

    employment_id: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    name: str
    start_date: date
