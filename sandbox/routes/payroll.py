"""Lønsystem: employments, 6th-week balances, absences, end dates and payroll lines."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection, Select, func, select

from sandbox import db as t
from sandbox.pages import Details, Field, Form, Page, Section, Table
from sandbox.web import Ctx, FormReader, context, done, found, posted, receipt_id, system_router

SYSTEM = "payroll"
router, auth = system_router(SYSTEM, "employments")

ONE_OFF, SIXTH_WEEK = "Engangsvederlag", "Udbetaling 6. ferieuge"
WAGE_TYPES = [ONE_OFF, SIXTH_WEEK]
PAY_TEXT = {"monthly": "Månedslønnet", "hourly": "Timelønnet"}
ABSENCE_TEXT = {"sickness": "Sygdom", "partial_sickness": "Delvis sygdom",
                "pregnancy_related": "Graviditetsbetinget", "maternity": "Barsel"}
EMPLOYMENT_FIELDS = (
    "employment_id", "name", "cpr", "address", "position", "unit", "administration", "category",
    "pay", "start_date", "probation_end", "end_date", "weekly_hours", "monthly_salary",
    "hourly_rate", "agreement", "pension_pct", "last_paid_date", "digital_post",
    "holiday6_transfer_agreed",
)
_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def load_employment(conn: Connection, employment_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(t.employments.c.data)
                       .where(t.employments.c.employment_id == employment_id)).first()
    return dict(row.data) if row else None


def _employment(ctx: Ctx, employment_id: str) -> dict[str, Any]:
    """The employment's record, or the 404 page."""
    return found(load_employment(ctx.conn, employment_id), f"Ansættelsen {employment_id}")


def employments_matching(ctx: Ctx) -> Select[Any]:
    """The employments' records in number order, narrowed to the search (name, number, CPR)."""
    stmt = select(t.employments.c.data).order_by(t.employments.c.employment_id)
    if ctx.q():
        stmt = stmt.where(t.employments.c.search.contains(ctx.search_text()))
    return stmt


def save_employment(conn: Connection, data: dict[str, Any]) -> None:
    conn.execute(t.employments.update()
                 .where(t.employments.c.employment_id == data["employment_id"])
                 .values(data=data))


def unused(entry: dict[str, Any]) -> float:
    return round(entry["earned_hours"] - entry["taken_hours"] - entry["paid_hours"]
                 - entry["transferred_hours"], 2)


def open_periods(as_of: str) -> tuple[str, str]:
    """Lønsystem accepts lines from three months back to twelve months ahead."""
    year, month = int(as_of[:4]), int(as_of[5:7])

    def shift(n: int) -> str:
        y, m = divmod(year * 12 + month - 1 + n, 12)
        return f"{y:04d}-{m + 1:02d}"

    return shift(-3), shift(12)


