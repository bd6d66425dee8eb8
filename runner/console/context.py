"""What every part of the console shares: the store, the deployment, the clock, the settings,
and the templates; kept on `app.state.console` and reached through `console(request)`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.responses import Response

from runner.clock import Clock
from runner.console import texts
from runner.console.formatting import format_count, format_day, format_short_day, format_time
from runner.console.session import Session, SessionCodec
from runner.console.settings import ConsoleSettings
from runner.deployment import Deployment
from runner.redact import redact, redact_text
from runner.store import Actor, Store, UserRecord

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
# The store's work runs on a few threads of the console's own, kept for its lifetime: the SQLite
# store holds one connection per thread it is called from, so threads that come and go (the
# event loop's default pool) would take a connection each until the pool is spent.
STORE_THREADS = 4

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Identity:
    """Who a request acts as: a logged-in session's user, or an API token's (`session` None)."""

    user: UserRecord
    session: Session | None

    @property
    def actor(self) -> Actor:
        return self.user.actor()


@dataclass
class Console:
    store: Store
    deployment: Deployment
    clock: Clock
    settings: ConsoleSettings
    codec: SessionCodec = field(init=False)
    templates: Jinja2Templates = field(init=False)
    _threads: ThreadPoolExecutor = field(init=False)

    def __post_init__(self) -> None:
        self.codec = SessionCodec(self.settings.secret_key)
        self.templates = Jinja2Templates(env=self._environment())
        self._threads = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="console-store")

    async def run(self, work: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """`work` (store calls, password checks) on the console's store threads, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._threads, partial(work, *args, **kwargs))

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)

    def _environment(self) -> Environment:
        env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), undefined=StrictUndefined,
                          autoescape=select_autoescape(["html"]), finalize=masked)
        env.filters["tid"] = partial(format_time, zone=self.settings.timezone)
        env.filters["dag"] = format_day
        env.filters["kort_dag"] = format_short_day
        env.filters["antal"] = format_count
        env.globals["t"] = texts
        return env

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> Response:
        """A page: `template` with the texts, the user (or None) and the session's CSRF token."""
        identity: Identity | None = getattr(request.state, "identity", None)
        session = session_of(request)
        context.setdefault("user", identity.user if identity else None)
        context.setdefault("csrf", session.csrf if session else "")
        context.setdefault("cookie_session", identity is not None and identity.session is not None)
        context.setdefault("refresh_s", None)
        context.setdefault("active", None)
        return self.templates.TemplateResponse(request, template, context, status_code=status)


def masked(value: Any) -> Any:
    """Every value a template prints, with personal numbers masked (a pause reason may hold a
    CPR number); markup a macro made is made of values already masked."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return redact_text(value)
    return value


class MaskedJSONResponse(JSONResponse):
    """The API's answers, with personal numbers masked wherever they are in the JSON."""

    def render(self, content: Any) -> bytes:
        return super().render(redact(content))


def console(request: Request) -> Console:
    """The console of the app serving `request`."""
    found: Console = request.app.state.console
    return found


async def _console_dependency(request: Request) -> Console:
    return console(request)


#: A route's parameter for the console (async: FastAPI runs sync dependencies on threads).
ConsoleDep = Annotated[Console, Depends(_console_dependency)]


def session_of(request: Request) -> Session | None:
    """The session this request leaves the browser with: one an endpoint wrote, else the one it came with."""
    written: Session | None = getattr(request.state, "session_out", None)
    came: Session | None = getattr(request.state, "session", None)
    return written or came


def write_session(request: Request, session: Session) -> None:
    """Send `session` back as the cookie (the gate writes it on the way out)."""
    request.state.session_out = session
