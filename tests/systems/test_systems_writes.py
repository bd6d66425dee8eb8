"""Every write lands once; the same reference again is found, not repeated."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from sandbox.documents import plain_pdf
from systems import Attest, DigitalPost, Edoc, FormRefused, NemRefusion, Payroll, Serviceportal

pytestmark = pytest.mark.browser

AS_OF = date(2024, 11, 18)
PDF = plain_pdf(["Kære medarbejder", "Vi bekræfter din opsigelse."])


def with_reference(records: list[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("reference") == reference]


def twice(write: Any) -> tuple[Any, Any]:
    first, second = write(), write()
    assert not first.already_done
    assert second.already_done
    assert second.receipt_id == first.receipt_id
    return first, second


def test_sixth_week_payout_line_lands_once_and_updates_the_balance(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    record = next(e for e in sandbox.export()["employments"] if e["pay"] == "monthly"
                  and any(h["earned_hours"] - h["taken_hours"] - h["paid_hours"] - h["transferred_hours"] >= 2
                          for h in e["holiday6"]))
    employment = payroll.employment(record["employment_id"])
    balance = next(h for h in employment.holiday6 if h.unused_hours >= 2)

    first, _ = twice(lambda: payroll.register_line(
        employment.employment_id, wage_type="Udbetaling 6. ferieuge", period="2024-12",
        amount=Decimal("812.50"), hours=Decimal("2"), earning_year=balance.earning_year,
        text="Udbetaling af 6. ferieuge", reference="SP-TEST-1"))

    assert first.receipt_id.startswith("PL-")
    lines = with_reference(sandbox.export()["payroll_lines"], "SP-TEST-1")
    assert [(ln["amount"], ln["hours"], ln["earning_year"]) for ln in lines] == [
        (812.5, 2.0, balance.earning_year)]
    after = payroll.employment(employment.employment_id)
    paid = next(h.paid_hours for h in after.holiday6 if h.earning_year == balance.earning_year)
    assert paid == balance.paid_hours + 2
    assert [ln.reference for ln in payroll.lines(employment.employment_id)].count("SP-TEST-1") == 1


def test_end_date_lands_once(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    record = next(e for e in sandbox.export()["employments"] if e["end_date"] is None)
    last_day = date(2025, 1, 31)
    twice(lambda: payroll.register_end_date(record["employment_id"], last_day, "SP-TEST-2"))
    assert with_reference(sandbox.export()["terminations"], "SP-TEST-2") == [
        {"employment_id": record["employment_id"], "last_day": "2025-01-31", "reference": "SP-TEST-2",
         "registered_date": AS_OF.isoformat()}]
    assert payroll.employment(record["employment_id"]).end_date == last_day


def test_absence_update_lands_once(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    record = next(a for a in sandbox.export()["absences"] if a["reported_date"] is None)
    reported = max(date.fromisoformat(record["first_day"]), AS_OF - timedelta(days=1))
    first, _ = twice(lambda: payroll.update_absence(record["absence_id"], reported_date=reported,
                                                    reference="F-TEST-3"))
    assert first.receipt_id == f"FA-{record['absence_id']}"
    stored = next(a for a in sandbox.export()["absences"] if a["absence_id"] == record["absence_id"])
    assert stored == {**record, "reported_date": reported.isoformat()}
    assert payroll.absence(record["absence_id"]).reference == "F-TEST-3"


def test_case_reply_and_status_share_a_reference_and_each_land_once(sandbox, open_system) -> None:
    portal = open_system(Serviceportal)
    case_id = sandbox.export()["cases"][1]["case_id"]
    twice(lambda: portal.reply(case_id, "Vi har modtaget opsigelsen.", case_id))
    twice(lambda: portal.set_status(case_id, "Løst", "Opsigelsen er registreret.", case_id))
    status = next(s for s in sandbox.export()["case_status"] if s["case_id"] == case_id)
    assert status == {"case_id": case_id, "status": "Løst", "reply": "Opsigelsen er registreret.",
                      "reference": case_id}
    assert portal.case(case_id).status == "Løst"


def test_manager_message_lands_once(sandbox, open_system) -> None:
    portal = open_system(Serviceportal)
    unit = sandbox.export()["units"][0]["unit"]
    text = "Fraværet F1 er ikke anmeldt."
    twice(lambda: portal.message_manager(unit, "Refusion i fare", text, "F1:report"))
    assert with_reference(sandbox.export()["manager_messages"], "F1:report") == [
        {"unit": unit, "subject": "Refusion i fare", "text": "Fraværet F1 er ikke anmeldt.",
         "reference": "F1:report", "sent_date": AS_OF.isoformat()}]


def test_journal_document_and_note_land_once(sandbox, open_system) -> None:
    edoc = open_system(Edoc)
    employment_id = sandbox.export()["employments"][2]["employment_id"]
    twice(lambda: edoc.journal_document(employment_id, title="Opsigelse", doc_type="Brev",
                                        access="Almindelig", pdf=PDF, reference="SP-TEST-4"))
    twice(lambda: edoc.journal_note(employment_id, title="Attest modtaget", text="Ren børneattest.",
                                    access="Fortrolig", reference="SP-TEST-4"))
    journal = with_reference(sandbox.export()["journal"], "SP-TEST-4")
    assert sorted((j["kind"], j["title"], j["access"]) for j in journal) == [
        ("document", "Opsigelse", "Almindelig"), ("note", "Attest modtaget", "Fortrolig")]
    entries = edoc.entries(employment_id)
    assert sorted((e.kind, e.title, e.receipt_id.startswith("ED-")) for e in entries) == [
        ("document", "Opsigelse", True), ("note", "Attest modtaget", True)]


def test_letter_is_sent_once(sandbox, open_system) -> None:
    post = open_system(DigitalPost)
    record = next(e for e in sandbox.export()["employments"] if e["digital_post"])
    first, _ = twice(lambda: post.send(record["employment_id"], subject="Bekræftelse af opsigelse",
                                       pdf=PDF, reference="SP-TEST-5"))
    letters = with_reference(sandbox.export()["letters"], "SP-TEST-5")
    assert len(letters) == 1
    assert "Vi bekræfter din opsigelse." in letters[0]["text"]
    sent = post.letters(record["employment_id"])
    assert [(s.receipt_id, s.subject, s.sent) for s in sent] == [
        (first.receipt_id, "Bekræftelse af opsigelse", AS_OF)]


def test_a_person_without_digital_post_is_refused_and_nothing_is_sent(sandbox, open_system) -> None:
    record = next(e for e in sandbox.export()["employments"] if not e["digital_post"])
    with pytest.raises(FormRefused) as refused:
        open_system(DigitalPost).send(record["employment_id"], subject="Brev", pdf=PDF,
                                      reference="SP-TEST-6")
    assert (refused.value.system, refused.value.step) == ("digitalpost", "send")
    assert any("Digital Post" in message for message in refused.value.messages)
    assert with_reference(sandbox.export()["letters"], "SP-TEST-6") == []


def test_report_and_claim_land_once_and_the_claim_gets_a_decision(sandbox, open_system) -> None:
    refusion = open_system(NemRefusion)
    absence = next(a for a in sandbox.export()["absences"]
                   if date.fromisoformat(a["first_day"]) < AS_OF - timedelta(days=20))
    absence_id = absence["absence_id"]
    start = date.fromisoformat(absence["first_day"])
    claim = {"kind": "claim", "authority": "opholdskommune", "claim_from": start,
             "claim_to": start + timedelta(days=6), "hours": Decimal("37"),
             "max_refund": Decimal("4695.00")}
    report = {"kind": "report", "authority": "opholdskommune", "claim_from": None, "claim_to": None,
              "hours": None, "max_refund": None}
    reference = f"{absence_id}:{claim['claim_to'].isoformat()}"
    twice(lambda: refusion.submit(absence_id, **report, reference=reference))
    twice(lambda: refusion.submit(absence_id, **claim, reference=reference))

    stored = with_reference(sandbox.export()["refund_submissions"], reference)
    assert sorted(s["kind"] for s in stored) == ["claim", "report"]
    submissions = refusion.submissions()
    assert sorted(s.kind for s in submissions if s.reference == reference) == ["claim", "report"]
    decided = next(s for s in stored if s["kind"] == "claim")
    decisions = [d for d in refusion.decisions() if d.reference == reference]
    assert [(d.absence_id, d.decision, float(d.paid), d.claim_to) for d in decisions] == [
        (absence_id, decided["decision"], decided["paid"], claim["claim_to"])]


def test_attest_message_moves_once(sandbox, open_system) -> None:
    attest = open_system(Attest)
    message_id = sandbox.export()["attest_mail"][0]["message_id"]
    first, _ = twice(lambda: attest.move_to_processed(message_id, message_id))
    assert first.receipt_id == f"AP-{message_id}"
    assert sandbox.export()["attest_processed"] == [
        {"message_id": message_id, "folder": "Behandlet", "reference": message_id}]
    assert [m.message_id for m in attest.inbox("Behandlet")] == [message_id]
    with pytest.raises(FormRefused):
        attest.move_to_processed(message_id, "another-item")
