"""The generator: deterministic, realistic, and planting every rule's edge case."""

from __future__ import annotations

import base64
import io
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

from hr.cpr import check_cpr
from hr.pdf import extract_text
from sandbox import dataset, refunds
from sandbox.documents import BATCH_HEADERS
from sandbox.generator import generate, months_before

AS_OF = date(2024, 11, 18)


def _export_bytes(tmp_path: Path, name: str, data: dict[str, Any]) -> str:
    path = tmp_path / name
    dataset.load(path, data)
    return dataset.dumps(dataset.export(path))


def test_same_seed_gives_byte_identical_export(tmp_path: Path) -> None:
    first = _export_bytes(tmp_path, "a.db", generate(150, seed=3))
    second = _export_bytes(tmp_path, "b.db", generate(150, seed=3))
    assert first == second


def test_different_seed_gives_different_data() -> None:
    assert dataset.dumps(generate(150, seed=3)) != dataset.dumps(generate(150, seed=4))


def test_counts_and_shares(dataset_500: dict[str, Any]) -> None:
    employments = dataset_500["employments"]
    assert len(employments) == 500
    hourly = sum(e["pay"] == "hourly" for e in employments) / len(employments)
    assert 0.12 < hourly < 0.3
    assert any(e["category"] == "tjenestemand" for e in employments)
    assert {u["administration"] for u in dataset_500["units"]} == {
        "BUF", "SOF", "SUF", "KFF", "TMF", "ØKF", "BIF"}
    assert all(u["child_facing"] for u in dataset_500["units"] if u["unit"].startswith("Børneh"))
    assert sum(e["digital_post"] for e in employments) / len(employments) > 0.9


def test_cprs_are_loadable_and_some_are_exempt(dataset_500: dict[str, Any]) -> None:
    checks = [check_cpr(e["cpr"]) for e in dataset_500["employments"]]
    assert not [c for c in checks if c.code in ("CPR_MALFORMED", "CPR_INVALID_DATE")]
    assert any(c.mod11_exempt for c in checks)
    per_person = Counter(e["cpr"] for e in dataset_500["employments"])
    assert any(n == 2 for n in per_person.values())


