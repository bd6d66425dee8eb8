"""The pure decision of the journaling of certificates: steps 1–7 (codes: README.md here).

`decide_certificate` judges a document already read (hr.documents.read_pdf) against the
employments (`EmploymentFacts`): no I/O, no clock; it returns the decision model of
`models.py`. `decide` is `rpa decide document_journaling`: it reads the input, then the PDF
it names, then decides (the model's JSON). A document is clean only on a positive match of
its kind's clean phrase without the entries marker: a badly read document errs towards a
person, never towards clean.

Before step 1, two bounds and one check of our own: more than `max_pages` pages is
`DOC_TOO_LONG` (a certificate has one or two; nothing is OCR'd); a document is judged by
what its pages show (hr.documents: hidden text never counts, a page with a picture or
hidden text is OCR'd), and where a page's text layer claims another kind, name, CPR or
result than its OCR, `DOC_LAYERS_DISAGREE` sends it to the attest reader.
"""

from __future__ import annotations

import base64
import string
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from bots.document_journaling.models import (
    AttestFacts,
    CertificateDecision,
    EmploymentFacts,
    Outcome,
    Settings,
)
from hr.cpr import check_cpr, mask_cpr, normalise_cpr
from hr.decisions import settings_from as _settings_from
from hr.documents import CertificateFields, DocumentText, parse_certificate, read_pdf
from hr.formatting import format_date_long

#: The keys of the decision's JSON, in order (its model's fields).
OUTPUT_KEYS = tuple(CertificateDecision.model_fields)
KIND_LABELS = {
    "boerneattest": "Børneattest",
    "straffeattest_offentlig": "Straffeattest til offentlig brug",
    "straffeattest_privat": "Privat straffeattest",
}
CONSENT_REFUSED = "samtykke_afvist"
_WORD_JUNK = string.punctuation + "‘’“”«»´`–—"


def decide(data: Mapping[str, Any]) -> dict[str, Any]:
    """`rpa decide document_journaling`: the rules file's input in, its output keys out.

    Raises ValueError for input the rules cannot decide (a missing field, a bad date,
    no PDF given), all before the document is read.
    """
    as_of = _iso_date(data, "as_of")
    given = data.get("attest")
    if not isinstance(given, Mapping):
        raise ValueError("input has no `attest` object")
    attest = AttestFacts.read(given)
    if attest.received_date is None:
        raise ValueError("missing `received_date`")
    if not attest.message_id:
        raise ValueError("attest has no `message_id`")
    settings = settings_from(data.get("settings"))
    pdf = _pdf_bytes(attest)
    employments = _employments(data.get("employments") or [])
    decision = decide_certificate(read_document(pdf, settings), employments,
                                  received_date=attest.received_date, as_of=as_of, settings=settings)
    return decision.model_dump(mode="json")


def read_document(pdf: bytes, settings: Settings) -> DocumentText:
    """Step 1's reading, with the settings' OCR knobs."""
    return read_pdf(pdf, min_text_chars=settings.min_text_chars, ocr_language=settings.ocr_language,
                    ocr_dpi=settings.ocr_dpi, ocr_page_timeout_s=settings.ocr_page_timeout_s,
                    ocr_document_timeout_s=settings.ocr_document_timeout_s, max_pages=settings.max_pages)


def settings_from(overrides: Mapping[str, Any] | None) -> Settings:
    """The defaults with `overrides`; an unknown key is ignored with a warning on stderr."""
    return _settings_from(Settings, overrides)


def decide_certificate(
    document: DocumentText,
    employments: Iterable[EmploymentFacts],
    *,
    received_date: date,
    as_of: date,
    settings: Settings,
) -> CertificateDecision:
    """Steps 1–7 for a document already read."""
    source = document.text_source
    if document.too_long:
        return _refused("DOC_TOO_LONG", text_source=source)
    if not document.readable:
        return _refused("DOC_UNPARSEABLE", text_source=source)
    fields = parse_certificate(document.text, settings.clean_phrases)
    if layers_disagree(fields, document.layer_text, settings):
        return _refused("DOC_LAYERS_DISAGREE", text_source=source)
    if not fields.names or not fields.cpr_label_found or fields.conflicting:
        return _refused("DOC_UNPARSEABLE", text_source=source)
    known: dict[str, Any] = {"text_source": source, "cpr_masked": _masked(fields.cpr_text)}
    if fields.kind is None:
        return _refused("DOC_UNKNOWN_KIND", **known)
    known["kind"] = fields.kind
    cpr = check_cpr(fields.cpr_text or "", settings.cpr_exempt_birth_dates)
    if cpr.code is not None:
        return _refused(cpr.code, **known)
    candidates = [e for e in employments if _same_cpr(e, cpr.digits) and _current_or_future(e, as_of)]
    if not candidates:
        return _refused("EMPLOYEE_NOT_FOUND", **known)
    if len(candidates) == 1:
        known["employment_id"] = candidates[0].employment_id
    if not all(names_match(fields.name or "", e.name or "") for e in candidates):
        return _refused("IDENTITY_MISMATCH", **known)
    if len(candidates) > 1:
        return _refused("MULTIPLE_EMPLOYMENTS", **known)
    if fields.kind == CONSENT_REFUSED:
        title = f"Manglende samtykke til attest {format_date_long(received_date)}"
        return CertificateDecision(outcome=Outcome.NOTIFY_CONSENT_REFUSED, title=title, **known)
    if not fields.result_clean_phrase_found or fields.has_entries_marker:
        return _refused("ATTEST_HAS_ENTRIES", result="entries", **known)
    return _clean(fields.kind, received_date, settings, known)


