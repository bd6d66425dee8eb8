"""Attestpostkasse: incoming certificates (PDF, some scanned); move to "Behandlet"."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from sandbox import db as t
from sandbox import documents
from sandbox.pages import Details, Field, Form, Links, Page, Section, Table
from sandbox.web import Ctx, context, done, found, not_found, posted, system_router

SYSTEM = "attest"
router, auth = system_router(SYSTEM, "inbox")

INBOX, PROCESSED = "Indbakke", "Behandlet"
SENDER = "Rigspolitiet, Kriminalregisteret"
SUBJECT = "Post fra Kriminalregisteret"
COLUMNS = ["message_id", "received_date", "sender", "subject", "folder", "reference"]


def _row(r: Any) -> dict[str, Any]:
    return {"message_id": r.message_id, "received_date": r.data["received_date"],
            "sender": SENDER, "subject": SUBJECT, "folder": r.folder, "reference": r.reference,
            "processed_date": r.processed_date, "_href": f"/{SYSTEM}/messages/{r.message_id}"}


@router.get("/inbox")
async def inbox(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        folder = request.query_params.get("folder", INBOX)
        columns = (t.attest_mail.c.message_id, t.attest_mail.c.folder,
                   t.attest_mail.c.reference, t.attest_mail.c.processed_date, t.attest_mail.c.data)
        stmt = select(*columns).order_by(t.attest_mail.c.message_id)
        if folder in (INBOX, PROCESSED):
            stmt = stmt.where(t.attest_mail.c.folder == folder)
        rows, pager = ctx.paginate(ctx.matching(stmt, t.attest_mail.c.message_id))
        table = Table("messages-table", COLUMNS, [_row(r) for r in rows], link="message_id",
                      id_key="message_id", pager=pager)
        folder_filter = Field("folder", "folder", "select", folder,
                              [(INBOX, INBOX), (PROCESSED, PROCESSED), ("alle", "Alle")])
        title = "processed" if folder == PROCESSED else "inbox"
        return ctx.render(ctx.search_page("inbox", title, f"/{SYSTEM}/inbox", table, [folder_filter]))


def _message(ctx: Ctx, message_id: str) -> Any:
    """The message (without its PDF), or the 404 page."""
    return found(ctx.conn.execute(select(
        t.attest_mail.c.message_id, t.attest_mail.c.folder, t.attest_mail.c.reference,
        t.attest_mail.c.processed_date, t.attest_mail.c.data,
    ).where(t.attest_mail.c.message_id == message_id)).first(), f"Meddelelsen {message_id}")


def message_page(ctx: Ctx, row: Any, errors: list[str] | None = None,
                 values: dict[str, Any] | None = None) -> Page:
    values = values or {}
    facts = _row(row)
    keys = ["message_id", "received_date", "sender", "subject", "folder", "processed_date",
            "reference"]
    sections = [
        Section("details", [Details("message-details", [(k, facts[k]) for k in keys])],
                "details"),
        Section("documents", [Links("documents", [
            ("download", f"/{SYSTEM}/messages/{row.message_id}/document.pdf", "download-pdf")])],
            "attachment"),
    ]
    if row.folder == INBOX:
        sections.append(Section("forms", [Form("move-form", f"/{SYSTEM}/messages/{row.message_id}/move", [
            Field("folder", "folder", "hidden", PROCESSED),
            Field("reference", "reference", value=values.get("reference", ""), required=True),
        ], "btn_move", heading="form_move")]))
    return Page("message", "inbox", sections, subtitle=row.message_id, errors=errors or [])


@router.get("/messages/{message_id}")
async def message(request: Request, message_id: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(message_page(ctx, _message(ctx, message_id)))


@router.get("/messages/{message_id}/document.pdf")
async def document(request: Request, message_id: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        row = ctx.conn.execute(select(t.attest_mail.c.pdf, t.attest_mail.c.data).where(
            t.attest_mail.c.message_id == message_id)).first()
        if row is None:
            return not_found(ctx, f"Meddelelsen {message_id}")
        seed = ctx.seed
    if row.pdf is not None:
        content = row.pdf
    else:  # a scan takes a while to render: off the event loop, once per message
        content = await run_in_threadpool(_rendered, request, seed, row.data)
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{message_id}.pdf"'})


def _rendered(request: Request, seed: int | None, data: dict[str, Any]) -> bytes:
    cache: dict[tuple[int | None, str], bytes] = request.app.state.pdf_cache
    key = (seed, data["message_id"])
    if key not in cache:
        cache[key] = documents.certificate_pdf(seed, data)
    return cache[key]


@router.post("/messages/{message_id}/move")
async def move(request: Request, message_id: str, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        row = _message(ctx, message_id)
        folder = form.choice("folder", "folder", [PROCESSED]) or PROCESSED
        reference = form.reference()
        if row.folder == PROCESSED:
            form.errors.append(f"Meddelelsen er allerede behandlet (reference {row.reference}).")
        if form.errors:
            return ctx.render(message_page(ctx, row, form.errors, form.values()))
        ctx.conn.execute(t.attest_mail.update().where(t.attest_mail.c.message_id == message_id)
                         .values(folder=folder, reference=reference, processed_date=ctx.as_of))
    return done(f"/{SYSTEM}/messages/{message_id}", f"AP-{message_id}")
