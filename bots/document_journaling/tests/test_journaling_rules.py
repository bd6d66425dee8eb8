"""The pure decision (the journaling of certificates rules), on text already read: no PDF, no OCR."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest

from bots.document_journaling import rules
from bots.document_journaling.models import EmploymentFacts, Settings
from bots.document_journaling.tests.corpus import AS_OF, JENS, RECEIVED, RECORDS
from hr.certificates import Certificate, certificate_text, render_certificate_pdf
from hr.documents import DocumentText, PageText

JENS_FACTS = EmploymentFacts.read(JENS)


def text_of(**changes: Any) -> str:
    values: dict[str, Any] = dict(kind="boerneattest", issued=date(2024, 11, 12), order_id="BA-2024-1",
                                  name="Jens Hansen", cpr="070761-4285")
    return certificate_text(Certificate(**(values | changes)))


def judge(text: str, employments: list[dict[str, Any]] | None = None, source: str = "text_layer",
          **settings: Any) -> dict[str, Any]:
    document = DocumentText([PageText(text, source)])  # type: ignore[arg-type]
    records = [JENS] if employments is None else employments
    return rules.decide_certificate(document, [EmploymentFacts.read(e) for e in records],
                                    received_date=RECEIVED, as_of=AS_OF,
                                    settings=Settings(**settings)).model_dump(mode="json")


# -- the rules file's examples -------------------------------------------------------------------


def test_example_clean_born_digital_is_journaled() -> None:
    assert judge(text_of()) == {
        "outcome": "journal", "code": None, "kind": "boerneattest", "result": "clean",
        "employment_id": "E100001", "cpr_masked": "070761-XXXX", "text_source": "text_layer",
        "title": "Børneattest modtaget 14. november 2024"}


def test_example_note_only_keeps_a_note() -> None:
    decision = judge(text_of(), storage_policy="note_only")
    assert decision["outcome"] == "note"
    assert decision["title"] == "Børneattest indhentet 14. november 2024 – ingen anmærkninger"


def test_example_scanned_is_journaled_with_text_source_ocr() -> None:
    decision = judge(text_of(), source="ocr")
    assert (decision["outcome"], decision["text_source"]) == ("journal", "ocr")


def test_example_records_go_to_a_person() -> None:
    decision = judge(text_of(records=RECORDS))
    assert (decision["outcome"], decision["code"], decision["result"]) == (
        "exception", "ATTEST_HAS_ENTRIES", "entries")
    assert decision["title"] is None and decision["employment_id"] == "E100001"


def test_example_cpr_matches_name_differs() -> None:
    assert judge(text_of(name="Ole Hansen"))["code"] == "IDENTITY_MISMATCH"


# -- step by step --------------------------------------------------------------------------------


def test_kind_titles_of_the_other_kinds() -> None:
    assert judge(text_of(kind="straffeattest_offentlig"))["title"] == (
        "Straffeattest til offentlig brug modtaget 14. november 2024")
    assert judge(text_of(kind="straffeattest_privat"))["title"] == (
        "Privat straffeattest modtaget 14. november 2024")


def test_unreadable_document() -> None:
    decision = rules.decide_certificate(DocumentText(readable=False, error="not a PDF"), [JENS_FACTS],
                                        received_date=RECEIVED, as_of=AS_OF,
                                        settings=Settings()).model_dump(mode="json")
    assert decision == dict.fromkeys(rules.OUTPUT_KEYS) | {"outcome": "exception", "code": "DOC_UNPARSEABLE"}


def test_too_many_pages() -> None:
    document = DocumentText(readable=False, error="the PDF has 2000 pages", too_long=True, page_count=2000)
    decision = rules.decide_certificate(document, [JENS_FACTS], received_date=RECEIVED, as_of=AS_OF,
                                        settings=Settings()).model_dump(mode="json")
    assert (decision["outcome"], decision["code"]) == ("exception", "DOC_TOO_LONG")


def judge_layers(seen: str, layer: str) -> dict[str, Any]:
    document = DocumentText([PageText(seen, "ocr", layer=layer)])
    return rules.decide_certificate(document, [JENS_FACTS], received_date=RECEIVED, as_of=AS_OF,
                                    settings=Settings()).model_dump(mode="json")


@pytest.mark.parametrize("layer", [
    text_of(),  # the clean text hidden over records
    text_of(records=RECORDS, name="Ole Hansen"),
    text_of(records=RECORDS, cpr="150589-4010"),
    text_of(records=RECORDS, kind="straffeattest_privat"),
], ids=["clean", "name", "cpr", "kind"])
def test_a_text_layer_that_says_other_than_the_page_goes_to_a_person(layer: str) -> None:
    decision = judge_layers(text_of(records=RECORDS), layer)
    assert (decision["outcome"], decision["code"], decision["result"]) == (
        "exception", "DOC_LAYERS_DISAGREE", None)


def test_a_clean_page_under_a_layer_claiming_records_goes_to_a_person_too() -> None:
    assert judge_layers(text_of(), text_of(records=RECORDS))["code"] == "DOC_LAYERS_DISAGREE"


def test_a_layer_that_agrees_or_claims_nothing_leaves_the_decision_to_the_page() -> None:
    assert judge_layers(text_of(), text_of())["outcome"] == "journal"
    assert judge_layers(text_of(), "Side 1 af 1")["outcome"] == "journal"
    assert judge_layers(text_of(records=RECORDS), text_of(records=RECORDS))["code"] == "ATTEST_HAS_ENTRIES"
    # a name the OCR read with a middle name is the same person (the rules' name match)
    assert judge_layers(text_of(name="Jens Peter Hansen"), text_of())["outcome"] == "journal"


@pytest.mark.parametrize("text", [
    text_of().replace("Navn: Jens Hansen", ""),
    text_of().replace("CPR-nr.:", "Nummer:"),
    text_of() + "\nNavn: Ole Berg",
    text_of() + "\nCPR-nr.: 150589-4010",
], ids=["no_name", "no_cpr_label", "two_names", "two_cprs"])
def test_doc_unparseable(text: str) -> None:
    assert judge(text)["code"] == "DOC_UNPARSEABLE"


def test_doc_unknown_kind_keeps_what_was_read() -> None:
    decision = judge(text_of().replace("BØRNEATTEST", "KVITTERING"))
    assert (decision["code"], decision["kind"], decision["cpr_masked"]) == (
        "DOC_UNKNOWN_KIND", None, "070761-XXXX")
    assert judge(text_of() + "\nPRIVAT STRAFFEATTEST")["code"] == "DOC_UNKNOWN_KIND"


@pytest.mark.parametrize(("cpr", "code", "masked"), [
    ("070761-428", "CPR_MALFORMED", None),
    ("670761-4285", "CPR_SUBSTITUTE", "670761-XXXX"),
    ("320189-1234", "CPR_INVALID_DATE", "320189-XXXX"),
    ("070761-4286", "CPR_CHECK_MANUAL", "070761-XXXX"),
])
def test_cpr_codes(cpr: str, code: str, masked: str | None) -> None:
    decision = judge(text_of(cpr=cpr))
    assert (decision["code"], decision["cpr_masked"], decision["kind"]) == (code, masked, "boerneattest")


def test_exempt_dates_are_a_setting() -> None:
    employee = {**JENS, "cpr": "0101651234"}
    assert judge(text_of(cpr="010165-1234"), [employee])["outcome"] == "journal"
    refused = judge(text_of(cpr="010165-1234"), [employee], cpr_exempt_birth_dates=[])
    assert refused["code"] == "CPR_CHECK_MANUAL"


@pytest.mark.parametrize(("start", "end", "found"), [
    ("2020-01-01", None, True),
    ("2024-12-01", None, True),  # a hire
    ("2020-01-01", "2024-11-18", True),  # last day today
    ("2020-01-01", "2024-11-17", False),  # ended
])
def test_current_or_future_employments_only(start: str, end: str | None, found: bool) -> None:
    decision = judge(text_of(), [{**JENS, "start_date": start, "end_date": end}])
    assert (decision["code"] != "EMPLOYEE_NOT_FOUND") is found


def test_employee_not_found_when_no_cpr_matches() -> None:
    decision = judge(text_of(), [{**JENS, "cpr": "1505894010"}])
    assert (decision["code"], decision["employment_id"]) == ("EMPLOYEE_NOT_FOUND", None)


def test_several_employments() -> None:
    other = {**JENS, "employment_id": "E2"}
    decision = judge(text_of(), [JENS, other])
    assert (decision["code"], decision["employment_id"]) == ("MULTIPLE_EMPLOYMENTS", None)
    assert judge(text_of(), [JENS, {**other, "name": "Ole Berg"}])["code"] == "IDENTITY_MISMATCH"


@pytest.mark.parametrize(("first", "second", "match"), [
    ("Jens Hansen", "Jens Hansen", True),
    ("jens hansen", "JENS HANSEN", True),
    ("Hansen, Jens", "Jens Hansen", True),
    ("Jens Peter Hansen", "Jens Hansen", True),
    ("Anne-Mette Østergaard", "Anne Mette Østergaard", True),
    ("Anne Østergaard", "Anne-Mette Østergaard", True),
    ("Jens Hansen", "Jens Petersen", False),
    ("Jens Peter Hansen", "Jens Ole Hansen", False),
    ("", "Jens Hansen", False),
    ("- .", "Jens Hansen", False),
])
def test_name_matching(first: str, second: str, match: bool) -> None:
    assert rules.names_match(first, second) is match
    assert rules.names_match(second, first) is match


def test_consent_refused() -> None:
    decision = judge(text_of(kind="samtykke_afvist"))
    assert decision == {
        "outcome": "notify_consent_refused", "code": None, "kind": "samtykke_afvist", "result": None,
        "employment_id": "E100001", "cpr_masked": "070761-XXXX", "text_source": "text_layer",
        "title": "Manglende samtykke til attest 14. november 2024"}


# -- clean only on a positive match -----------------------------------------------------------------


def test_the_clean_phrase_of_another_kind_is_not_clean() -> None:
    text = text_of(kind="straffeattest_privat").replace("PRIVAT STRAFFEATTEST", "BØRNEATTEST")
    assert judge(text)["code"] == "ATTEST_HAS_ENTRIES"


def test_clean_phrase_and_records_is_records() -> None:
    text = text_of() + "\nDer er registreret følgende afgørelser:\nDom"
    assert judge(text)["code"] == "ATTEST_HAS_ENTRIES"


@pytest.mark.parametrize("garble", ["Der er ingen oplysn1nger", "Der er ingen\n", "ingen oplysninger om"])
def test_a_garbled_result_errs_towards_a_person(garble: str) -> None:
    text = text_of().replace("Der er ingen oplysninger om", garble)
    assert judge(text)["code"] == "ATTEST_HAS_ENTRIES"


def test_whitespace_and_case_do_not_matter() -> None:
    text = text_of().replace("Der er ingen oplysninger om afgørelser,",
                             "DER ER  INGEN\noplysninger OM afgørelser ,")
    assert judge(text)["outcome"] == "journal"


def test_clean_phrases_are_a_setting() -> None:
    phrases = {"boerneattest": "Intet at bemærke."}
    assert judge(text_of(), clean_phrases=phrases)["code"] == "ATTEST_HAS_ENTRIES"
    text = text_of().replace(
        "Der er ingen oplysninger om afgørelser, som skal med på en børneattest.", "Intet at bemærke.")
    assert judge(text, clean_phrases=phrases)["outcome"] == "journal"


# -- decide(input) -------------------------------------------------------------------------------


def _input(**attest: Any) -> dict[str, Any]:
    return {"as_of": "2024-11-18", "employments": [JENS], "settings": None,
            "attest": {"message_id": "M1", "received_date": "2024-11-14"} | attest}


def test_decide_reads_base64_and_path(tmp_path: Any) -> None:
    pdf = render_certificate_pdf(Certificate(kind="boerneattest", issued=date(2024, 11, 12),
                                             order_id="BA-1", name="Jens Hansen", cpr="0707614285"))
    (tmp_path / "a.pdf").write_bytes(pdf)
    by_path = rules.decide(_input(pdf_path=str(tmp_path / "a.pdf")))
    assert by_path == rules.decide(_input(pdf_base64=base64.b64encode(pdf).decode()))
    assert by_path["outcome"] == "journal"


def test_decide_a_corrupt_pdf() -> None:
    decision = rules.decide(_input(pdf_base64=base64.b64encode(b"%PDF-1.4\n%%broken").decode()))
    assert (decision["code"], tuple(decision)) == ("DOC_UNPARSEABLE", rules.OUTPUT_KEYS)


@pytest.mark.parametrize("bad", [
    {"as_of": "18-11-2024"}, {"as_of": None}, {"attest": None},
    {"attest": {"message_id": "M1", "received_date": "2024-11-14"}},
    {"attest": {"message_id": "M1", "pdf_base64": "AAAA"}},
    {"attest": {"message_id": "M1", "received_date": "2024-11-14", "pdf_path": "/nonexistent.pdf"}},
    {"settings": {"ocr_dpi": "many"}},
])
def test_decide_refuses_input_it_cannot_decide(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        rules.decide(_input(pdf_base64="AAAA") | bad)


@pytest.mark.parametrize(("bad", "message"), [
    ({"employments": [{**JENS, "end_date": "31-12-2024"}]}, "employment.end_date: not an ISO date"),
    ({"employments": [JENS, {**JENS, "employment_id": "E2", "cpr": 707614285}]}, "employment.cpr"),
    ({"employments": {"E100001": JENS}}, "employments must be a list of objects"),
    ({"attest": {"message_id": "M1", "received_date": "14-11-2024", "pdf_base64": "AAAA"}},
     "attest.received_date: not an ISO date"),
], ids=["date", "cpr_not_text", "not_a_list", "received_date"])
def test_decide_names_the_field_it_cannot_read_before_reading_the_document(
        bad: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):  # "AAAA" is no PDF: it would be DOC_UNPARSEABLE
        rules.decide(_input(pdf_base64="AAAA") | bad)


def test_an_unknown_setting_is_ignored_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    pdf = base64.b64encode(b"not a pdf").decode()
    decision = rules.decide(_input(pdf_base64=pdf) | {"settings": {"colour": "blue"}})
    assert decision["code"] == "DOC_UNPARSEABLE"
    assert "colour" in capsys.readouterr().err
