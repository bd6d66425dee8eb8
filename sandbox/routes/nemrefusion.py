"""NemRefusion: reports and refund claims for absences, receipts and decisions."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import select

from sandbox import db as t
from sandbox import refunds
from sandbox.pages import Details, Field, Form, Page, Section, Table
from sandbox.web import Ctx, FormReader, context, done, not_found, posted, receipt_id, system_router

SYSTEM = "nemrefusion"
router, auth = system_router(SYSTEM, "submissions")

KINDS = {"report": "Anmeldelse", "claim": "Refusionskrav"}
AUTHORITIES = {"opholdskommune": "Opholdskommune", "udbetaling_danmark": "Udbetaling Danmark"}
DECISIONS = {refunds.APPROVED: "Godkendt", refunds.REDUCED: "Nedsat", refunds.REJECTED: "Afvist"}
SUBMISSION_COLUMNS = ["receipt_id", "submitted_date", "absence_id", "kind", "authority",
                      "claim_from", "claim_to", "hours", "max_refund", "reference"]
DECISION_COLUMNS = ["receipt_id", "absence_id", "claim_from", "claim_to", "max_refund",
                    "decision", "paid", "submitted_date", "reference"]


def _row(r: Any) -> dict[str, Any]:
    row = dict(r._mapping)
    row["receipt_id"] = receipt_id("NR", r.id)
    row["kind"] = (r.kind, KINDS[r.kind])
    row["authority"] = (r.authority, AUTHORITIES.get(r.authority, r.authority))
    row["decision"] = (r.decision, DECISIONS[r.decision]) if r.decision else None
    row["_href"] = f"/{SYSTEM}/submissions/{r.id}"
    return row


def _listing(ctx: Ctx, page_id: str, title: str, columns: list[str], claims_only: bool) -> Page:
    stmt = select(t.refund_submissions).order_by(t.refund_submissions.c.id)
    if claims_only:
        stmt = stmt.where(t.refund_submissions.c.kind == "claim")
        decision = ctx.request.query_params.get("decision", "")
        if decision in DECISIONS:
            stmt = stmt.where(t.refund_submissions.c.decision == decision)
    rows, pager = ctx.paginate(ctx.matching(stmt, t.refund_submissions.c.absence_id,
                                            t.refund_submissions.c.reference))
    table = Table(f"{page_id}-table", columns, [_row(r) for r in rows], link="receipt_id",
                  id_key="receipt_id", pager=pager)
    filters = []
    if claims_only:
        filters.append(Field("decision", "decision", "select",
                             ctx.request.query_params.get("decision", ""),
                             [("", "Alle"), *DECISIONS.items()]))
    return ctx.search_page(page_id, title, f"/{SYSTEM}/{page_id}", table, filters)


@router.get("/submissions")
async def submissions(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(_listing(ctx, "submissions", "submissions", SUBMISSION_COLUMNS, False))


@router.get("/decisions")
async def decisions(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(_listing(ctx, "decisions", "decisions", DECISION_COLUMNS, True))


def new_page(errors: list[str] | None = None, values: dict[str, Any] | None = None) -> Page:
    values = values or {}
    form = Form("submission-form", f"/{SYSTEM}/new", [
        Field("absence_id", "absence_id", value=values.get("absence_id", ""), required=True),
        Field("kind", "kind", "select", values.get("kind", "report"), list(KINDS.items()),
              required=True),
        Field("authority", "authority", "select", values.get("authority", "opholdskommune"),
              list(AUTHORITIES.items()), required=True),
        Field("claim_from", "claim_from", "date", values.get("claim_from", "")),
        Field("claim_to", "claim_to", "date", values.get("claim_to", "")),
        Field("hours", "hours", "number", values.get("hours", "")),
        Field("max_refund", "max_refund", "number", values.get("max_refund", "")),
        Field("reference", "reference", value=values.get("reference", ""), required=True),
    ], "btn_submit", heading="new_submission")
    return Page("new", "new_submission", [Section("forms", [form])], errors=errors or [])


@router.get("/new")
async def new_form(request: Request, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        return ctx.render(new_page(values=dict(request.query_params)))


def _check_claim(form: FormReader, ctx: Ctx, absence_id: str, values: dict[str, Any]) -> None:
    start, end = values["claim_from"], values["claim_to"]
    if start is None or end is None or values["hours"] is None or values["max_refund"] is None:
        form.errors.append("Et refusionskrav kræver periode, timer og maksimal refusion.")
        return
    if start > end:
        form.errors.append("Refusion fra ligger efter refusion til.")
    if end >= ctx.as_of:
        form.errors.append("Der kan ikke søges refusion for fremtidige dage (fra i dag og frem).")
    if values["hours"] <= 0:
        form.errors.append("Timer skal være større end 0.")
    if values["max_refund"] < 0:
        form.errors.append("Maksimal refusion kan ikke være negativ.")
    earlier = ctx.conn.execute(select(t.refund_submissions).where(
        t.refund_submissions.c.absence_id == absence_id,
        t.refund_submissions.c.kind == "claim")).all()
    for claim in earlier:
        if claim.claim_from <= end and start <= claim.claim_to:
            form.errors.append(
                f"Perioden overlapper et tidligere krav ({receipt_id('NR', claim.id)}, "
                f"{claim.claim_from} – {claim.claim_to}).")


@router.post("/new")
async def submit(request: Request, user: str = auth) -> Response:
    async with posted(request, SYSTEM, user) as (form, ctx):
        absence_id = form.text("absence_id", "absence_id", required=True) or ""
        values: dict[str, Any] = {
            "kind": form.choice("kind", "kind", list(KINDS)),
            "authority": form.choice("authority", "authority", list(AUTHORITIES)),
            "claim_from": form.date("claim_from", "claim_from"),
            "claim_to": form.date("claim_to", "claim_to"),
            "hours": form.number("hours", "hours"),
            "max_refund": form.number("max_refund", "max_refund"),
            "reference": form.reference(),
        }
        known = ctx.conn.execute(select(t.absences.c.absence_id).where(
            t.absences.c.absence_id == absence_id)).first()
        if absence_id and known is None:
            form.errors.append(f"Ukendt fravær: {absence_id}.")
        elif values["kind"] == "report":
            reported = ctx.conn.execute(select(t.refund_submissions.c.id).where(
                t.refund_submissions.c.absence_id == absence_id,
                t.refund_submissions.c.kind == "report")).first()
            if reported is not None:
                form.errors.append(f"Fraværet er allerede anmeldt ({receipt_id('NR', reported.id)}).")
            values.update(claim_from=None, claim_to=None, hours=None, max_refund=None)
        elif values["kind"] == "claim":
            _check_claim(form, ctx, absence_id, values)
        if form.errors:
            return ctx.render(new_page(form.errors, form.values()))
        if values["kind"] == "claim":
            values["decision"], values["paid"] = refunds.decide(
                ctx.seed, absence_id, values["claim_from"], values["claim_to"],
                values["max_refund"])
        submission_id = t.insert(ctx.conn, t.refund_submissions, absence_id=absence_id,
                                 submitted_date=ctx.as_of, **values)
    return done(f"/{SYSTEM}/submissions/{submission_id}", receipt_id("NR", submission_id))


@router.get("/submissions/{submission_id}")
async def submission(request: Request, submission_id: int, user: str = auth) -> Response:
    with context(request, SYSTEM, user) as ctx:
        row = ctx.conn.execute(select(t.refund_submissions).where(
            t.refund_submissions.c.id == submission_id)).first()
        if row is None:
            return not_found(ctx, f"Indberetningen {submission_id}")
        facts = _row(row)
        keys = ["receipt_id", "submitted_date", "absence_id", "kind", "authority", "claim_from",
                "claim_to", "hours", "max_refund", "decision", "paid", "reference"]
        return ctx.render(Page("submission", "submissions", [
            Section("details", [Details("submission-details", [(k, facts[k]) for k in keys])],
                    "details")], subtitle=facts["receipt_id"]))