def layers_disagree(seen: CertificateFields, layer_text: str | None, settings: Settings) -> bool:
    """Whether a page's text layer claims another kind, name, CPR or result than its OCR.

    What the layer does not say (no title, no name) it does not claim; the decision is
    always taken on what the pages show, so the layer can only send a certificate to a person.
    """
    if layer_text is None:
        return False
    layer = parse_certificate(layer_text, settings.clean_phrases)
    if layer.kinds_found and set(layer.kinds_found) != set(seen.kinds_found):
        return True
    if any(not any(names_match(name, other) for other in seen.names) for name in layer.names):
        return True
    seen_cprs = {_digits(cpr) for cpr in seen.cpr_texts}
    if any(_digits(cpr) not in seen_cprs for cpr in layer.cpr_texts):
        return True
    claims = _result(layer)
    return claims is not None and claims != _result(seen)


def _result(fields: CertificateFields) -> str | None:
    if fields.has_entries_marker:
        return "entries"
    return "clean" if fields.result_clean_phrase_found else None


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def _clean(kind: str, received: date, settings: Settings, known: dict[str, Any]) -> CertificateDecision:
    label, day = KIND_LABELS[kind], format_date_long(received)
    if settings.storage_policy == "note_only":
        return CertificateDecision(outcome=Outcome.NOTE, result="clean",
                                   title=f"{label} indhentet {day} – ingen anmærkninger", **known)
    return CertificateDecision(outcome=Outcome.JOURNAL, result="clean", title=f"{label} modtaget {day}",
                               **known)


def names_match(first: str, second: str) -> bool:
    """The rules' name match: the shorter name's words all in the other (same counts: same words)."""
    a, b = name_words(first), name_words(second)
    if not a or not b:
        return False
    if len(a) == len(b):
        return sorted(a) == sorted(b)
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return all(word in longer for word in shorter)


def name_words(name: str) -> list[str]:
    """Words split at spaces and hyphens, lower case, surrounding punctuation stripped."""
    words = (word.strip(_WORD_JUNK) for word in name.replace("-", " ").lower().split())
    return [word for word in words if word]


def _same_cpr(employment: EmploymentFacts, digits: str | None) -> bool:
    try:
        return digits is not None and normalise_cpr(employment.cpr or "") == digits
    except ValueError:
        return False


def _current_or_future(employment: EmploymentFacts, as_of: date) -> bool:
    """Active on `as_of`, or starting after it (an ended employment does not count)."""
    start, end = employment.start_date, employment.end_date
    if start is not None and start > as_of:
        return True
    return (start is None or start <= as_of) and (end is None or as_of <= end)


def _masked(cpr_text: str | None) -> str | None:
    try:
        return mask_cpr(cpr_text) if cpr_text else None
    except ValueError:
        return None


def _refused(code: str, **known: Any) -> CertificateDecision:
    """A document a person must look at: its code and what was read of it, never a title."""
    return CertificateDecision(outcome=Outcome.EXCEPTION, code=code, **known)


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _iso_date(data: Mapping[str, Any], key: str) -> date:
    value = data.get(key)
    if value is None:
        raise ValueError(f"missing `{key}`")
    parsed = _as_date(value)
    assert parsed is not None
    return parsed


def _employments(given: Any) -> list[EmploymentFacts]:
    if not isinstance(given, list | tuple) or not all(isinstance(record, Mapping) for record in given):
        raise ValueError("employments must be a list of objects")
    return [EmploymentFacts.read(record) for record in given]


def _pdf_bytes(attest: AttestFacts) -> bytes:
    if attest.pdf_base64:
        return base64.b64decode(attest.pdf_base64, validate=True)
    if attest.pdf_path:
        try:
            return Path(attest.pdf_path).read_bytes()
        except OSError as error:
            raise ValueError(f"pdf_path cannot be read: {error.strerror}") from None
    raise ValueError("attest has neither `pdf_path` nor `pdf_base64`")
