"""Machinery every system's pages share: sessions, rendering, forms, paging."""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Connection, Select, func, or_, select
from sqlalchemy import Table as DbTable
from starlette.datastructures import FormData, UploadFile

from hr.cpr import normalise_cpr
from sandbox import db as t
from sandbox.labels import label, test_id
from sandbox.pages import Details, Form, Page, Pager, Search, Section, Table, raw, shown
from sandbox.pages import Field as PageField

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_AS_OF = "2024-11-18"
MAX_PAGE_SIZE = 200
SYSTEM_NAV: dict[str, list[tuple[str, str, str]]] = {
    "serviceportal": [("cases", "/serviceportal/cases", "nav-cases"),
                      ("units", "/serviceportal/units", "nav-units"),
                      ("messages", "/serviceportal/messages", "nav-messages")],
    "payroll": [("employments", "/payroll/employments", "nav-employments"),
                ("absences", "/payroll/absences", "nav-absences")],
    "edoc": [("files", "/edoc/files", "nav-files")],
    "digitalpost": [("outbox", "/digitalpost/outbox", "nav-outbox"),
                    ("send_letter", "/digitalpost/send", "nav-send")],
    "nemrefusion": [("submissions", "/nemrefusion/submissions", "nav-submissions"),
                    ("new_submission", "/nemrefusion/new", "nav-new"),
                    ("decisions", "/nemrefusion/decisions", "nav-decisions")],
    "attest": [("inbox", "/attest/inbox", "nav-inbox"),
               ("processed", "/attest/inbox?folder=Behandlet", "nav-processed")],
}

T = TypeVar("T")


def make_templates() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                       auto_reload=False, cache_size=50, trim_blocks=True, lstrip_blocks=True)


class LoginRequired(Exception):
    """Raised by a page when its system has no live session; answered by a redirect."""

    def __init__(self, system: str, next_url: str, expired: bool) -> None:
        super().__init__(system)
        self.system, self.next_url, self.expired = system, next_url, expired


def login_redirect(exc: LoginRequired) -> RedirectResponse:
    query = {"next": exc.next_url}
    if exc.expired:
        query["expired"] = "1"
    return RedirectResponse(f"/{exc.system}/login?{urlencode(query)}", status_code=303)


@dataclass
class _Session:
    system: str
    user: str
    seen: float


