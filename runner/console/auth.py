"""Login, logout, and the gate every request passes.

The gate finds who a request acts as (`Authorization: Bearer TOKEN`, else the session
cookie), turns away what needs a login (303 to /login, 401 under /api/), and sends the
session back with its last-seen time moved on. A session ends after `idle` without use,
`lifetime` after login, or at logout. Every state-changing request from a cookie session
carries the session's CSRF token (form field `csrf_token` or header `X-CSRF-Token`);
a bearer token needs none, as no browser sends one by itself.

A name with `lockout_failures` failed logins within `lockout_window` is refused, even
with the right password, until the window has passed; the lock-out is audited.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from runner.console import texts
from runner.console.answers import NotLoggedIn, Refused, is_api, not_logged_in
from runner.console.context import Console, ConsoleDep, Identity, console, write_session
from runner.console.session import COOKIE, Session
from runner.errors import InputError, NotFound
from runner.inputs import user_name
from runner.logs import module_logger
from runner.passwords import token_hash, verify_password
from runner.permissions import Action, allowed

PUBLIC_PATHS = frozenset({"/login"})
UNGUARDED_PATH, UNGUARDED_PREFIX = "/healthz", "/static/"  # answer without a session being read
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
AUTO_REFRESH = "auto"  # `?auto=1`: a page reloading itself, which is not someone using it
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

log = module_logger("runner.console")
router = APIRouter()


@dataclass(frozen=True)
class Resolved:
    """What the gate found: the browser's session (None: no cookie), who acts, and whether
    the session changed on the way in (it expired) and must be sent back."""

    session: Session | None
    identity: Identity | None
    rewrite: bool = False


def install_gate(app: FastAPI) -> None:
    @app.middleware("http")
    async def gate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if path == UNGUARDED_PATH or path.startswith(UNGUARDED_PREFIX):
            return await call_next(request)
        app_console = console(request)
        try:
            found = await app_console.run(resolve, app_console, request)
        except NotLoggedIn as refused:  # a bearer token that is no (longer a) token
            return not_logged_in(request, refused.text)
        request.state.session, request.state.identity = found.session, found.identity
        if found.identity is None and path not in PUBLIC_PATHS:
            response = _turn_away(app_console, request, found.session)
        else:
            response = await call_next(request)
        _send_session(app_console, request, response, found)
        return response


def resolve(app_console: Console, request: Request) -> Resolved:
    """Who `request` acts as; NotLoggedIn for a bearer token the store does not know."""
    token = _bearer_token(request)
    if token is not None:
        user = app_console.store.user_for_token(token_hash(token))
        if user is None:
            raise NotLoggedIn(texts.TOKEN_INVALID)
        return Resolved(None, Identity(user, None))
    session = app_console.codec.loads(request.cookies.get(COOKIE))
    if session is None or session.user is None:
        return Resolved(session, None)
    now = app_console.clock.now()
    settings = app_console.settings
    if session.age(now) > settings.lifetime or app_console.store.session_ended(token_hash(session.sid)):
        return Resolved(Session.anonymous(now), None, rewrite=True)
    if session.idle_for(now) > settings.idle:
        log.info("console_session_expired", user=session.user)
        return Resolved(Session.anonymous(now, notice="expired"), None, rewrite=True)
    try:
        user = app_console.store.get_user(session.user)
    except NotFound:  # removed since: logged out
        return Resolved(Session.anonymous(now), None, rewrite=True)
    return Resolved(session, Identity(user, session))


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def _turn_away(app_console: Console, request: Request, session: Session | None) -> Response:
    """Not logged in: a page remembers where it was going, so login can take it there."""
    if not is_api(request):
        query = f"?{request.url.query}" if request.url.query else ""
        back = request.url.path + query if request.method == "GET" else None  # filters live in the URL
        base = session or Session.anonymous(app_console.clock.now())
        write_session(request, replace(base, next=back))
    return not_logged_in(request)


def _send_session(app_console: Console, request: Request, response: Response, found: Resolved) -> None:
    session: Session | None = getattr(request.state, "session_out", None)
    used = request.query_params.get(AUTO_REFRESH) != "1"
    if session is None and found.identity is not None and found.identity.session is not None and used:
        session = found.identity.session.seen_at(app_console.clock.now())
    if session is None and found.rewrite:
        session = found.session
    if session is not None:
        response.set_cookie(COOKIE, app_console.codec.dumps(session), httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")


async def csrf_protected(request: Request) -> None:
    """Refuse a state-changing request from a cookie session without the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    identity: Identity | None = getattr(request.state, "identity", None)
    if identity is not None and identity.session is None:
        return  # an API token
    session: Session | None = getattr(request.state, "session", None)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or not sent or not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        log.warning("console_csrf_refused", path=request.url.path)
        raise Refused(texts.CSRF_FAILED, texts.FORM_EXPIRED_TITLE)


