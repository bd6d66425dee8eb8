"""eDoc: one personnel file (personalesag) per employment; documents and notes."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from sandbox import db as t
from sandbox.pages import Details, Field, Form, Page, Section, Table
from sandbox.routes.payroll import employments_matching, load_employment
from sandbox.web import Ctx, context, done, found, posted, receipt_id, system_router

SYSTEM = "edoc"
router, auth = system_router(SYSTEM, "files")

ACCESS = ["Almindelig", "Fortrolig"]
FILE_FIELDS = ("employment_id", "name", "cpr", "position", "unit", "administration",
               "start_date", "end_date")
ENTRY_COLUMNS = ["receipt_id", "journal_date", "kind", "title", "doc_type", "access", "reference"]


@router.get("/files")
async def files(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        rows, pager = ctx.paginate(employments_matching(ctx))
        table = Table("files-table", ["employment_id", "name", "cpr", "position", "unit"],
                      [{**{k: r.data.get(k) for k in FILE_FIELDS},
                        "_href": f"/{SYSTEM}/files/{r.data['employment_id']}"} for r in rows],
                      link="employment_id", id_key="employment_id", pager=pager)
        return ctx.render(ctx.search_page("files", "files", f"/{SYSTEM}/files", table))


def _entry_row(r: Any) -> dict[str, Any]:
    row = {k: getattr(r, k) for k in ("journal_date", "title", "doc_type", "access", "reference")}
    row["receipt_id"] = receipt_id("ED", r.id)
    row["kind"] = (r.kind, "Dokument" if r.kind == "document" else "Notat")
    if r.kind == "document":
        row["_href"] = f"/{SYSTEM}/entries/{r.id}/document.pdf"
    return row


def file_page(ctx: Ctx, data: dict[str, Any], errors: list[str] | None = None,
              values: dict[str, Any] | None = None) -> Page:
    values = values or {}
    eid = data["employment_id"]
    entries = ctx.conn.execute(select(
        t.journal.c.id, t.journal.c.kind, t.journal.c.title, t.journal.c.doc_type,
        t.journal.c.access, t.journal.c.reference, t.journal.c.journal_date,
    ).where(t.journal.c.employment_id == eid).order_by(t.journal.c.id)).all()
    document = Form("document-form", f"/{SYSTEM}/files/{eid}/documents", [
        Field("title", "title", value=values.get("title", ""), required=True),
        Field("doc_type", "doc_type", value=values.get("doc_type", ""), required=True),
        Field("access", "access", "select", values.get("access", "Almindelig"),
              [(a, a) for a in ACCESS]),
        Field("file", "file", "file", required=True),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_document", heading="form_document", multipart=True)
    note = Form("note-form", f"/{SYSTEM}/files/{eid}/notes", [
        Field("title", "note_title", value=values.get("note_title", ""), required=True),
        Field("text", "note_text", "textarea", values.get("text", "")),
        Field("access", "access", "select", values.get("access", "Almindelig"),
              [(a, a) for a in ACCESS]),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_note", heading="form_note")
    return Page("file", "personnel_file", [
        Section("details", [Details("file-details", [(k, data.get(k)) for k in FILE_FIELDS])],
                "details"),
        Section("entries", [Table("entries-table", ENTRY_COLUMNS,
                                  [_entry_row(e) for e in entries], link="title",
                                  id_key="receipt_id")], "entries"),
        Section("forms", [document, note]),
    ], subtitle=f"{eid} {data['name']}", errors=errors or [])


def _personnel_file(ctx: Ctx, employment_id: str) -> dict[str, Any]:
    """The employment's record, or the 404 page for its personnel file."""
    return found(load_employment(ctx.conn, employment_id), f"Personalesagen {employment_id}")


@router.get("/files/{employment_id}")
async def personnel_file(request: Request, employment_id: str, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(file_page(ctx, _personnel_file(ctx, employment_id)))


async def _journal(request: Request, employment_id: str, user: str, kind: str) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        data = _personnel_file(ctx, employment_id)
        if kind == "document":
            title = form.text("title", "title", required=True)
            doc_type = form.text("doc_type", "doc_type", required=True)
            pdf = await form.pdf("file", "file")
            text = None
        else:
            title = form.text("title", "note_title", required=True)
            doc_type, pdf = None, None
            text = form.text("text", "note_text")
        access = form.choice("access", "access", ACCESS, required=False) or "Almindelig"
        reference = form.reference()
        if form.errors:
            values = {**form.values(), "note_title": form.values().get("title", "")}
            return ctx.render(file_page(ctx, data, form.errors, values))
        receipt = receipt_id("ED", t.insert(
            ctx.conn, t.journal, employment_id=employment_id, kind=kind, title=title,
            doc_type=doc_type, access=access, text=text, pdf=pdf, reference=reference,
            journal_date=ctx.as_of))
    return done(f"/{SYSTEM}/files/{employment_id}", receipt)


@router.post("/files/{employment_id}/documents")
async def journal_document(request: Request, employment_id: str, user: str = auth) -> Response:
    return await _journal(request, employment_id, user, "document")


@router.post("/files/{employment_id}/notes")
async def journal_note(request: Request, employment_id: str, user: str = auth) -> Response:
    return await _journal(request, employment_id, user, "note")


@router.get("/entries/{entry_id}/document.pdf")
async def entry_document(request: Request, entry_id: int, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.stored_pdf(t.journal, entry_id, f"Dokumentet {entry_id}")