@router.get("/employments")
async def employments(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        params = request.query_params
        pay = params.get("pay", "")
        end_from, end_to = params.get("end_from", ""), params.get("end_to", "")
        stmt = employments_matching(ctx)
        if pay in PAY_TEXT:
            stmt = stmt.where(t.employments.c.pay == pay)
        end_date = func.json_extract(t.employments.c.data, "$.end_date")
        if _ISO.match(end_from):
            stmt = stmt.where(end_date >= end_from)
        if _ISO.match(end_to):
            stmt = stmt.where(end_date <= end_to)
        # start_from/start_to: a query filter only (no labels for them in the search form yet)
        start_from, start_to = params.get("start_from", ""), params.get("start_to", "")
        start_date = func.json_extract(t.employments.c.data, "$.start_date")
        if _ISO.match(start_from):
            stmt = stmt.where(start_date >= start_from)
        if _ISO.match(start_to):
            stmt = stmt.where(start_date <= start_to)
        rows, pager = ctx.paginate(stmt)
        table = Table("employments-table",
                      ["employment_id", "name", "cpr", "position", "unit", "pay", "end_date",
                       "last_paid_date"],
                      [employment_row(r.data) for r in rows], link="employment_id",
                      id_key="employment_id", pager=pager)
        pay_filter = Field("pay", "pay", "select", pay,
                           [("", "Alle"), ("monthly", "Månedslønnet"), ("hourly", "Timelønnet")])
        filters = [pay_filter, Field("end_from", "end_from", "date", end_from),
                   Field("end_to", "end_to", "date", end_to)]
        return ctx.render(ctx.search_page("employments", "employments", f"/{SYSTEM}/employments",
                                          table, filters))


def employment_row(data: dict[str, Any]) -> dict[str, Any]:
    row = {k: data.get(k) for k in EMPLOYMENT_FIELDS}
    row["pay"] = (data["pay"], PAY_TEXT[data["pay"]])
    row["_href"] = f"/{SYSTEM}/employments/{data['employment_id']}"
    return row


def lines_table(conn: Connection, employment_id: str) -> Table:
    rows = conn.execute(select(t.payroll_lines).where(
        t.payroll_lines.c.employment_id == employment_id).order_by(t.payroll_lines.c.id)).all()
    return Table("payroll-lines-table",
                 ["receipt_id", "wage_type", "period", "amount", "hours", "earning_year", "text",
                  "pensionable", "registered_date", "reference"],
                 [{**r._mapping, "receipt_id": receipt_id("PL", r.id)} for r in rows],
                 id_key="receipt_id")


def employment_page(ctx: Ctx, data: dict[str, Any], errors: list[str] | None = None,
                    values: dict[str, Any] | None = None) -> Page:
    eid = data["employment_id"]
    values = values or {}
    row = employment_row(data)
    facts = Details("employment-details", [(k, row[k]) for k in EMPLOYMENT_FIELDS])
    h6 = Table("holiday6-table", ["earning_year", "earned_hours", "taken_hours", "paid_hours",
                                  "transferred_hours", "unused_hours"],
               [{**h, "unused_hours": unused(h)} for h in data.get("holiday6", [])],
               id_key="earning_year")
    absence_rows = ctx.conn.execute(select(t.absences.c.data, t.absences.c.reference).where(
        t.absences.c.employment_id == eid).order_by(t.absences.c.absence_id)).all()
    absences = Table("absences-table", ABSENCE_COLUMNS,
                     [absence_row(r.data, r.reference) for r in absence_rows],
                     link="absence_id", id_key="absence_id")
    ends = ctx.conn.execute(select(t.terminations).where(
        t.terminations.c.employment_id == eid).order_by(t.terminations.c.id)).all()
    terminations = Table("terminations-table",
                         ["receipt_id", "last_day", "registered_date", "reference"],
                         [{**r._mapping, "receipt_id": receipt_id("FR", r.id)} for r in ends])
    end_form = Form("end-date-form", f"/{SYSTEM}/employments/{eid}/end-date", [
        Field("last_day", "last_day", "date", values.get("last_day", ""), required=True),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_end_date", heading="form_end_date")
    line_form = Form("payroll-line-form", f"/{SYSTEM}/employments/{eid}/payroll-lines", [
        Field("wage_type", "wage_type", "select", values.get("wage_type", ONE_OFF),
              [(w, w) for w in WAGE_TYPES], required=True),
        Field("period", "period", "text", values.get("period", ""), required=True),
        Field("amount", "amount", "number", values.get("amount", ""), required=True),
        Field("hours", "hours", "number", values.get("hours", "")),
        Field("earning_year", "earning_year", "number", values.get("earning_year", "")),
        Field("text", "text", "text", values.get("text", "")),
        Field("pensionable", "pensionable", "select", values.get("pensionable", ""),
              [("", "–"), ("ja", "Ja"), ("nej", "Nej")]),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_payroll_line", heading="form_payroll_line")
    return Page("employment", "employment", [
        Section("details", [facts], "details"),
        Section("holiday6", [h6], "holiday6"),
        Section("absences", [absences], "absences"),
        Section("payroll-lines", [lines_table(ctx.conn, eid)], "payroll_lines"),
        Section("terminations", [terminations], "terminations"),
        Section("forms", [end_form, line_form]),
    ], subtitle=f"{eid} {data['name']}", errors=errors or [])


@router.get("/employments/{employment_id}")
async def employment(request: Request, employment_id: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(employment_page(ctx, _employment(ctx, employment_id)))


@router.get("/employments/{employment_id}/payroll-lines")
async def employment_lines(request: Request, employment_id: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        data = _employment(ctx, employment_id)
        return ctx.render(Page("payroll-lines", "payroll_lines",
                               [Section("payroll-lines", [lines_table(ctx.conn, employment_id)])],
                               subtitle=f"{employment_id} {data['name']}"))


@router.post("/employments/{employment_id}/end-date")
async def register_end_date(request: Request, employment_id: str, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        data = _employment(ctx, employment_id)
        last_day = form.date("last_day", "last_day", required=True)
        reference = form.reference()
        if last_day and last_day < data["start_date"]:
            form.errors.append("Fratrædelsesdatoen ligger før ansættelsens start.")
        if last_day and data.get("end_date") and data["end_date"] != last_day:
            form.errors.append(f"Ansættelsen har allerede fratrædelsesdato {data['end_date']}.")
        if form.errors:
            return ctx.render(employment_page(ctx, data, form.errors, form.values()))
        data["end_date"] = last_day
        save_employment(ctx.conn, data)
        receipt = receipt_id("FR", t.insert(ctx.conn, t.terminations, employment_id=employment_id,
                                            last_day=last_day, reference=reference,
                                            registered_date=ctx.as_of))
    return done(f"/{SYSTEM}/employments/{employment_id}", receipt)


def _check_line(form: FormReader, ctx: Ctx, data: dict[str, Any]) -> dict[str, Any]:
    wage_type = form.choice("wage_type", "wage_type", WAGE_TYPES)
    period = form.text("period", "period", required=True)
    amount = form.number("amount", "amount", required=True)
    hours = form.number("hours", "hours")
    year = form.number("earning_year", "earning_year")
    pensionable = form.choice("pensionable", "pensionable", ["ja", "nej"], required=False)
    line = {"wage_type": wage_type, "period": period, "amount": amount, "hours": hours,
            "earning_year": int(year) if year is not None else None,
            "text": form.text("text", "text"), "reference": form.reference(),
            "pensionable": None if pensionable is None else pensionable == "ja"}
    if amount is not None and amount <= 0:
        form.errors.append("Beløbet skal være større end 0.")
    if amount is not None and amount > 1_000_000:
        form.errors.append("Beløbet er for stort.")
    if period is not None:
        first, last = open_periods(ctx.as_of)
        match = _PERIOD.match(period)
        if not match or not 1 <= int(match.group(2)) <= 12 or not first <= period <= last:
            form.errors.append(f"Ukendt lønperiode: {period} (åbne perioder {first} – {last}).")
        elif data.get("end_date") and period > data["end_date"][:7]:
            form.errors.append(f"Ansættelsen er ophørt {data['end_date']}.")
    if hours is not None and hours <= 0:
        form.errors.append("Timer skal være større end 0.")
    if wage_type == SIXTH_WEEK:
        _check_sixth_week(form, data, line)
    return line


def _check_sixth_week(form: FormReader, data: dict[str, Any], line: dict[str, Any]) -> None:
    if data["pay"] != "monthly":
        form.errors.append("Timelønnede har ingen 6. ferieuge.")
        return
    year, hours = line["earning_year"], line["hours"]
    if year is None or hours is None:
        form.errors.append("Udbetaling af 6. ferieuge kræver optjeningsår og timer.")
        return
    entry = next((h for h in data.get("holiday6", []) if h["earning_year"] == year), None)
    if entry is None:
        form.errors.append(f"Ingen saldo for optjeningsår {year}.")
    elif hours > unused(entry) + 0.001:
        form.errors.append(f"Saldoen for {year} er kun {unused(entry):.2f} timer.")


@router.post("/employments/{employment_id}/payroll-lines")
async def register_line(request: Request, employment_id: str, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        data = _employment(ctx, employment_id)
        line = _check_line(form, ctx, data)
        if form.errors:
            return ctx.render(employment_page(ctx, data, form.errors, form.values()))
        if line["wage_type"] == SIXTH_WEEK:
            for entry in data["holiday6"]:
                if entry["earning_year"] == line["earning_year"]:
                    entry["paid_hours"] = round(entry["paid_hours"] + line["hours"], 2)
            save_employment(ctx.conn, data)
        receipt = receipt_id("PL", t.insert(ctx.conn, t.payroll_lines, employment_id=employment_id,
                                            registered_date=ctx.as_of, **line))
    return done(f"/{SYSTEM}/employments/{employment_id}", receipt)


ABSENCE_COLUMNS = ["absence_id", "employment_id", "type", "first_day", "last_day",
                   "reported_date", "claimed_until", "reference"]
ABSENCE_FIELDS = ("absence_id", "employment_id", "type", "first_day", "last_day",
                  "hours_per_week", "no_employer_period", "salary_continued", "salary_stop_date",
                  "reported_date", "claimed_until")


def absence_row(data: dict[str, Any], reference: str | None) -> dict[str, Any]:
    row = {k: data.get(k) for k in ABSENCE_FIELDS}
    row["type"] = (data["type"], ABSENCE_TEXT[data["type"]])
    row["reference"] = reference
    row["_href"] = f"/{SYSTEM}/absences/{data['absence_id']}"
    return row


@router.get("/absences")
async def absences(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        stmt = select(t.absences.c.data, t.absences.c.reference).order_by(t.absences.c.absence_id)
        rows, pager = ctx.paginate(ctx.matching(stmt, t.absences.c.absence_id,
                                                t.absences.c.employment_id))
        table = Table("absences-table", ABSENCE_COLUMNS,
                      [absence_row(r.data, r.reference) for r in rows],
                      link="absence_id", id_key="absence_id", pager=pager)
        return ctx.render(ctx.search_page("absences", "absences", f"/{SYSTEM}/absences", table))


def absence_page(ctx: Ctx, data: dict[str, Any], reference: str | None,
                 errors: list[str] | None = None, values: dict[str, Any] | None = None) -> Page:
    values = values or {}
    row = absence_row(data, reference)
    facts = Details("absence-details", [(k, row[k]) for k in (*ABSENCE_FIELDS, "reference")])
    form = Form("absence-form", f"/{SYSTEM}/absences/{data['absence_id']}", [
        Field("reported_date", "reported_date", "date", values.get("reported_date", "")),
        Field("claimed_until", "claimed_until", "date", values.get("claimed_until", "")),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_absence", heading="form_absence")
    return Page("absence", "absences", [Section("details", [facts], "details"),
                                        Section("forms", [form])],
                subtitle=data["absence_id"], errors=errors or [])


def _absence(ctx: Ctx, absence_id: str) -> Any:
    """The absence's record and reference, or the 404 page."""
    return found(ctx.conn.execute(select(t.absences.c.data, t.absences.c.reference)
                                  .where(t.absences.c.absence_id == absence_id)).first(),
                 f"Fraværet {absence_id}")


@router.get("/absences/{absence_id}")
async def absence(request: Request, absence_id: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        row = _absence(ctx, absence_id)
        return ctx.render(absence_page(ctx, dict(row.data), row.reference))


@router.post("/absences/{absence_id}")
async def update_absence(request: Request, absence_id: str, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        row = _absence(ctx, absence_id)
        data = dict(row.data)
        reported = form.date("reported_date", "reported_date")
        claimed = form.date("claimed_until", "claimed_until")
        reference = form.reference()
        if reported is None and claimed is None and not form.errors:
            form.errors.append("Angiv anmeldt dato eller refusion søgt til.")
        for value in (reported, claimed):
            if value is not None and value < data["first_day"]:
                form.errors.append("Datoen ligger før første fraværsdag.")
        if form.errors:
            return ctx.render(absence_page(ctx, data, row.reference, form.errors, form.values()))
        if reported is not None:
            data["reported_date"] = reported
        if claimed is not None:
            data["claimed_until"] = claimed
        ctx.conn.execute(t.absences.update().where(t.absences.c.absence_id == absence_id)
                         .values(data=data, reference=reference))
    return done(f"/{SYSTEM}/absences/{absence_id}", f"FA-{absence_id}")
