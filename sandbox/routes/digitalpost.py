"""Digital Post: letters (PDF) to an employment's person; the outbox."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from sandbox import db as t
from sandbox.documents import pdf_text
from sandbox.pages import Details, Field, Form, Links, Page, Section, Table, Text
from sandbox.routes.payroll import load_employment
from sandbox.web import Ctx, context, done, found, posted, receipt_id, system_router

SYSTEM = "digitalpost"
router, auth = system_router(SYSTEM, "outbox")

OUTBOX_COLUMNS = ["receipt_id", "sent", "employment_id", "recipient", "subject", "reference"]
LIST_COLUMNS = (t.letters.c.id, t.letters.c.sent, t.letters.c.employment_id, t.letters.c.subject,
                t.letters.c.reference, t.employments.c.name)


def _row(r: Any) -> dict[str, Any]:
    return {"receipt_id": receipt_id("DP", r.id), "sent": r.sent, "employment_id": r.employment_id,
            "recipient": r.name, "subject": r.subject, "reference": r.reference,
            "_href": f"/{SYSTEM}/letters/{r.id}"}


@router.get("/outbox")
async def outbox(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        stmt = (select(*LIST_COLUMNS)
                .join(t.employments, t.employments.c.employment_id == t.letters.c.employment_id)
                .order_by(t.letters.c.id))
        rows, pager = ctx.paginate(ctx.matching(stmt, t.letters.c.employment_id,
                                                t.letters.c.reference, t.letters.c.subject))
        table = Table("outbox-table", OUTBOX_COLUMNS, [_row(r) for r in rows], link="receipt_id",
                      id_key="receipt_id", pager=pager)
        return ctx.render(ctx.search_page("outbox", "outbox", f"/{SYSTEM}/outbox", table))


def send_page(errors: list[str] | None = None, values: dict[str, Any] | None = None) -> Page:
    values = values or {}
    form = Form("send-form", f"/{SYSTEM}/send", [
        Field("employment_id", "employment_id", value=values.get("employment_id", ""),
              required=True),
        Field("subject", "subject", value=values.get("subject", ""), required=True),
        Field("file", "file", "file", required=True),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_send", heading="send_letter", multipart=True)
    return Page("send", "send_letter", [Section("forms", [form])], errors=errors or [])


@router.get("/send")
async def send_form(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(send_page(values=dict(request.query_params)))


@router.post("/send")
async def send(request: Request, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        employment_id = form.text("employment_id", "employment_id", required=True)
        subject = form.text("subject", "subject", required=True)
        pdf = await form.pdf("file", "file")
        reference = form.reference()
        data = load_employment(ctx.conn, employment_id) if employment_id else None
        if employment_id and data is None:
            form.errors.append(f"Ukendt medarbejdernr.: {employment_id}.")
        elif data is not None and not data["digital_post"]:
            form.errors.append("Modtageren er ikke tilmeldt Digital Post. Brevet er ikke sendt.")
        if form.errors:
            return ctx.render(send_page(form.errors, form.values()))
        letter_id = t.insert(ctx.conn, t.letters, employment_id=employment_id, subject=subject,
                             text=pdf_text(pdf or b""), pdf=pdf, sent=ctx.as_of,
                             reference=reference)
    return done(f"/{SYSTEM}/letters/{letter_id}", receipt_id("DP", letter_id))


def _letter(ctx: Ctx, letter_id: int) -> Any:
    return ctx.conn.execute(select(*LIST_COLUMNS, t.letters.c.text)
                            .join(t.employments,
                                  t.employments.c.employment_id == t.letters.c.employment_id)
                            .where(t.letters.c.id == letter_id)).first()


@router.get("/letters/{letter_id}")
async def letter(request: Request, letter_id: int, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        row = found(_letter(ctx, letter_id), f"Brevet {letter_id}")
        facts = {k: v for k, v in _row(row).items() if not k.startswith("_")}
        return ctx.render(Page("letter", "outbox", [
            Section("details", [Details("letter-details", list(facts.items()))], "details"),
            Section("document", [Links("documents", [
                ("download", f"/{SYSTEM}/letters/{letter_id}/letter.pdf", "download-pdf")]),
                Text("letter-text", row.text)], "letter_text"),
        ], subtitle=facts["receipt_id"]))


@router.get("/letters/{letter_id}/letter.pdf")
async def letter_pdf(request: Request, letter_id: int, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.stored_pdf(t.letters, letter_id, f"Brevet {letter_id}")
