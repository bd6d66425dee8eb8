"""Fault injection: latency, HTTP 500s and a maintenance window, per request."""

from __future__ import annotations

import asyncio
import random
import threading
from datetime import UTC, datetime
from typing import Any

from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.settings import Faults


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def in_maintenance(faults: Faults, now: datetime) -> bool:
    """Maintenance is on when switched on, or while ``now`` lies in the window."""
    if faults.maintenance:
        return True
    start, end = _aware(faults.maintenance_from), _aware(faults.maintenance_until)
    if start is None and end is None:
        return False
    return (start is None or start <= now) and (end is None or now < end)


class FaultInjector:
    """ASGI middleware; its random draws come from its own seeded generator."""

    def __init__(self, app: ASGIApp, seed: int = 0) -> None:
        self.app = app
        self.rng = random.Random(seed)
        self._lock = threading.Lock()

    def _draw(self) -> float:
        with self._lock:
            return self.rng.random()

    def _delay_ms(self, faults: Faults) -> float:
        if faults.latency_ms <= 0 and faults.latency_jitter_ms <= 0:
            return 0.0
        with self._lock:
            return max(0.0, self.rng.gauss(faults.latency_ms, faults.latency_jitter_ms))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith("/_admin"):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        faults: Faults = state.faults
        system = path.strip("/").split("/", 1)[0]
        if faults.systems is not None and system not in faults.systems:
            await self.app(scope, receive, send)
            return
        delay = self._delay_ms(faults)
        if delay:
            await asyncio.sleep(delay / 1000)
        if in_maintenance(faults, datetime.now(UTC)):
            await maintenance_page(state, faults)(scope, receive, send)
            return
        if faults.error_rate > 0 and self._draw() < faults.error_rate:
            if faults.error_phase == "after":
                await self.app(scope, receive, _discard)
            await server_error_page(state)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _discard(_message: Message) -> None:
    """Swallow a response that a fault replaces."""


def maintenance_page(state: Any, faults: Faults) -> HTMLResponse:
    until = _aware(faults.maintenance_until)
    html = state.templates.get_template("maintenance.html").render(
        until=until.isoformat() if until else None)
    headers = {}
    if until is not None:
        seconds = int(max(0.0, (until - datetime.now(UTC)).total_seconds()))
        headers["Retry-After"] = str(max(1, seconds))
    return HTMLResponse(html, status_code=503, headers=headers)


def server_error_page(state: Any) -> HTMLResponse:
    html = state.templates.get_template("error.html").render(
        title="Der opstod en fejl", testid="server-error",
        message="Der opstod en uventet fejl på serveren. Prøv igen senere.")
    return HTMLResponse(html, status_code=500)