def _cases(data: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [c for c in data["cases"] if c["type"] == type_]


def _emp(data: dict[str, Any], employment_id: str | None) -> dict[str, Any] | None:
    return next((e for e in data["employments"] if e["employment_id"] == employment_id), None)


def test_termination_letter_edge_cases(dataset_500: dict[str, Any]) -> None:
    d = dataset_500
    found = set()
    for case in _cases(d, "resignation"):
        e = _emp(d, case["employment_id"])
        if e is None:
            found.add("EMPLOYMENT_NOT_FOUND")
        elif e["pay"] == "hourly":
            found.add("NOT_MONTHLY_PAID")
        elif case["received_date"] is None:
            found.add("RECEIVED_DATE_MISSING")
        elif e["end_date"] and e["end_date"] < case["received_date"]:
            found.add("EMPLOYMENT_INACTIVE")
        elif e["category"] == "tjenestemand":
            found.add("TJENESTEMAND_REVIEW")
        elif not e["digital_post"]:
            found.add("NO_DIGITAL_POST")
        elif case["requested_last_day"] and case["requested_last_day"] < case["received_date"]:
            found.add("REQUESTED_BEFORE_RECEIPT")
        elif e["probation_end"] and case["received_date"] <= e["probation_end"]:
            found.add("probation")
        elif case["requested_last_day"] and case["requested_last_day"] < "2024-12-31":
            found.add("agreed" if case["earlier_date_agreed"] else "EARLIER_THAN_NOTICE")
        else:
            found.add("letter")
    assert found >= {"EMPLOYMENT_NOT_FOUND", "NOT_MONTHLY_PAID", "RECEIVED_DATE_MISSING",
                     "EMPLOYMENT_INACTIVE", "TJENESTEMAND_REVIEW", "NO_DIGITAL_POST",
                     "REQUESTED_BEFORE_RECEIPT", "EARLIER_THAN_NOTICE", "agreed", "probation",
                     "letter"}


def test_hourly_sweep_edge_cases(dataset_500: dict[str, Any]) -> None:
    threshold = months_before(AS_OF, 3).isoformat()
    hourly = [e for e in dataset_500["employments"] if e["pay"] == "hourly" and not e["end_date"]]
    terminate = [e for e in hourly if e["last_paid_date"] and e["last_paid_date"] < threshold]
    never_paid = [e for e in hourly if e["last_paid_date"] is None and e["start_date"] < threshold]
    assert len(terminate) >= 4
    assert any(not e["digital_post"] for e in terminate)
    assert never_paid
    assert any(e["last_paid_date"] == threshold for e in hourly)


def test_one_off_supplement_edge_cases(dataset_500: dict[str, Any]) -> None:
    d = dataset_500
    cases = _cases(d, "one_off_supplement")
    assert any(c["amount"] > 50000 for c in cases)
    assert any(c["amount"] <= 0 for c in cases)
    assert any(c["reason"] == "" for c in cases)
    assert any(c["pensionable"] is None for c in cases)
    assert any(_emp(d, c["employment_id"]) is None for c in cases)
    assert any(c["payout_period"] == "2024-11" and c["submitted_date"] > "2024-11-10"
               for c in cases)
    assert any((e := _emp(d, c["employment_id"])) and e["end_date"] and e["end_date"] < AS_OF.isoformat()
               for c in cases)
    lines = {(p["employment_id"], p["amount"], p["text"], p["period"]) for p in d["payroll_lines"]}
    assert any((c["employment_id"], c["amount"], c["reason"], c["payout_period"]) in lines
               for c in cases)  # DUPLICATE_REQUEST


def test_batch_edge_cases(dataset_500: dict[str, Any]) -> None:
    batches = _cases(dataset_500, "supplement_batch")
    with_rows = [b for b in batches if "rows" in b]
    assert any(b["control_total"] != round(sum(r["amount"] for r in b["rows"]), 2)
               for b in with_rows)
    good = [b for b in with_rows if b["control_total"] == round(sum(r["amount"] for r in b["rows"]), 2)]
    rows = good[0]["rows"]
    keys = [(r["employment_id"], r["amount"], r["reason"], r["payout_period"]) for r in rows]
    assert len(keys) != len(set(keys))  # a duplicate row
    files = [base64.b64decode(b["xlsx_base64"]) for b in batches if "xlsx_base64" in b]
    assert len(files) == 2
    headers = [tuple(c.value for c in next(openpyxl.load_workbook(io.BytesIO(f)).active.rows))
               for f in files]
    assert any(h != BATCH_HEADERS for h in headers)


def test_sixth_week_edge_cases(dataset_500: dict[str, Any]) -> None:
    d = dataset_500
    found = set()
    for case in _cases(d, "holiday6_payout_request"):
        e = _emp(d, case["employment_id"])
        entry = e and next((h for h in e["holiday6"] if h["earning_year"] == case["earning_year"]),
                           None)
        if e is None:
            found.add("EMPLOYMENT_NOT_FOUND")
        elif e["pay"] == "hourly":
            found.add("NO_ENTITLEMENT")
        elif e["end_date"] and e["end_date"] < case["request_date"]:
            found.add("EMPLOYMENT_INACTIVE")
        elif entry is None:
            found.add("NO_BALANCE")
        elif case["earning_year"] == AS_OF.year:
            found.add("NOT_YET_AVAILABLE")
        elif case["hours"] and case["hours"] > entry["earned_hours"] - entry["taken_hours"]:
            found.add("INSUFFICIENT_BALANCE")
        elif not e["digital_post"]:
            found.add("NO_DIGITAL_POST")
        else:
            found.add("payout")
    assert found == {"EMPLOYMENT_NOT_FOUND", "NO_ENTITLEMENT", "EMPLOYMENT_INACTIVE",
                     "NO_BALANCE", "NOT_YET_AVAILABLE", "INSUFFICIENT_BALANCE", "NO_DIGITAL_POST",
                     "payout"}
    ending = [e for e in d["employments"] if e["pay"] == "monthly" and e["end_date"]
              and "2024-11-18" <= e["end_date"] <= "2024-12-31"]
    assert any(e["holiday6_transfer_agreed"] for e in ending)
    assert len(ending) >= 4


def test_refund_edge_cases(dataset_500: dict[str, Any]) -> None:
    absences = dataset_500["absences"]
    types = Counter(a["type"] for a in absences)
    assert set(types) == {"sickness", "partial_sickness", "pregnancy_related", "maternity"}
    assert any(not a["salary_continued"] for a in absences)
    assert any(a["hours_per_week"] is not None and a["hours_per_week"] < 4 for a in absences)
    assert any(a["reported_date"] and (date.fromisoformat(a["reported_date"])
               - date.fromisoformat(a["first_day"])).days > 35 for a in absences)  # late report
    assert any(a["type"] == "maternity" and a["salary_stop_date"]
               and (AS_OF - date.fromisoformat(a["salary_stop_date"])).days > 56
               for a in absences)  # DEADLINE_PASSED
    assert any(a["first_day"] < "2022-01-01" for a in absences)  # RATE_UNKNOWN
    buckets = {refunds.bucket(1, a["absence_id"]) for a in absences if a["reported_date"]}
    assert {refunds.REDUCED, refunds.REJECTED} <= buckets


def test_attest_mail_edge_cases(dataset_500: dict[str, Any]) -> None:
    d = dataset_500
    mail = d["attest_mail"]
    by_cpr: dict[str, list[dict[str, Any]]] = {}
    for e in d["employments"]:
        by_cpr.setdefault(e["cpr"], []).append(e)
    fields = [m for m in mail if "cpr" in m]
    assert {m["kind"] for m in fields} == {"boerneattest", "straffeattest_offentlig",
                                          "straffeattest_privat", "samtykke_afvist"}
    assert any(m["result"] == "entries" and m["records"] for m in fields)
    assert any(m["format"] == "scanned" for m in fields)
    codes = {check_cpr(m["cpr"]).code for m in fields}
    assert {"CPR_SUBSTITUTE", "CPR_CHECK_MANUAL"} <= codes
    assert any(check_cpr(m["cpr"]).mod11_exempt for m in fields)
    assert any(m["name"] not in {e["name"] for e in by_cpr[m["cpr"]]} for m in fields)
    assert any(all(e["end_date"] and e["end_date"] < AS_OF.isoformat() for e in by_cpr[m["cpr"]])
               for m in fields)  # EMPLOYEE_NOT_FOUND
    assert any(len([e for e in by_cpr[m["cpr"]] if not e["end_date"]]) > 1 for m in fields)
    assert any(m.get("pages") == 2 and m["format"] == "scanned" for m in fields)
    pdfs = [base64.b64decode(m["pdf_base64"]) for m in mail if "pdf_base64" in m]
    assert len(pdfs) == 4
    readable = [p for p in pdfs if p.rstrip().endswith(b"%%EOF")]
    assert len(readable) == 3  # and one corrupt PDF: DOC_UNPARSEABLE
    texts = [extract_text(p) for p in readable]
    assert any("KVITTERING" in t and "ATTEST" not in t for t in texts)  # DOC_UNKNOWN_KIND
    assert any("320189-1234" in t for t in texts)  # CPR_INVALID_DATE
    assert any(re.search(r"\b\d{6}-\d{3}\b", t) for t in texts)  # CPR_MALFORMED


def test_default_size_is_deterministic(dataset_500: dict[str, Any]) -> None:
    assert dataset.dumps(generate(500, seed=1)) == dataset.dumps(dataset_500)
