"""Reads of every system give what the sandbox holds (its own export is the truth)."""

from __future__ import annotations

import base64
import io
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from systems import Attest, DigitalPost, Edoc, NemRefusion, Payroll, Serviceportal

pytestmark = pytest.mark.browser


def jsonish(value: Any) -> Any:
    """A typed page value in the export's JSON form."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def test_employment_is_the_full_record(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    records = sandbox.export()["employments"]
    with_balances = next(e for e in records if e["holiday6"] and e["pay"] == "monthly")
    for record in (records[0], with_balances):
        employment = payroll.employment(record["employment_id"])
        assert employment is not None
        assert employment.model_dump(mode="json") == record
    assert isinstance(employment.monthly_salary, Decimal)
    assert employment.holiday6[0].unused_hours == (
        employment.holiday6[0].earned_hours - employment.holiday6[0].taken_hours
        - employment.holiday6[0].paid_hours - employment.holiday6[0].transferred_hours)


def test_unknown_employment_is_none(open_system) -> None:
    assert open_system(Payroll).employment("E999999") is None


def test_employment_lists_follow_every_page_and_filter(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    payroll.per_page = 20  # 150 employments: eight pages
    records = sandbox.export()["employments"]
    assert payroll.employment_ids() == [e["employment_id"] for e in records]
    hourly = [e["employment_id"] for e in records if e["pay"] == "hourly"]
    assert payroll.employment_ids(pay="hourly") == hourly
    start, end = date(2024, 11, 18), date(2024, 12, 31)
    ending = [e for e in records if e["end_date"] and start.isoformat() <= e["end_date"] <= end.isoformat()]
    assert ending, "the generator plants employments ending soon"
    found = payroll.employments(end_from=start, end_to=end)
    assert [e.model_dump(mode="json") for e in found] == ending


def test_payroll_lines_of_an_employment(sandbox, open_system) -> None:
    planted = sandbox.export()["payroll_lines"][0]
    lines = open_system(Payroll).lines(planted["employment_id"])
    assert len(lines) == 1
    line = lines[0].model_dump(mode="json", exclude={"receipt_id"})
    assert line == planted
    assert lines[0].receipt_id.startswith("PL-")


def test_absences_are_full_records(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    records = sandbox.export()["absences"]
    absences = payroll.absences()
    assert [a.model_dump(mode="json", exclude={"reference"}) for a in absences] == records
    one = records[-1]
    absence = payroll.absence(one["absence_id"])
    assert absence is not None
    assert absence.model_dump(mode="json", exclude={"reference"}) == one
    assert payroll.absences(employment_id=one["employment_id"]) == [
        a for a in absences if a.employment_id == one["employment_id"]]
    assert payroll.absence("F999999") is None


def test_cases_and_their_rule_fields(sandbox, open_system) -> None:
    portal = open_system(Serviceportal)
    export = sandbox.export()
    status = {s["case_id"]: s["status"] for s in export["case_status"]}
    summaries = portal.cases()
    assert [(c.case_id, c.type, c.status) for c in summaries] == [
        (c["case_id"], c["type"], status[c["case_id"]]) for c in export["cases"]]
    resignations = portal.cases(type="resignation")
    assert {c.type for c in resignations} == {"resignation"}
    assert len(resignations) == sum(c["type"] == "resignation" for c in export["cases"])
    for record in (export["cases"][0], next(c for c in export["cases"] if c["type"] == "resignation")):
        case = portal.case(record["case_id"])
        assert (case.case_id, case.type, case.unit, case.status) == (
            record["case_id"], record["type"], record["unit"], "Åben")
        assert case.submitted_date.isoformat() == record["submitted_date"]
        expected = {k: v for k, v in record.items() if k not in ("case_id", "type")}
        assert {k: jsonish(v) for k, v in case.fields.items()} == expected


def test_batch_attachments_are_the_sheets(sandbox, open_system) -> None:
    portal = open_system(Serviceportal)
    batches = [c for c in sandbox.export()["cases"] if c["type"] == "supplement_batch"]
    given = next(c for c in batches if c.get("xlsx_base64"))
    assert portal.attachment(given["case_id"]) == base64.b64decode(given["xlsx_base64"])
    rendered = next(c for c in batches if c.get("rows"))
    sheet = openpyxl.load_workbook(io.BytesIO(portal.attachment(rendered["case_id"]))).active
    cells = {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row}
    assert {row["employment_id"] for row in rendered["rows"]} <= cells


def test_attest_inbox_and_documents(sandbox, open_system) -> None:
    attest = open_system(Attest)
    mail = sandbox.export()["attest_mail"]
    inbox = attest.inbox()
    assert [(m.message_id, m.received_date.isoformat(), m.folder) for m in inbox] == [
        (m["message_id"], m["received_date"], "Indbakke") for m in mail]
    assert attest.inbox("Behandlet") == []
    given = next(m for m in sandbox.data["attest_mail"] if m.get("pdf_base64"))
    assert attest.document(given["message_id"]) == base64.b64decode(given["pdf_base64"])
    assert attest.document(mail[0]["message_id"]).startswith(b"%PDF-")


def test_empty_lists_read_as_empty(sandbox, open_system) -> None:
    export = sandbox.export()
    assert export["refund_submissions"] == export["letters"] == export["journal"] == []
    assert open_system(NemRefusion).submissions() == []
    assert open_system(NemRefusion).decisions() == []
    assert open_system(DigitalPost).letters() == []
    assert open_system(Edoc).entries(export["employments"][0]["employment_id"]) == []