async def identity(request: Request) -> Identity:
    """The user a request acts as (a FastAPI dependency); the gate let only these through."""
    found: Identity | None = getattr(request.state, "identity", None)
    if found is None:
        raise NotLoggedIn()
    return found


def allowed_to(action: Action) -> Callable[[Identity], Awaitable[Identity]]:
    """A dependency: the request's user when the permission table allows them `action`, else 403."""

    async def check(who: Annotated[Identity, Depends(identity)]) -> Identity:
        if not allowed(who.actor, action):
            raise Refused(texts.NO_ROLE if action is Action.READ else texts.ROLE_MISSING)
        return who

    return check


#: The user of a reading page or API call: any role may read, a user without one may not.
reader = allowed_to(Action.READ)


# -- the routes ----------------------------------------------------------------------------


@router.get("/login")
async def login_page(request: Request, app_console: ConsoleDep) -> Response:
    if getattr(request.state, "identity", None) is not None:
        return RedirectResponse("/", status_code=303)
    session = request.state.session or Session.anonymous(app_console.clock.now())
    write_session(request, replace(session, notice=None))  # a notice is shown once
    return _login_form(app_console, request, notice=_notice(app_console, session.notice))


@router.post("/login")
async def login(
    request: Request,
    app_console: ConsoleDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    name = username.strip()
    if not name or not password:
        return _login_form(app_console, request, status=422, error=texts.LOGIN_MISSING, name=name)
    status, error = await app_console.run(check_login, app_console, name, password)
    if error is not None:
        return _login_form(app_console, request, status=status, error=error, name=name)
    session: Session = request.state.session
    write_session(request, Session.logged_in(name, app_console.clock.now()))
    log.info("console_login", user=name)
    return RedirectResponse(_safe_next(session.next), status_code=303)


@router.post("/logout")
async def logout(
    request: Request,
    who: Annotated[Identity, Depends(identity)],
    app_console: ConsoleDep,
) -> Response:
    now = app_console.clock.now()
    if who.session is not None:
        await app_console.run(app_console.store.end_session, token_hash(who.session.sid),
                              user=who.user.name, expires=who.session.expires(app_console.settings.lifetime))
    write_session(request, Session.anonymous(now, notice="logged_out"))
    log.info("console_logout", user=who.user.name)
    return RedirectResponse("/login", status_code=303)


def check_login(app_console: Console, name: str, password: str) -> tuple[int, str | None]:
    """(status, None) when `password` is `name`'s and the name is not locked out, else
    (status, the Danish refusal). Every attempt on a valid name is recorded."""
    try:
        user_name(name)
    except InputError:
        verify_password(None, password)  # as slow as a real check: the answer tells nothing
        return 401, texts.LOGIN_FAILED
    settings, store = app_console.settings, app_console.store
    locked = texts.login_locked(settings.lockout_minutes)
    failures = store.login_failures(name, app_console.clock.now() - settings.lockout_window)
    if failures >= settings.lockout_failures:
        log.warning("console_login_locked", user=name)
        return 429, locked
    if verify_password(store.password_hash(name), password):
        store.record_login(name, ok=True)
        return 200, None
    store.record_login(name, ok=False)
    if failures + 1 >= settings.lockout_failures:
        store.record_lockout(name, failures=failures + 1)
        log.warning("console_locked_out", user=name, failures=failures + 1)
        return 429, locked
    log.info("console_login_failed", user=name)
    return 401, texts.LOGIN_FAILED


def _login_form(app_console: Console, request: Request, *, status: int = 200, error: str | None = None,
                notice: str | None = None, name: str = "") -> Response:
    return app_console.render(request, "login.html", status, error=error, notice=notice, name=name)


def _notice(app_console: Console, notice: str | None) -> str | None:
    if notice == "expired":
        return texts.session_expired(app_console.settings.idle_minutes)
    if notice == "logged_out":
        return texts.LOGGED_OUT
    return None


def _safe_next(path: str | None) -> str:
    """Where to go after login: a path of this console only, never another site."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")) or path == "/login":
        return "/"
    return path
