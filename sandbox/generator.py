"""A deterministic synthetic municipality in the dataset shape (contract v1).

``generate`` draws everything from one ``random.Random(seed)`` and never reads the
wall clock. Besides ordinary staff and cases it plants the edge cases of every
rules file, so a demo run shows every exception code.
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Any

from hr.certificates import Certificate, render_certificate_pdf
from hr.cpr import generate_substitute_cpr
from sandbox import documents, refunds
from sandbox import names as N
from sandbox.population import Emp, Population, month_end, months_before, period_of

__all__ = ["AS_OF", "MISSING_EMPLOYMENT", "generate", "month_end", "months_before", "period_of"]

AS_OF = date(2024, 11, 18)
MISSING_EMPLOYMENT = "E900001"  # never issued: cases naming it are EMPLOYMENT_NOT_FOUND


def generate(employees: int = 500, seed: int = 1, as_of: date = AS_OF) -> dict[str, Any]:
    """A whole dataset: the same arguments always give the same dataset."""
    return _Municipality(seed, as_of).build(employees)


def _iso(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class _Municipality(Population):
    """Ordinary staff plus the cases, absences and mail of every bot, edge cases planted."""

    def __init__(self, seed: int, as_of: date) -> None:
        super().__init__(seed, as_of)
        self.cases: list[dict[str, Any]] = []
        self.absences: list[dict[str, Any]] = []
        self.mail: list[dict[str, Any]] = []
        self.payroll_lines: list[dict[str, Any]] = []

    def build(self, employees: int) -> dict[str, Any]:
        self._make_units(employees)
        n_pairs = max(2, employees // 50)
        for _ in range(max(0, employees - n_pairs)):
            self.employments.append(self._employment())
        self._make_pairs(n_pairs)
        self._plant_resignations(employees)
        self._plant_supplements(employees)
        self._plant_batches()
        self._plant_holiday6(employees)
        self._plant_hourly()
        self._plant_absences(employees)
        self._plant_mail(employees)
        self._trim(employees)
        return self._finish()

    def _case(self, type_: str, emp: Emp | None, submitted: date, **fields: Any) -> dict[str, Any]:
        unit = emp["unit"] if emp else self.rng.choice(self.units)["unit"]
        case = {"case_id": None, "type": type_, "unit": unit, "submitted_date": submitted}
        if type_ != "supplement_batch":
            case["employment_id"] = emp["employment_id"] if emp else MISSING_EMPLOYMENT
        case.update(fields)
        self.cases.append(case)
        return case

    # -- termination_letters -----------------------------------------------------------------
    def _resignation(self, emp: Emp | None, received: date | None = None,
                     requested: date | None = None, agreed: bool = False) -> None:
        if received is None:
            received = self.days_ago(self.rng.randint(0, 12))
        submitted = min(self.as_of, received + timedelta(days=self.rng.randint(0, 2)))
        self._case("resignation", emp, submitted, received_date=received,
                   requested_last_day=requested, earlier_date_agreed=agreed)

    def _plant_resignations(self, employees: int) -> None:
        for _ in range(max(3, employees // 60)):
            self._resignation(self.monthly())
        received = self.days_ago(5)
        notice_end = month_end(month_end(received) + timedelta(days=1))
        self._resignation(self.monthly(), received, month_end(notice_end + timedelta(days=1)))
        self._resignation(self.monthly(), received, received + timedelta(days=9))  # EARLIER_THAN_NOTICE
        self._resignation(self.monthly(), received, received + timedelta(days=9), agreed=True)
        self._resignation(self.monthly(), received, received - timedelta(days=4))  # BEFORE_RECEIPT
        self._resignation(None)  # EMPLOYMENT_NOT_FOUND
        self._resignation(self.hourly())  # NOT_MONTHLY_PAID
        emp = self.monthly()
        self._case("resignation", emp, self.days_ago(1), received_date=None,
                   requested_last_day=None, earlier_date_agreed=False)  # RECEIVED_DATE_MISSING
        self._resignation(self.ended())  # EMPLOYMENT_INACTIVE
        self._resignation(self.tjenestemand())  # TJENESTEMAND_REVIEW
        emp = self.monthly()
        emp["digital_post"] = False
        self._resignation(emp)  # NO_DIGITAL_POST
        emp = self.monthly()
        emp["start_date"] = self.days_ago(45)
        emp["probation_end"] = months_before(emp["start_date"], -3) - timedelta(days=1)
        self._settle(emp)
        self._resignation(emp, self.days_ago(2))  # probation: short notice

    # -- one_off_supplements -------------------------------------------------------------------
    def _amount(self) -> float:
        return float(self.rng.choice([1000, 1500, 2000, 2500, 3000, 4000, 5000, 7500, 10000]))

    def _supplement(self, emp: Emp | None, amount: float | None = None, reason: str | None = None,
                    period: str | None = None, pensionable: Any = "random",
                    submitted: date | None = None) -> dict[str, Any]:
        if pensionable == "random":
            pensionable = self.rng.random() < 0.6
        return self._case(
            "one_off_supplement", emp, submitted or self.days_ago(self.rng.randint(0, 6)),
            amount=self._amount() if amount is None else amount,
            reason=self.rng.choice(N.SUPPLEMENT_REASONS) if reason is None else reason,
            payout_period=period or self.next_period, pensionable=pensionable)

    def _plant_supplements(self, employees: int) -> None:
        for _ in range(max(4, employees // 50)):
            self._supplement(self.monthly())
        self._supplement(self.monthly(), amount=60000.0)  # AMOUNT_OUT_OF_RANGE
        self._supplement(self.monthly(), amount=-500.0)  # AMOUNT_OUT_OF_RANGE
        self._supplement(self.monthly(), reason="")  # REASON_MISSING
        self._supplement(self.monthly(), pensionable=None)  # AGREEMENT_UNKNOWN
        self._supplement(self.monthly(), period=period_of(self.as_of),
                         submitted=self.as_of)  # after the cut-off: moved to the next period
        self._supplement(self.ended())  # EMPLOYMENT_INACTIVE
        self._supplement(None)  # EMPLOYMENT_NOT_FOUND
        emp = self.monthly()
        case = self._supplement(emp, amount=4000.0, pensionable=True)  # DUPLICATE_REQUEST
        self.payroll_lines.append({
            "employment_id": emp["employment_id"], "wage_type": "Engangsvederlag",
            "period": case["payout_period"], "amount": 4000.0, "hours": None,
            "earning_year": None, "text": case["reason"], "pensionable": True,
            "reference": "MANUEL-REG-0001", "registered_date": self.days_ago(3)})

    def _batch_row(self, row: int, emp_id: str, amount: float | None = None,
                   reason: str | None = None) -> dict[str, Any]:
        return {"row": row, "employment_id": emp_id,
                "amount": self._amount() if amount is None else amount,
                "reason": reason or self.rng.choice(N.SUPPLEMENT_REASONS),
                "payout_period": self.next_period, "pensionable": self.rng.random() < 0.5}

    def _batch(self, rows: list[dict[str, Any]], control_total: float | None = None,
               xlsx: bytes | None = None) -> None:
        total = round(sum(r["amount"] for r in rows), 2) if control_total is None else control_total
        unit = self._unit(next(e for e in self.employments
                               if e["employment_id"] == rows[0]["employment_id"])["unit"])
        fields: dict[str, Any] = {"batch_id": None, "row_count": len(rows), "control_total": total}
        if xlsx is None:
            fields["rows"] = rows
        else:
            fields["xlsx_base64"] = base64.b64encode(xlsx).decode()
        case = self._case("supplement_batch", None, self.days_ago(self.rng.randint(1, 5)), **fields)
        case["unit"] = unit["unit"]

    def _plant_batches(self) -> None:
        ids = [self.monthly()["employment_id"] for _ in range(5)]
        rows = [self._batch_row(i + 1, emp_id) for i, emp_id in enumerate(ids)]
        rows.append({**rows[1], "row": 6})  # DUPLICATE_REQUEST
        rows.append(self._batch_row(7, self.monthly()["employment_id"], amount=75000.0))
        rows.append(self._batch_row(8, MISSING_EMPLOYMENT))  # EMPLOYMENT_NOT_FOUND
        self._batch(rows)
        rows = [self._batch_row(i + 1, self.monthly()["employment_id"]) for i in range(3)]
        self._batch(rows, control_total=round(sum(r["amount"] for r in rows) + 500, 2))
        rows = [self._batch_row(i + 1, self.monthly()["employment_id"]) for i in range(3)]
        headers = list(documents.BATCH_HEADERS)
        headers[1] = "Belob"  # BATCH_FILE_INVALID: a column is missing
        self._batch(rows, xlsx=documents.xlsx(headers, documents.batch_rows_table(rows)))
        rows = [self._batch_row(i + 1, self.monthly()["employment_id"]) for i in range(3)]
        cells = documents.batch_rows_table(rows)
        cells[1][1] = "fem tusind"  # BATCH_FILE_INVALID: row 2 cannot be read
        self._batch(rows, xlsx=documents.xlsx(documents.BATCH_HEADERS, cells))

    # -- sixth_holiday_week ------------------------------------------------------------------
    def _with_unused(self, emp: Emp, year: int) -> float:
        entry = next((h for h in emp["holiday6"] if h["earning_year"] == year), None)
        if entry is None:
            entry = {"earning_year": year, "earned_hours": emp["weekly_hours"], "taken_hours": 0.0,
                     "paid_hours": 0.0, "transferred_hours": 0.0}
            emp["holiday6"] = sorted([*emp["holiday6"], entry], key=lambda h: h["earning_year"])
        entry["taken_hours"] = entry["transferred_hours"] = 0.0
        return float(entry["earned_hours"])

    def _h6_request(self, emp: Emp | None, year: int, hours: float | None = None,
                    request: date | None = None) -> None:
        request = request or self.days_ago(self.rng.randint(0, 7))
        self._case("holiday6_payout_request", emp, request, request_date=request,
                   earning_year=year, hours=hours)

    def _plant_holiday6(self, employees: int) -> None:
        last_year = self.as_of.year - 1
        for i in range(max(4, employees // 50)):
            emp = self.monthly()
            unused = self._with_unused(emp, last_year)
            self._h6_request(emp, last_year, None if i % 2 == 0 else float(int(unused // 2) or 1))
        emp = self.monthly()
        self._h6_request(emp, last_year, self._with_unused(emp, last_year) + 10)  # INSUFFICIENT
        self._h6_request(self.monthly(), self.as_of.year)  # NOT_YET_AVAILABLE
        self._h6_request(self.monthly(), 2015)  # NO_BALANCE
        self._h6_request(self.hourly(), last_year)  # NO_ENTITLEMENT
        self._h6_request(self.ended(), last_year)  # EMPLOYMENT_INACTIVE
        self._h6_request(None, last_year)  # EMPLOYMENT_NOT_FOUND
        emp = self.monthly()
        self._with_unused(emp, last_year)
        emp["digital_post"] = False
        self._h6_request(emp, last_year)  # NO_DIGITAL_POST: a payout that cannot be lettered
        # termination sweep: monthly staff whose end date is in this or the next period
        ends = [month_end(self.as_of), month_end(month_end(self.as_of) + timedelta(days=1))]
        for end in ends:
            emp = self.monthly()
            emp["end_date"] = end
            self._with_unused(emp, last_year)
        emp = self.monthly()
        emp["end_date"] = ends[1]
        emp["holiday6_transfer_agreed"] = True  # skip: TRANSFER_AGREED
        emp = self.monthly()
        emp["end_date"] = ends[1] - timedelta(days=16)
        for entry in emp["holiday6"]:
            entry["taken_hours"] = entry["earned_hours"]  # skip: NOTHING_UNUSED

    # -- hourly sweep -----------------------------------------------------------------------------
    def _plant_hourly(self) -> None:
        threshold = months_before(self.as_of, 3)
        for days in (100, 140, 200):
            emp = self.hourly()
            emp["last_paid_date"] = self.days_ago(days)
        self.hourly()["last_paid_date"] = threshold - timedelta(days=1)  # terminate
        self.hourly()["last_paid_date"] = threshold  # skip: ACTIVE
        emp = self.hourly()
        emp["last_paid_date"], emp["digital_post"] = self.days_ago(120), False  # NO_DIGITAL_POST
        emp = self.hourly()
        emp["start_date"], emp["last_paid_date"] = self.days_ago(150), None  # NEVER_PAID
        emp = self.hourly()
        emp["start_date"], emp["last_paid_date"] = self.days_ago(20), None  # skip: NEW_EMPLOYMENT

    # -- refund_claims ---------------------------------------------------------------------------
    def _absence(self, emp: Emp, type_: str, first: date, **fields: Any) -> dict[str, Any]:
        absence = {
            "absence_id": f"F{len(self.absences) + 1:06d}",
            "employment_id": emp["employment_id"], "type": type_, "first_day": first,
            "last_day": None, "hours_per_week": None, "no_employer_period": False,
            "salary_continued": True, "salary_stop_date": None, "reported_date": None,
            "claimed_until": None,
        }
        absence.update(fields)
        self.absences.append(absence)
        return absence

    def _claim_due(self) -> dict[str, Any]:
        """A sickness absence reported in time whose refund can be claimed now."""
        first = self.days_ago(self.rng.randint(62, 85))
        return self._absence(self.monthly(), "sickness", first,
                             reported_date=first + timedelta(days=self.rng.randint(22, 33)))

    def _plant_absences(self, employees: int) -> None:
        rng, day = self.rng, timedelta(days=1)
        for _ in range(max(3, employees // 40)):
            first = self.days_ago(rng.randint(3, 150))
            last = first + timedelta(days=rng.randint(1, 45))
            reported = first + timedelta(days=rng.randint(22, 40))
            self._absence(self.monthly(), "sickness", first,
                          last_day=last if last < self.as_of and rng.random() < 0.5 else None,
                          reported_date=reported if reported <= self.as_of else None)
        claims = [self._claim_due() for _ in range(3)]
        self._absence(self.monthly(), "sickness", self.days_ago(10))  # wait: TOO_EARLY
        self._absence(self.monthly(), "sickness", self.days_ago(25))  # report_only
        self._absence(self.monthly(), "sickness", self.days_ago(32))  # report deadline near
        self._absence(self.monthly(), "sickness", self.days_ago(50))  # LATE_REPORT, report now
        first = self.days_ago(90)
        self._absence(self.monthly(), "sickness", first,
                      reported_date=first + timedelta(days=45))  # claim with LATE_REPORT
        first = self.days_ago(200)
        self._absence(self.monthly(), "sickness", first,
                      reported_date=first + timedelta(days=23))  # LOOKBACK_LIMIT
        first = self.days_ago(120)
        claims.append(self._absence(self.monthly(), "sickness", first,
                                    reported_date=first + timedelta(days=24),
                                    claimed_until=self.days_ago(49)))  # follow-up claim
        first = self.days_ago(40)
        self._absence(self.monthly(), "sickness", first,
                      last_day=first + 14 * day)  # none: WITHIN_EMPLOYER_PERIOD
        self._absence(self.monthly(), "partial_sickness", self.days_ago(60), hours_per_week=3.0,
                      reported_date=self.days_ago(35))  # none: BELOW_4H
        first = self.days_ago(75)
        claims.append(self._absence(self.monthly(), "partial_sickness", first, hours_per_week=12.0,
                                    reported_date=first + timedelta(days=25)))
        self._absence(self.monthly(), "sickness", self.days_ago(70),
                      salary_continued=False)  # none: NO_SALARY
        first = self.days_ago(60)
        claims.append(self._absence(self.monthly(), "sickness", first, no_employer_period=True,
                                    reported_date=first + timedelta(days=23)))
        first = self.days_ago(66)
        claims.append(self._absence(self.monthly(), "pregnancy_related", first,
                                    reported_date=first + timedelta(days=23)))
        first = self.days_ago(110)
        claims.append(self._absence(self.monthly(), "maternity", first,
                                    claimed_until=self.prev_month_end - timedelta(days=31)))
        stop = self.days_ago(70)
        self._absence(self.monthly(), "maternity", stop - timedelta(days=120), last_day=stop,
                      salary_stop_date=stop)  # DEADLINE_PASSED
        self._absence(self.monthly(), "maternity", date(2021, 12, 20))  # RATE_UNKNOWN (2021)
        outcomes = {refunds.bucket(self.seed, a["absence_id"]) for a in claims}
        while not {refunds.REDUCED, refunds.REJECTED} <= outcomes:
            outcomes.add(refunds.bucket(self.seed, self._claim_due()["absence_id"]))

    # -- document_journaling -------------------------------------------------------------------
    def _mail(self, emp: Emp | None, kind: str = "boerneattest", result: str | None = "clean",
              fmt: str = "digital", **fields: Any) -> dict[str, Any]:
        n = len(self.mail) + 1
        received = self.days_ago(self.rng.randint(0, 6))
        mail: dict[str, Any] = {"message_id": f"M{self.as_of.year}-{n:05d}",
                                "received_date": received}
        if emp is not None:
            prefix = "BA" if kind in ("boerneattest", "samtykke_afvist") else "SA"
            mail.update(kind=kind, name=emp["name"], cpr=emp["cpr"],
                        result=None if kind == "samtykke_afvist" else result, format=fmt,
                        order_id=f"{prefix}-{received.year}-{self.rng.randint(1000, 999999):06d}")
            if result == "entries":
                mail["records"] = self.rng.sample(N.RECORD_LINES, self.rng.randint(1, 2))
        mail.update(fields)
        self.mail.append(mail)
        return mail

    def _plant_mail(self, employees: int) -> None:
        rng = self.rng
        for _ in range(max(3, employees // 80)):
            self._mail(self.new_hire(True))
        self._mail(self.new_hire(True), fmt="scanned")
        self._mail(self.new_hire(True), fmt="scanned")
        self._mail(self.new_hire(False), kind="straffeattest_offentlig")
        self._mail(self.new_hire(False), kind="straffeattest_privat")
        self._mail(self.new_hire(True), result="entries")  # ATTEST_HAS_ENTRIES
        self._mail(self.new_hire(True), result="entries", fmt="scanned", pages=2)
        emp = self.new_hire(True)
        surname = emp["name"].split()[-1]
        other = rng.choice([f for f in N.FEMALE + N.MALE if f not in emp["name"].split()])
        self._mail(emp, name=f"{other} {surname}")  # IDENTITY_MISMATCH
        self._mail(self.new_hire(True), kind="samtykke_afvist")
        self._mail(self.ended())  # EMPLOYEE_NOT_FOUND: the only employment has ended
        self._mail(self.pairs[0][0])  # MULTIPLE_EMPLOYMENTS
        emp = self.new_hire(True)
        emp["cpr"] = self._unique(lambda: generate_substitute_cpr(rng, emp["_birth"]))
        self._mail(emp)  # CPR_SUBSTITUTE
        emp = self.new_hire(True)
        emp["cpr"] = self._manual_cpr()  # CPR_CHECK_MANUAL
        self._mail(emp)
        emp = self.new_hire(True)
        person = self._person(exempt=True)
        emp.update(cpr=person["cpr"], _birth=person["_birth"])
        self._mail(emp, fmt="scanned")  # valid, mod11_exempt
        self._mail(None, pdf_base64=_b64(b"%PDF-1.4\n% broken: truncated before any object\n"))
        self._mail(None, pdf_base64=_b64(documents.plain_pdf([
            "Rigspolitiet", "Kriminalregisteret", "KVITTERING FOR BESTILLING",
            f"Bestillings-id: BA-{self.as_of.year}-{rng.randint(1000, 99999):06d}",
            "Din bestilling er modtaget og behandles."])))  # DOC_UNKNOWN_KIND
        emp = self.new_hire(True)
        for cpr in (emp["cpr"][:6] + "-" + emp["cpr"][6:9], "320189-1234"):  # MALFORMED, DATE
            cert = Certificate(kind="boerneattest", issued=self.days_ago(3),
                               order_id=f"BA-{self.as_of.year}-{rng.randint(1000, 999999):06d}",
                               name=emp["name"], cpr=cpr)
            self._mail(None, pdf_base64=_b64(render_certificate_pdf(cert)))

    # -- output -----------------------------------------------------------------------------------
    def _trim(self, employees: int) -> None:
        """Drop spare ordinary employments so the count is exactly what was asked for."""
        keep = set(self.used) | {e["employment_id"] for pair in self.pairs for e in pair}
        spare = [e for e in self.employments if e["employment_id"] not in keep]
        excess = min(len(self.employments) - employees, len(spare))
        if excess > 0:
            drop = {e["employment_id"] for e in self.rng.sample(spare, excess)}
            self.employments = [e for e in self.employments if e["employment_id"] not in drop]

    def _finish(self) -> dict[str, Any]:
        self.rng.shuffle(self.cases)
        for i, case in enumerate(self.cases, start=1):
            case["case_id"] = f"SP-{self.as_of.year}-{i:05d}"
            if case["type"] == "supplement_batch":
                case["batch_id"] = f"BATCH-{self.as_of.year}-{i:05d}"
        return _iso({
            "as_of": self.as_of,
            "seed": self.seed,
            "units": sorted(self.units, key=lambda u: u["unit"]),
            "employments": sorted(self.employments, key=lambda e: e["employment_id"]),
            "cases": sorted(self.cases, key=lambda c: c["case_id"]),
            "absences": self.absences,
            "attest_mail": self.mail,
            "payroll_lines": self.payroll_lines,
        })