class Sessions:
    """Server-side sessions per system; idle ones expire after ``ttl`` seconds."""

    def __init__(self, ttl: float, now: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.now = ttl, now
        self._data: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def create(self, system: str, user: str) -> str:
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._data[token] = _Session(system, user, self.now())
        return token

    def user(self, system: str, token: str | None) -> tuple[str | None, bool]:
        """The session's user, and whether a session existed but has expired."""
        if not token:
            return None, False
        with self._lock:
            session = self._data.get(token)
            if session is None or session.system != system:
                return None, False
            if self.now() - session.seen > self.ttl:
                del self._data[token]
                return None, True
            session.seen = self.now()
            return session.user, False

    def drop(self, token: str | None) -> None:
        with self._lock:
            self._data.pop(token or "", None)

    def expire_all(self) -> int:
        with self._lock:
            count = len(self._data)
            self._data.clear()
        return count


def cookie_name(system: str) -> str:
    return f"sandbox_{system}"


def login_required(system: str) -> Callable[[Request], str]:
    """A FastAPI dependency: the logged-in user of ``system``, or a redirect to login."""

    def dependency(request: Request) -> str:
        user, expired = request.app.state.sessions.user(
            system, request.cookies.get(cookie_name(system)))
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            if request.method != "GET":
                target = request.url.path.rsplit("/", 1)[0] if "/" in request.url.path else "/"
            raise LoginRequired(system, target, expired)
        return user

    return dependency


def system_router(system: str, start: str) -> tuple[APIRouter, Any]:
    """The router of ``system`` and its login dependency; ``/{system}/`` redirects to ``start``."""
    router = APIRouter(prefix=f"/{system}")
    auth = Depends(login_required(system))

    @router.get("/")
    async def home(_: str = auth) -> RedirectResponse:
        return RedirectResponse(f"/{system}/{start}", status_code=303)

    return router, auth


@dataclass
class Ui:
    """What the templates know about the request: layout, labels, test ids."""

    system: str
    layout: str
    as_of: str
    user: str | None = None
    nav: list[tuple[str, str, str]] = field(default_factory=list)

    def L(self, key: str) -> str:
        return label(key, self.layout == "renamed")

    def tid(self, name: str) -> str:
        return test_id(name, self.layout == "renamed")

    def order(self, items: list[Any]) -> list[Any]:
        return list(reversed(items)) if self.layout == "moved" else list(items)

    raw = staticmethod(raw)
    shown = staticmethod(shown)

    def details_body(self, details: Details) -> Markup:
        """The pairs of a definition list; each value carries its machine form."""
        wrapper = "cell-b" if self.layout == "moved" else "pair"
        out = []
        for key, value in self.order(details.items):
            out.append(f'<div class="{wrapper}"><dt>{escape(self.L(key))}</dt>'
                       f'<dd data-testid="{escape(self.tid("value-" + key))}" '
                       f'data-value="{escape(raw(value))}">{escape(shown(value))}</dd></div>')
        return Markup("\n".join(out))

    def form_fields(self, form: Form) -> Markup:
        """A form's fields, each with a label ``for`` its control."""
        return Markup("\n".join(self._field(form, f) for f in self.order(form.fields)))

    def _field(self, form: Form, f: PageField) -> str:
        if f.type == "hidden":
            return f'<input type="hidden" name="{escape(f.name)}" value="{escape(raw(f.value))}">'
        fid = escape(self.tid(f"{form.testid}-{f.name}"))
        attrs = (f'id="{fid}" name="{escape(f.name)}" '
                 f'data-testid="{escape(self.tid("input-" + f.name))}"'
                 + (" required" if f.required else ""))
        if f.type == "textarea":
            control = f'<textarea {attrs} rows="4" cols="60">{escape(raw(f.value))}</textarea>'
        elif f.type == "select":
            current = raw(f.value)
            options = "".join(
                f'<option value="{escape(v)}"{" selected" if v == current else ""}>'
                f"{escape(text)}</option>" for v, text in f.options)
            control = f"<select {attrs}>{options}</select>"
        else:
            extra = {"file": ' accept="application/pdf"', "number": ' step="0.01"'}.get(f.type, "")
            value = "" if f.type == "file" else f' value="{escape(raw(f.value))}"'
            control = f'<input {attrs} type="{escape(f.type)}"{value}{extra}>'
        label = f'<label for="{fid}">{escape(self.L(f.label))}</label>'
        if self.layout == "moved":
            return (f'<div class="cell-b"><div class="cell-label">{label}</div>'
                    f'<div class="cell-input">{control}</div></div>')
        return f'<div class="fld">{label}\n{control}</div>'

    def table_body(self, table: Table) -> Markup:
        """The rows of a table, rendered in Python: a page with many cells stays fast."""
        columns = self.order(table.columns)
        cell_ids = {key: escape(self.tid(f"cell-{key}")) for key in columns}
        row_id, open_id = escape(self.tid("row")), escape(self.tid("open"))
        out = []
        for row in table.rows:
            data_id = f' data-id="{escape(raw(row[table.id_key]))}"' if table.id_key else ""
            cells = []
            for key in columns:
                value = row.get(key)
                text = escape(shown(value))
                if key == table.link and row.get("_href"):
                    text = Markup(f'<a href="{escape(row["_href"])}" data-testid="{open_id}">'
                                  f"{text}</a>")
                cells.append(f'<td data-testid="{cell_ids[key]}" '
                             f'data-value="{escape(raw(value))}">{text}</td>')
            out.append(f'<tr data-testid="{row_id}"{data_id}>{"".join(cells)}</tr>')
        return Markup("\n".join(out))


class Ctx:
    """One request's view of a system: its connection, clock, user and renderer."""

    def __init__(self, request: Request, system: str, user: str | None, conn: Connection) -> None:
        self.request, self.system, self.user, self.conn = request, system, user, conn
        self.as_of = str(t.get_meta(conn, "as_of", DEFAULT_AS_OF))

    @property
    def seed(self) -> int | None:
        value = t.get_meta(self.conn, "seed")
        return int(value) if value is not None else None  # type: ignore[call-overload]

    def ui(self) -> Ui:
        return Ui(self.system, self.request.app.state.faults.layout, self.as_of, self.user,
                  SYSTEM_NAV.get(self.system, []))

    def render(self, page: Page) -> HTMLResponse:
        if page.receipt is None:
            page.receipt = self.request.query_params.get("receipt")
        html = self.request.app.state.templates.get_template("page.html").render(
            ui=self.ui(), page=page)
        return HTMLResponse(html, status_code=page.status_code)

    def page_number(self) -> int:
        try:
            return max(1, int(self.request.query_params.get("page", "1")))
        except ValueError:
            return 1

    def q(self) -> str:
        return self.request.query_params.get("q", "").strip()

    def matching(self, stmt: Select[Any], *columns: ColumnElement[Any]) -> Select[Any]:
        """``stmt`` narrowed to the rows where one of ``columns`` holds the search (any case)."""
        if not self.q():
            return stmt
        like = f"%{self.q()}%"
        return stmt.where(or_(*(column.ilike(like) for column in columns)))

    def search_text(self) -> str:
        """The search text as stored: lower case, a CPR number without its separator."""
        q = self.q().lower()
        try:
            return normalise_cpr(q)
        except ValueError:
            return q

    def paginate(self, stmt: Select[Any]) -> tuple[list[Any], Pager]:
        size = self.request.app.state.settings.page_size
        with suppress(ValueError):
            size = min(MAX_PAGE_SIZE, max(1, int(self.request.query_params.get("per_page", size))))
        total = self.conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
        pages = max(1, math.ceil(total / size))
        page = min(self.page_number(), pages)
        rows = self.conn.execute(stmt.limit(size).offset((page - 1) * size)).all()
        params = [(k, v) for k, v in self.request.query_params.multi_items() if k != "page"]
        base = self.request.url.path + (f"?{urlencode(params)}" if params else "")
        return list(rows), Pager(page, pages, total, base)

    def search_page(self, page_id: str, title: str, action: str, table: Table,
                    filters: Sequence[PageField] = ()) -> Page:
        """A list page: the search form (with ``filters``, sent to ``action``) over ``table``."""
        return Page(page_id, title, [Section("search", [Search(action, self.q(), list(filters))]),
                                     Section("results", [table])])

    def stored_pdf(self, table: DbTable, row_id: int, what: str) -> Response:
        """The PDF in the ``pdf`` column of row ``row_id`` of ``table``, or the 404 page."""
        pdf = self.conn.execute(select(table.c.pdf).where(table.c.id == row_id)).scalar()
        if pdf is None:
            return not_found(self, what)
        return Response(pdf, media_type="application/pdf")


@contextmanager
def context(request: Request, system: str, user: str | None) -> Iterator[Ctx]:
    with request.app.state.engine.begin() as conn:
        yield Ctx(request, system, user, conn)


@asynccontextmanager
async def posted(request: Request, system: str, user: str) -> AsyncIterator[tuple[FormReader, Ctx]]:
    """A form post: its form, read in full before the request's context opens."""
    form = FormReader(await request.form())
    with context(request, system, user) as ctx:
        yield form, ctx


def receipt_id(prefix: str, number: int) -> str:
    """A write's receipt as the systems show it: their prefix and the row's number (``PL-000042``)."""
    return f"{prefix}-{number:06d}"


def done(url: str, receipt: str) -> RedirectResponse:
    """Post/redirect/get: the detail page shows the write's receipt."""
    sep = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{sep}receipt={quote(receipt)}", status_code=303)


def not_found(ctx: Ctx, what: str) -> HTMLResponse:
    return not_found_page(ctx.request, what)


def not_found_page(request: Request, what: str) -> HTMLResponse:
    """The 'Ikke fundet' page (404) for `what` ("Sagen C-1")."""
    html = request.app.state.templates.get_template("error.html").render(
        title="Ikke fundet", message=f"{what} findes ikke.", testid="not-found")
    return HTMLResponse(html, status_code=404)


class Missing(Exception):
    """What a page shows does not exist; the app answers `not_found_page` (see `found`)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def found(value: T | None, what: str) -> T:
    """`value`, loaded for a page; None answers the request with the 404 page for `what`."""
    if value is None:
        raise Missing(what)
    return value


class FormReader:
    """Reads a submitted form, collecting Danish validation messages."""

    def __init__(self, form: FormData) -> None:
        self.form = form
        self.errors: list[str] = []

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.form.items() if isinstance(v, str)}

    def text(self, name: str, key: str, required: bool = False) -> str | None:
        value = self.form.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if not text:
            if required:
                self.errors.append(f"{label(key)} skal udfyldes.")
            return None
        return text

    def reference(self) -> str:
        return self.text("reference", "reference", required=True) or ""

    def date(self, name: str, key: str, required: bool = False) -> str | None:
        text = self.text(name, key, required)
        if text is None:
            return None
        for parse in (date.fromisoformat, _danish_date):
            try:
                return parse(text).isoformat()
            except ValueError:
                continue
        self.errors.append(f"{label(key)} er ikke en gyldig dato (ÅÅÅÅ-MM-DD).")
        return None

    def number(self, name: str, key: str, required: bool = False) -> float | None:
        text = self.text(name, key, required)
        if text is None:
            return None
        cleaned = text.replace(" ", "")
        if "," in cleaned:
            cleaned = cleaned.replace(".", "").replace(",", ".")
        try:
            value = float(cleaned)
        except ValueError:
            self.errors.append(f"{label(key)} skal være et tal.")
            return None
        if not math.isfinite(value):
            self.errors.append(f"{label(key)} skal være et tal.")
            return None
        return round(value, 2)

    def choice(self, name: str, key: str, options: list[str], required: bool = True) -> str | None:
        text = self.text(name, key, required)
        if text is not None and text not in options:
            self.errors.append(f"{label(key)} skal være en af: {', '.join(options)}.")
            return None
        return text

    async def pdf(self, name: str, key: str) -> bytes | None:
        upload = self.form.get(name)
        if not isinstance(upload, UploadFile):
            self.errors.append(f"{label(key)} skal vælges.")
            return None
        content = await upload.read()
        if not content.startswith(b"%PDF-"):
            self.errors.append("Filen er ikke en gyldig PDF.")
            return None
        return content


def _danish_date(text: str) -> date:
    day, month, year = text.replace("-", ".").split(".")
    return date(int(year), int(month), int(day))


def path_quote(value: str) -> str:
    return quote(value, safe="")
