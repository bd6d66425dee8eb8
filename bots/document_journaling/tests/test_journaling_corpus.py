"""Every certificate of the corpus, born-digital and scanned, decided through `rules.decide`."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from bots.document_journaling import rules
from bots.document_journaling.tests.corpus import AS_OF, CASES, RECEIVED, Case


def decide(case: Case, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    return rules.decide({
        "as_of": AS_OF.isoformat(), "employments": case.employments, "settings": settings,
        "attest": {"message_id": f"M-{case.name}", "received_date": RECEIVED.isoformat(),
                   "pdf_base64": base64.b64encode(case.pdf()).decode()},
    })


def _param(case: Case) -> Any:
    return pytest.param(case, id=case.name, marks=[pytest.mark.ocr] if case.scan else [])


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_the_corpus_is_decided_as_expected(case: Case) -> None:
    decision = decide(case)
    assert tuple(decision) == rules.OUTPUT_KEYS
    assert (decision["outcome"], decision["code"]) == (case.outcome, case.code)
    assert decision["text_source"] == ("ocr" if case.scan else "text_layer")
    if case.outcome == "journal":
        assert decision["result"] == "clean" and decision["title"].endswith("modtaget 14. november 2024")


def test_the_corpus_covers_every_kind_and_code() -> None:
    kinds = {case.certificate().kind for case in CASES}
    codes = {case.code for case in CASES}
    assert kinds == {"boerneattest", "straffeattest_offentlig", "straffeattest_privat", "samtykke_afvist"}
    assert {"ATTEST_HAS_ENTRIES", "IDENTITY_MISMATCH", "CPR_SUBSTITUTE", "CPR_INVALID_DATE", "CPR_MALFORMED",
            "CPR_CHECK_MANUAL", "EMPLOYEE_NOT_FOUND", "MULTIPLE_EMPLOYMENTS", "DOC_LAYERS_DISAGREE"} <= codes
    assert {case.how for case in CASES if case.hostile} == {"invisible", "white", "clipped", "off_page"}
    assert sum(1 for case in CASES if case.scan) >= len(CASES) * 0.4


@pytest.mark.ocr
@pytest.mark.parametrize("case", [c for c in CASES if c.hostile], ids=lambda c: c.name)
def test_a_hidden_clean_layer_over_records_is_never_noted_clean(case: Case) -> None:
    # note_only drops the PDF: a wrong "ingen anmærkninger" would be all that is left
    decision = decide(case, {"storage_policy": "note_only"})
    assert decision["outcome"] == "exception" and decision["result"] != "clean"
    assert decision["code"] in {"ATTEST_HAS_ENTRIES", "DOC_LAYERS_DISAGREE"}
