"""`create_app`: the console as a FastAPI app over a store and a deployment."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from runner.clock import Clock
from runner.console import actions, auth, items, overview, queue
from runner.console.answers import install_handlers
from runner.console.context import STATIC_DIR, Console, MaskedJSONResponse
from runner.console.security import install_security_headers
from runner.console.settings import ConsoleSettings
from runner.deployment import Deployment
from runner.store import Store


def create_app(store: Store, deployment: Deployment, *, clock: Clock, settings: ConsoleSettings) -> FastAPI:
    """The console: its pages, its API under /api/, its static files under /static/.

    Nothing answers without a login but /login, /healthz and the static files; every
    state-changing request from a browser session carries its CSRF token.
    """
    shared = Console(store, deployment, clock, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        shared.close()

    app = FastAPI(title="rpa console", docs_url=None, redoc_url=None, openapi_url=None,
                  dependencies=[Depends(auth.csrf_protected)], lifespan=lifespan,
                  default_response_class=MaskedJSONResponse)
    app.state.console = shared
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(auth.router)
    app.include_router(overview.router)
    app.include_router(queue.router)
    app.include_router(items.router)
    app.include_router(actions.router)
    app.add_api_route("/healthz", healthz, methods=["GET"])
    install_handlers(app)
    auth.install_gate(app)
    install_security_headers(app)  # added last: the outermost, around the gate's answers too
    return app


async def healthz() -> dict[str, str]:
    """Whether the console answers (without login, for load balancers and `rpa console`'s tests)."""
    return {"status": "ok"}
