"""The sandbox web application: six simulated systems, each with its own login."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select

from sandbox import db as t
from sandbox.faults import FaultInjector, in_maintenance
from sandbox.labels import label
from sandbox.pages import Page
from sandbox.routes import attest, digitalpost, edoc, nemrefusion, payroll, serviceportal
from sandbox.settings import SYSTEMS, Faults, SandboxSettings
from sandbox.web import (
    DEFAULT_AS_OF,
    LoginRequired,
    Missing,
    Sessions,
    Ui,
    cookie_name,
    login_redirect,
    make_templates,
    not_found_page,
)

ROUTERS = (serviceportal.router, payroll.router, edoc.router, digitalpost.router,
           nemrefusion.router, attest.router)


def create_app(
    db_path: str | Path,
    settings: SandboxSettings | None = None,
    *,
    now: Callable[[], float] = time.monotonic,
) -> FastAPI:
    """The app on the SQLite file ``db_path``; ``now`` is the sessions' clock (tests fake it)."""
    settings = settings or SandboxSettings()
    app = FastAPI(title="Sandkasse", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = t.make_engine(db_path)
    app.state.faults = settings.faults.model_copy()
    app.state.sessions = Sessions(settings.session_ttl_s, now)
    app.state.templates = make_templates()
    app.state.pdf_cache = {}
    app.add_middleware(FaultInjector, seed=settings.fault_seed)
    app.add_exception_handler(LoginRequired, _on_login_required)  # type: ignore[arg-type]
    app.add_exception_handler(Missing, _on_missing)  # type: ignore[arg-type]
    for router in ROUTERS:
        app.include_router(router)
    _add_login(app)
    _add_admin(app)
    return app


async def _on_login_required(_: Request, exc: LoginRequired) -> Response:
    return login_redirect(exc)


async def _on_missing(request: Request, exc: Missing) -> Response:
    return not_found_page(request, exc.what)


def _as_of(request: Request) -> str:
    with request.app.state.engine.connect() as conn:
        return str(t.get_meta(conn, "as_of", DEFAULT_AS_OF))


def _login_page(request: Request, system: str, error: str | None = None,
                next_url: str = "", expired: bool = False) -> HTMLResponse:
    ui = Ui(system, request.app.state.faults.layout, _as_of(request))
    page = Page("login", "login", [])
    html = request.app.state.templates.get_template("login.html").render(
        ui=ui, page=page, error=error, next=next_url, expired=expired)
    return HTMLResponse(html, status_code=401 if error else 200)


def _safe_next(system: str, next_url: str) -> str:
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not parts.path.startswith(f"/{system}/"):
        return f"/{system}/"
    return next_url


def _add_login(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> HTMLResponse:
        html = request.app.state.templates.get_template("index.html").render(
            as_of=_as_of(request), systems=[(s, label(s)) for s in SYSTEMS])
        return HTMLResponse(html)

    @app.get("/{system}/login", response_class=HTMLResponse)
    async def login_form(request: Request, system: str) -> Response:
        if system not in SYSTEMS:
            raise HTTPException(404)
        q = request.query_params
        return _login_page(request, system, None, q.get("next", ""), q.get("expired") == "1")

    @app.post("/{system}/login")
    async def login(request: Request, system: str) -> Response:
        if system not in SYSTEMS:
            raise HTTPException(404)
        form = await request.form()
        settings: SandboxSettings = request.app.state.settings
        next_url = str(form.get("next") or "")
        if form.get("username") != settings.username or form.get("password") != settings.password:
            return _login_page(request, system, "Forkert brugernavn eller adgangskode.", next_url)
        token = request.app.state.sessions.create(system, settings.username)
        response = RedirectResponse(_safe_next(system, next_url), status_code=303)
        response.set_cookie(cookie_name(system), token, httponly=True, samesite="lax",
                            path=f"/{system}")
        return response

    @app.post("/{system}/logout")
    async def logout(request: Request, system: str) -> Response:
        request.app.state.sessions.drop(request.cookies.get(cookie_name(system)))
        response = RedirectResponse(f"/{system}/login", status_code=303)
        response.delete_cookie(cookie_name(system), path=f"/{system}")
        return response


class _Clock(BaseModel):
    as_of: date


def _add_admin(app: FastAPI) -> None:
    def check_token(request: Request, x_admin_token: str | None = Header(None)) -> None:
        expected = request.app.state.settings.admin_token
        if expected and x_admin_token != expected:
            raise HTTPException(403, "admin token required")

    guard = [Depends(check_token)]

    @app.get("/_admin/health", dependencies=guard)
    async def health(request: Request) -> dict[str, Any]:
        faults: Faults = request.app.state.faults
        with request.app.state.engine.connect() as conn:
            counts = {table.name: conn.execute(select(func.count()).select_from(table)).scalar()
                      for table in (t.employments, t.cases, t.absences, t.attest_mail)}
            as_of = t.get_meta(conn, "as_of")
        return {"status": "ok", "as_of": as_of, "systems": list(SYSTEMS), "counts": counts,
                "faults": faults.model_dump(mode="json"),
                "maintenance_active": in_maintenance(faults, datetime.now(UTC))}

    @app.get("/_admin/faults", dependencies=guard)
    async def get_faults(request: Request) -> dict[str, Any]:
        return request.app.state.faults.model_dump(mode="json")

    @app.post("/_admin/faults", dependencies=guard)
    async def set_faults(request: Request) -> Response:
        body = await request.json()
        if not isinstance(body, dict):
            return JSONResponse({"error": "expected a JSON object"}, status_code=422)
        expire = bool(body.pop("expire_sessions", False))
        base = {} if body.pop("reset", False) else request.app.state.faults.model_dump()
        try:
            faults = Faults.model_validate({**base, **body})
        except ValidationError as exc:
            return JSONResponse({"error": exc.errors(include_url=False, include_context=False)},
                                status_code=422)
        request.app.state.faults = faults
        expired = request.app.state.sessions.expire_all() if expire else 0
        return JSONResponse({**faults.model_dump(mode="json"), "sessions_expired": expired})

    @app.get("/_admin/clock", dependencies=guard)
    async def get_clock(request: Request) -> dict[str, Any]:
        return {"as_of": _as_of(request)}

    @app.post("/_admin/clock", dependencies=guard)
    async def set_clock(request: Request) -> Response:
        try:
            clock = _Clock.model_validate(await request.json())
        except ValidationError as exc:
            return JSONResponse({"error": exc.errors(include_url=False, include_context=False)},
                                status_code=422)
        with request.app.state.engine.begin() as conn:
            t.set_meta(conn, "as_of", clock.as_of.isoformat())
        return JSONResponse({"as_of": clock.as_of.isoformat()})
