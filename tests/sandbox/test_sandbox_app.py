"""The six systems over HTTP: logins, reads, writes with references, validation."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest
from reportlab.pdfgen import canvas

from hr.pdf import extract_text
from sandbox import dataset
from tests.sandbox.sandbox_support import SYSTEMS, FakeClock, emp, login


def _pdf(text: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, text)
    c.save()
    return buf.getvalue()


def _value(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{re.escape(testid)}" data-value="([^"]*)"', html)
    assert match, f"no {testid}"
    return match.group(1)


def _monthly_with_unused(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    for e in data["employments"]:
        if e["pay"] == "monthly" and not e["end_date"]:
            for h in e["holiday6"]:
                if h["earned_hours"] - h["taken_hours"] >= 5 and h["earning_year"] == 2023:
                    return e, h
    raise AssertionError("no balance to pay out")


def test_pages_need_login(client: Any) -> None:
    for system in SYSTEMS:
        response = client.get(f"/{system}/", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith(f"/{system}/login")


def test_wrong_password_is_shown(client: Any) -> None:
    response = client.post("/payroll/login", data={"username": "robot", "password": "x"})
    assert response.status_code == 401
    assert 'data-testid="login-error"' in response.text


def test_login_returns_to_next(client: Any) -> None:
    response = client.get("/payroll/absences")
    assert 'data-testid="login-form"' in response.text
    response = client.post("/payroll/login", data={
        "username": "robot", "password": "sandbox", "next": "/payroll/absences"})
    assert response.url.path == "/payroll/absences"


def test_each_system_has_its_own_login(client: Any) -> None:
    login(client, "payroll")
    assert client.get("/payroll/employments").url.path == "/payroll/employments"
    assert client.get("/edoc/files").url.path == "/edoc/login"


def test_idle_session_expires(client: Any, clock: FakeClock) -> None:
    login(client, "payroll")
    clock.now += 599
    assert client.get("/payroll/employments").url.path == "/payroll/employments"
    clock.now += 601
    response = client.get("/payroll/employments")
    assert response.url.path == "/payroll/login"
    assert 'data-testid="session-expired"' in response.text


def test_forced_session_expiry(client: Any) -> None:
    login(client, "payroll")
    client.post("/_admin/faults", json={"expire_sessions": True})
    assert client.get("/payroll/employments").url.path == "/payroll/login"


def test_every_page_renders(logged_in: Any, data: dict[str, Any]) -> None:
    e = data["employments"][0]
    case = data["cases"][0]
    unit = data["units"][0]["unit"]
    absence = data["absences"][0]["absence_id"]
    message = data["attest_mail"][0]["message_id"]
    urls = ["/serviceportal/cases", f"/serviceportal/cases/{case['case_id']}",
            "/serviceportal/units", f"/serviceportal/units/{unit}", "/serviceportal/messages",
            "/payroll/employments", f"/payroll/employments/{e['employment_id']}",
            f"/payroll/employments/{e['employment_id']}/payroll-lines", "/payroll/absences",
            f"/payroll/absences/{absence}", "/edoc/files", f"/edoc/files/{e['employment_id']}",
            "/digitalpost/outbox", "/digitalpost/send", "/nemrefusion/submissions",
            "/nemrefusion/new", "/nemrefusion/decisions", "/attest/inbox",
            "/attest/inbox?folder=Behandlet", f"/attest/messages/{message}"]
    for url in urls:
        response = logged_in.get(url)
        assert response.status_code == 200, url
        assert 'data-testid="page-' in response.text, url


def test_unknown_record_is_404(logged_in: Any) -> None:
    assert logged_in.get("/payroll/employments/E000000").status_code == 404
    assert logged_in.get("/serviceportal/cases/SP-0").status_code == 404


def test_pagination_and_search(logged_in: Any, data: dict[str, Any]) -> None:
    first = logged_in.get("/payroll/employments")
    assert first.text.count('data-testid="row"') == 25
    assert 'data-testid="page-next"' in first.text
    assert 'data-testid="page-prev"' not in first.text
    total = len(data["employments"])
    assert f'data-total="{total}"' in first.text
    last_page = -(-total // 25)
    last = logged_in.get(f"/payroll/employments?page={last_page}")
    assert last.text.count('data-testid="row"') == total - 25 * (last_page - 1)
    assert 'data-testid="page-next"' not in last.text
    target = data["employments"][40]
    found = logged_in.get("/payroll/employments", params={"q": target["name"].split()[-1]})
    assert f'data-id="{target["employment_id"]}"' in found.text
    hourly = logged_in.get("/payroll/employments?pay=hourly")
    assert "Månedslønnet" not in hourly.text.split("<tbody>")[1]


def test_employment_detail_shows_payroll_data(logged_in: Any, data: dict[str, Any]) -> None:
    e, h = _monthly_with_unused(data)
    page = logged_in.get(f"/payroll/employments/{e['employment_id']}").text
    assert _value(page, "value-monthly_salary") == f"{e['monthly_salary']:.2f}"
    assert _value(page, "value-agreement") == e["agreement"]
    assert _value(page, "value-pension_pct") == f"{e['pension_pct']:.2f}"
    assert _value(page, "value-last_paid_date") == e["last_paid_date"]
    assert f'data-id="{h["earning_year"]}"' in page
    assert 'for="payroll-line-form-amount"' in page


def test_sixth_week_payout_raises_paid_hours(logged_in: Any, db_path: Any,
                                             data: dict[str, Any]) -> None:
    e, h = _monthly_with_unused(data)
    url = f"/payroll/employments/{e['employment_id']}"
    response = logged_in.post(f"{url}/payroll-lines", data={
        "wage_type": "Udbetaling 6. ferieuge", "period": "2024-12", "amount": "1122.65",
        "hours": "5", "earning_year": "2023", "text": "Anmodning", "reference": "SP-1"})
    assert response.status_code == 200
    assert re.search(r'data-testid="receipt-id">PL-\d{6}<', response.text)
    assert "SP-1" in response.text
    out = dataset.export(db_path)
    after = emp(out, e["employment_id"])
    entry = next(x for x in after["holiday6"] if x["earning_year"] == 2023)
    assert entry["paid_hours"] == pytest.approx(h["paid_hours"] + 5)
    line = next(x for x in out["payroll_lines"] if x["reference"] == "SP-1")
    assert line == {**line, "employment_id": e["employment_id"], "wage_type":
                    "Udbetaling 6. ferieuge", "period": "2024-12", "amount": 1122.65,
                    "hours": 5.0, "registered_date": "2024-11-18"}
    lines = logged_in.get(f"{url}/payroll-lines").text
    assert "SP-1" in lines


@pytest.mark.parametrize(("changes", "message"), [
    ({"amount": "0"}, "Beløbet skal være større end 0"),
    ({"amount": "-5"}, "Beløbet skal være større end 0"),
    ({"period": "2031-01"}, "Ukendt lønperiode"),
    ({"period": "december"}, "Ukendt lønperiode"),
    ({"amount": "tusind"}, "Beløb skal være et tal"),
    ({"reference": ""}, "Reference skal udfyldes"),
])
def test_payroll_line_validation_is_visible(logged_in: Any, db_path: Any, data: dict[str, Any],
                                            changes: dict[str, str], message: str) -> None:
    e, _ = _monthly_with_unused(data)
    form = {"wage_type": "Engangsvederlag", "period": "2024-12", "amount": "1000",
            "text": "Særlig indsats", "pensionable": "ja", "reference": "SP-9", **changes}
    response = logged_in.post(f"/payroll/employments/{e['employment_id']}/payroll-lines",
                              data=form)
    assert response.status_code == 422
    assert 'role="alert"' in response.text and message in response.text
    assert dataset.export(db_path)["payroll_lines"] == data["payroll_lines"]


def test_sixth_week_beyond_balance_is_refused(logged_in: Any, data: dict[str, Any]) -> None:
    e, h = _monthly_with_unused(data)
    response = logged_in.post(f"/payroll/employments/{e['employment_id']}/payroll-lines", data={
        "wage_type": "Udbetaling 6. ferieuge", "period": "2024-12", "amount": "99999",
        "hours": str(h["earned_hours"] + 50), "earning_year": "2023", "reference": "SP-2"})
    assert response.status_code == 422 and "Saldoen for 2023" in response.text


def test_end_date_and_absence_update(logged_in: Any, db_path: Any, data: dict[str, Any]) -> None:
    e, _ = _monthly_with_unused(data)
    response = logged_in.post(f"/payroll/employments/{e['employment_id']}/end-date",
                              data={"last_day": "2024-12-31", "reference": "SP-3"})
    assert _value(response.text, "value-end_date") == "2024-12-31"
    absence = data["absences"][0]
    response = logged_in.post(f"/payroll/absences/{absence['absence_id']}", data={
        "reported_date": "2024-11-18", "claimed_until": "", "reference": "F-1:report"})
    assert _value(response.text, "value-reported_date") == "2024-11-18"
    out = dataset.export(db_path)
    assert {"employment_id": e["employment_id"], "last_day": "2024-12-31", "reference": "SP-3",
            "registered_date": "2024-11-18"} in out["terminations"]
    assert emp(out, e["employment_id"])["end_date"] == "2024-12-31"
    listing = logged_in.get("/payroll/absences", params={"q": absence["absence_id"]}).text
    assert "F-1:report" in listing


def test_case_reply_status_and_attachment(logged_in: Any, db_path: Any,
                                          data: dict[str, Any]) -> None:
    batch = next(c for c in data["cases"] if c["type"] == "supplement_batch" and "rows" in c)
    url = f"/serviceportal/cases/{batch['case_id']}"
    page = logged_in.get(url).text
    assert 'data-testid="attachment-link"' in page
    xlsx = logged_in.get(f"{url}/attachment.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Medarbejdernr.", "Beløb", "Begrundelse", "Udbetalingsmåned",
                       "Pensionsgivende")
    assert len(rows) == 1 + len(batch["rows"])
    logged_in.post(f"{url}/reply", data={"reply": "Vi behandler sagen.", "reference": batch["case_id"]})
    response = logged_in.post(f"{url}/status", data={
        "status": "Løst", "reply": "Alle rækker er registreret.", "reference": batch["case_id"]})
    assert _value(response.text, "value-status") == "Løst"
    status = next(s for s in dataset.export(db_path)["case_status"]
                  if s["case_id"] == batch["case_id"])
    assert status == {"case_id": batch["case_id"], "status": "Løst",
                      "reply": "Alle rækker er registreret.", "reference": batch["case_id"]}
    listing = logged_in.get("/serviceportal/cases?status=Løst").text
    assert f'data-id="{batch["case_id"]}"' in listing


def test_given_xlsx_is_served_as_is(logged_in: Any, data: dict[str, Any]) -> None:
    import base64
    case = next(c for c in data["cases"] if "xlsx_base64" in c)
    response = logged_in.get(f"/serviceportal/cases/{case['case_id']}/attachment.xlsx")
    assert response.content == base64.b64decode(case["xlsx_base64"])


def test_message_to_manager(logged_in: Any, db_path: Any, data: dict[str, Any]) -> None:
    unit = data["units"][1]["unit"]
    response = logged_in.post(f"/serviceportal/units/{unit}/messages", data={
        "subject": "Refusion i fare", "text": "Fravær F000001 er anmeldt for sent.",
        "reference": "F000001:2024-11-17"})
    assert "F000001:2024-11-17" in response.text
    assert dataset.export(db_path)["manager_messages"] == [{
        "unit": unit, "subject": "Refusion i fare", "text": "Fravær F000001 er anmeldt for sent.",
        "reference": "F000001:2024-11-17", "sent_date": "2024-11-18"}]


def test_edoc_document_and_note(logged_in: Any, db_path: Any, data: dict[str, Any]) -> None:
    eid = data["employments"][5]["employment_id"]
    url = f"/edoc/files/{eid}"
    response = logged_in.post(f"{url}/documents", data={
        "title": "Bekræftelse af opsigelse", "doc_type": "Opsigelse – bekræftelse",
        "access": "Almindelig", "reference": "SP-7"},
        files={"file": ("brev.pdf", _pdf("Bekræftelse"), "application/pdf")})
    assert response.status_code == 200 and "SP-7" in response.text
    bad = logged_in.post(f"{url}/documents", data={
        "title": "x", "doc_type": "y", "reference": "SP-8"},
        files={"file": ("x.pdf", b"not a pdf", "application/pdf")})
    assert bad.status_code == 422 and "ikke en gyldig PDF" in bad.text
    logged_in.post(f"{url}/notes", data={
        "title": "Børneattest indhentet 2024-11-14 – ingen anmærkninger", "access": "Fortrolig",
        "reference": "M2024-00001"})
    journal = dataset.export(db_path)["journal"]
    assert sorted((j["kind"], j["reference"]) for j in journal) == [("document", "SP-7"),
                                                                    ("note", "M2024-00001")]
    link = re.search(r'href="(/edoc/entries/\d+/document.pdf)"', logged_in.get(url).text)
    assert link and logged_in.get(link.group(1)).content.startswith(b"%PDF")


def test_digital_post_sends_and_refuses(logged_in: Any, db_path: Any,
                                        data: dict[str, Any]) -> None:
    with_post = next(e for e in data["employments"] if e["digital_post"])
    without = next(e for e in data["employments"] if not e["digital_post"])
    response = logged_in.post("/digitalpost/send", data={
        "employment_id": with_post["employment_id"], "subject": "Engangsvederlag",
        "reference": "SP-11"}, files={"file": ("l.pdf", _pdf("Kære medarbejder"), "application/pdf")})
    assert re.search(r'data-testid="receipt-id">DP-\d{6}<', response.text)
    assert "Kære medarbejder" in response.text
    refused = logged_in.post("/digitalpost/send", data={
        "employment_id": without["employment_id"], "subject": "Brev", "reference": "SP-12"},
        files={"file": ("l.pdf", _pdf("Hej"), "application/pdf")})
    assert refused.status_code == 422 and "ikke tilmeldt Digital Post" in refused.text
    letters = dataset.export(db_path)["letters"]
    assert [(x["reference"], x["text"]) for x in letters] == [("SP-11", "Kære medarbejder")]
    outbox = logged_in.get("/digitalpost/outbox").text
    assert "SP-11" in outbox and "SP-12" not in outbox


def test_nemrefusion_claim_gets_a_decision(logged_in: Any, db_path: Any,
                                          data: dict[str, Any]) -> None:
    absence = data["absences"][0]["absence_id"]
    report = logged_in.post("/nemrefusion/new", data={
        "absence_id": absence, "kind": "report", "authority": "opholdskommune",
        "reference": f"{absence}:report"})
    assert re.search(r'data-testid="receipt-id">NR-\d{6}<', report.text)
    again = logged_in.post("/nemrefusion/new", data={
        "absence_id": absence, "kind": "report", "authority": "opholdskommune",
        "reference": f"{absence}:report"})
    assert again.status_code == 422 and "allerede anmeldt" in again.text
    claim = {"absence_id": absence, "kind": "claim", "authority": "opholdskommune",
             "claim_from": "2024-10-01", "claim_to": "2024-10-31", "hours": "163.57",
             "max_refund": "20755.40", "reference": f"{absence}:2024-10-31"}
    response = logged_in.post("/nemrefusion/new", data=claim)
    decision = _value(response.text, "value-decision")
    assert decision in ("approved", "reduced", "rejected")
    future = logged_in.post("/nemrefusion/new", data={**claim, "claim_from": "2024-11-10",
                                                      "claim_to": "2024-11-30"})
    assert future.status_code == 422 and "fremtidige" in future.text
    overlap = logged_in.post("/nemrefusion/new", data=claim)
    assert overlap.status_code == 422 and "overlapper" in overlap.text
    decisions = logged_in.get("/nemrefusion/decisions").text
    assert f"{absence}:2024-10-31" in decisions
    out = dataset.export(db_path)["refund_submissions"]
    assert [s["kind"] for s in out] == ["claim", "report"]
    assert out[0]["decision"] == decision and out[0]["max_refund"] == 20755.40


def test_attest_download_and_move(logged_in: Any, db_path: Any, data: dict[str, Any]) -> None:
    mail = next(m for m in data["attest_mail"] if m.get("format") == "digital"
                and m.get("kind") == "boerneattest")
    url = f"/attest/messages/{mail['message_id']}"
    pdf = logged_in.get(f"{url}/document.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = extract_text(pdf.content)
    assert mail["name"] in text and "rneattest" in text.lower()
    response = logged_in.post(f"{url}/move", data={"folder": "Behandlet",
                                                   "reference": mail["message_id"]})
    assert _value(response.text, "value-folder") == "Behandlet"
    assert dataset.export(db_path)["attest_processed"] == [{
        "message_id": mail["message_id"], "folder": "Behandlet", "reference": mail["message_id"]}]
    inbox = logged_in.get("/attest/inbox").text
    assert mail["message_id"] not in inbox
    assert mail["message_id"] in logged_in.get("/attest/inbox?folder=Behandlet").text


def test_given_pdf_is_served_as_is(logged_in: Any, data: dict[str, Any]) -> None:
    import base64
    mail = next(m for m in data["attest_mail"] if "pdf_base64" in m)
    response = logged_in.get(f"/attest/messages/{mail['message_id']}/document.pdf")
    assert response.content == base64.b64decode(mail["pdf_base64"])


def test_writes_use_the_sandbox_clock(logged_in: Any, db_path: Any, data: dict[str, Any]) -> None:
    assert logged_in.post("/_admin/clock", json={"as_of": "2025-01-06"}).json() == {
        "as_of": "2025-01-06"}
    unit = data["units"][0]["unit"]
    logged_in.post(f"/serviceportal/units/{unit}/messages",
                   data={"subject": "s", "text": "t", "reference": "r"})
    out = dataset.export(db_path)
    assert out["as_of"] == "2025-01-06"
    assert out["manager_messages"][0]["sent_date"] == "2025-01-06"
    assert logged_in.post("/_admin/clock", json={"as_of": "januar"}).status_code == 422


def test_list_filters_page_size_and_cpr_search(logged_in: Any, data: dict[str, Any]) -> None:
    page = logged_in.get("/payroll/employments?per_page=100").text
    assert page.count('data-testid="row"') == 100
    ending = [e for e in data["employments"] if e["end_date"] and e["end_date"] >= "2024-11-18"]
    listing = logged_in.get("/payroll/employments?end_from=2024-11-18&end_to=2025-12-31").text
    assert listing.count('data-testid="row"') == len(ending) > 0
    person = data["employments"][7]
    cpr = f"{person['cpr'][:6]}-{person['cpr'][6:]}"
    found = logged_in.get("/payroll/employments", params={"q": cpr}).text
    assert f'data-id="{person["employment_id"]}"' in found
