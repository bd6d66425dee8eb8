"""Serviceportalen: managers' cases, replies and status, messages to unit managers."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import Connection, select

from sandbox import db as t
from sandbox import documents
from sandbox.pages import Details, Field, Form, Links, Page, Section, Table
from sandbox.web import Ctx, context, done, found, not_found, path_quote, posted, receipt_id, system_router

SYSTEM = "serviceportal"
router, auth = system_router(SYSTEM, "cases")

STATUSES = ["Åben", "Under behandling", "Løst"]
TYPE_TEXT = {
    "resignation": "Opsigelse",
    "one_off_supplement": "Engangsvederlag",
    "supplement_batch": "Engangsvederlag, masseindberetning",
    "holiday6_payout_request": "Udbetaling af 6. ferieuge",
}
HIDDEN_CASE_FIELDS = {"rows", "xlsx_base64"}


def _type(value: str) -> tuple[str, str]:
    return value, TYPE_TEXT.get(value, value)


@router.get("/cases")
async def cases(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        type_, status = (request.query_params.get(k, "") for k in ("type", "status"))
        stmt = select(t.cases).order_by(t.cases.c.case_id)
        if ctx.q():
            stmt = stmt.where(t.cases.c.search.contains(ctx.q().lower()))
        if type_:
            stmt = stmt.where(t.cases.c.type == type_)
        if status:
            stmt = stmt.where(t.cases.c.status == status)
        rows, pager = ctx.paginate(stmt)
        table = Table("cases-table",
                      ["case_id", "type", "unit", "employment_id", "submitted_date", "status",
                       "reference"],
                      [{"case_id": r.case_id, "type": _type(r.type), "unit": r.unit,
                        "employment_id": r.data.get("employment_id"),
                        "submitted_date": r.data.get("submitted_date"), "status": r.status,
                        "reference": r.reference, "_href": f"/{SYSTEM}/cases/{r.case_id}"}
                       for r in rows], link="case_id", id_key="case_id", pager=pager)
        filters = [
            Field("type", "type", "select", type_,
                  [("", "Alle"), *((k, v) for k, v in TYPE_TEXT.items())]),
            Field("status", "status", "select", status, [("", "Alle"), *((s, s) for s in STATUSES)]),
        ]
        return ctx.render(ctx.search_page("cases", "cases", f"/{SYSTEM}/cases", table, filters))


def _load_case(conn: Connection, case_id: str) -> Any:
    return conn.execute(select(t.cases).where(t.cases.c.case_id == case_id)).first()


def _case(ctx: Ctx, case_id: str) -> Any:
    """The case, or the 404 page."""
    return found(_load_case(ctx.conn, case_id), f"Sagen {case_id}")


def case_page(ctx: Ctx, case: Any, errors: list[str] | None = None,
              values: dict[str, Any] | None = None) -> Page:
    values = values or {}
    data = case.data
    items: list[tuple[str, Any]] = [("case_id", case.case_id), ("type", _type(case.type)),
                                    ("status", case.status)]
    items += [(k, v) for k, v in data.items()
              if k not in HIDDEN_CASE_FIELDS and k not in ("case_id", "type")]
    sections = [Section("details", [Details("case-details", items)], "details")]
    if case.type == "supplement_batch":
        href = f"/{SYSTEM}/cases/{case.case_id}/attachment.xlsx"
        sections.append(Section("attachments", [Links("attachments", [
            ("attachment", href, "attachment-link")])], "attachment"))
    events = ctx.conn.execute(select(t.case_events).where(
        t.case_events.c.case_id == case.case_id).order_by(t.case_events.c.id)).all()
    sections.append(Section("events", [Table(
        "events-table", ["receipt_id", "date", "kind", "status", "text", "reference"],
        [{**e._mapping, "receipt_id": receipt_id("SV", e.id),
          "kind": (e.kind, "Svar" if e.kind == "reply" else "Status")} for e in events])],
        "events"))
    action = f"/{SYSTEM}/cases/{case.case_id}"
    reply = Form("reply-form", f"{action}/reply", [
        Field("reply", "reply", "textarea", values.get("reply", ""), required=True),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_reply", heading="form_reply")
    status = Form("status-form", f"{action}/status", [
        Field("status", "status", "select", values.get("status", case.status),
              [(s, s) for s in STATUSES], required=True),
        Field("reply", "reply", "textarea", values.get("status_reply", "")),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_status", heading="form_status")
    sections.append(Section("forms", [reply, status]))
    return Page("case", "case", sections, subtitle=case.case_id, errors=errors or [])


@router.get("/cases/{case_id}")
async def case(request: Request, case_id: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(case_page(ctx, _case(ctx, case_id)))


@router.get("/cases/{case_id}/attachment.xlsx")
async def attachment(request: Request, case_id: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        row = _load_case(ctx.conn, case_id)
        if row is None or row.type != "supplement_batch":
            return not_found(ctx, f"Bilaget til sagen {case_id}")
        data = row.data
        if data.get("xlsx_base64") is not None:
            content = base64.b64decode(data["xlsx_base64"])
        else:
            content = documents.batch_xlsx(data.get("rows") or [])
    name = f"{data.get('batch_id') or case_id}.xlsx"
    return Response(content, media_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _event(ctx: Ctx, case_id: str, kind: str, text: str | None, status: str | None,
           reference: str) -> str:
    return receipt_id("SV", t.insert(ctx.conn, t.case_events, case_id=case_id, kind=kind, text=text,
                                     status=status, reference=reference, date=ctx.as_of))


@router.post("/cases/{case_id}/reply")
async def reply(request: Request, case_id: str, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        row = _case(ctx, case_id)
        text = form.text("reply", "reply", required=True)
        reference = form.reference()
        if form.errors:
            return ctx.render(case_page(ctx, row, form.errors, form.values()))
        receipt = _event(ctx, case_id, "reply", text, None, reference)
        ctx.conn.execute(t.cases.update().where(t.cases.c.case_id == case_id)
                         .values(reply=text, reference=reference))
    return done(f"/{SYSTEM}/cases/{case_id}", receipt)


@router.post("/cases/{case_id}/status")
async def set_status(request: Request, case_id: str, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        row = _case(ctx, case_id)
        status = form.choice("status", "status", STATUSES)
        text = form.text("reply", "reply")
        reference = form.reference()
        if form.errors:
            values = {**form.values(), "status_reply": text or ""}
            return ctx.render(case_page(ctx, row, form.errors, values))
        receipt = _event(ctx, case_id, "status", text, status, reference)
        changes: dict[str, Any] = {"status": status, "reference": reference}
        if text:
            changes["reply"] = text
        ctx.conn.execute(t.cases.update().where(t.cases.c.case_id == case_id).values(**changes))
    return done(f"/{SYSTEM}/cases/{case_id}", receipt)


def unit_href(unit: str) -> str:
    return f"/{SYSTEM}/units/{path_quote(unit)}"


@router.get("/units")
async def units(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        stmt = ctx.matching(select(t.units.c.data).order_by(t.units.c.unit), t.units.c.unit)
        rows, pager = ctx.paginate(stmt)
        table = Table("units-table", ["unit", "administration", "manager", "manager_email",
                                      "child_facing"],
                      [{**r.data, "_href": unit_href(r.data["unit"])} for r in rows],
                      link="unit", id_key="unit", pager=pager)
        return ctx.render(ctx.search_page("units", "units", f"/{SYSTEM}/units", table))


MESSAGE_COLUMNS = ["receipt_id", "sent_date", "unit", "subject", "text", "reference"]


def _message_rows(rows: list[Any]) -> list[dict[str, Any]]:
    return [{**r._mapping, "receipt_id": receipt_id("MB", r.id)} for r in rows]


def unit_page(ctx: Ctx, data: dict[str, Any], errors: list[str] | None = None,
              values: dict[str, Any] | None = None) -> Page:
    values = values or {}
    sent = ctx.conn.execute(select(t.manager_messages).where(
        t.manager_messages.c.unit == data["unit"]).order_by(t.manager_messages.c.id)).all()
    form = Form("message-form", f"{unit_href(data['unit'])}/messages", [
        Field("subject", "subject", value=values.get("subject", ""), required=True),
        Field("text", "message", "textarea", values.get("text", ""), required=True),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_message", heading="form_message")
    return Page("unit", "units", [
        Section("details", [Details("unit-details", list(data.items()))], "details"),
        Section("messages", [Table("messages-table", MESSAGE_COLUMNS, _message_rows(sent),
                                   id_key="receipt_id")], "messages"),
        Section("forms", [form]),
    ], subtitle=data["unit"], errors=errors or [])


def _unit(ctx: Ctx, unit: str) -> dict[str, Any]:
    """The unit's record, or the 404 page."""
    row = ctx.conn.execute(select(t.units.c.data).where(t.units.c.unit == unit)).first()
    return dict(found(row, f"Enheden {unit}").data)


@router.get("/units/{unit}")
async def unit(request: Request, unit: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(unit_page(ctx, _unit(ctx, unit)))


@router.post("/units/{unit}/messages")
async def send_message(request: Request, unit: str, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        data = _unit(ctx, unit)
        subject = form.text("subject", "subject", required=True)
        text = form.text("text", "message", required=True)
        reference = form.reference()
        if form.errors:
            return ctx.render(unit_page(ctx, data, form.errors, form.values()))
        receipt = receipt_id("MB", t.insert(ctx.conn, t.manager_messages, unit=unit,
                                            subject=subject, text=text, reference=reference,
                                            sent_date=ctx.as_of))
    return done(unit_href(unit), receipt)


@router.get("/messages")
async def messages(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        stmt = select(t.manager_messages).order_by(t.manager_messages.c.id)
        rows, pager = ctx.paginate(ctx.matching(stmt, t.manager_messages.c.unit,
                                                t.manager_messages.c.reference,
                                                t.manager_messages.c.subject))
        table = Table("messages-table", MESSAGE_COLUMNS, _message_rows(rows),
                      id_key="receipt_id", pager=pager)
        return ctx.render(ctx.search_page("messages", "messages", f"/{SYSTEM}/messages", table))
