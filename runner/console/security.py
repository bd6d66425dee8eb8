"""Headers on every answer, and a calm 500 instead of a traceback.

The CSP allows nothing inline (no script, no style attribute) and no other origin; pages
and API answers carry personal data, so nothing but static files may be cached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from starlette.responses import Response

from runner.console.answers import server_error
from runner.logs import module_logger

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
CACHEABLE_PREFIX = "/static/"
CallNext = Callable[[Request], Awaitable[Response]]

log = module_logger("runner.console")


def install_security_headers(app: FastAPI) -> None:
    """Outermost: it also covers the gate's answers and a route that raised."""

    @app.middleware("http")
    async def security_headers(request: Request, call_next: CallNext) -> Response:
        try:
            response = await call_next(request)
        except Exception as error:  # a bug: logged, answered without its details
            log.error("console_request_failed", path=request.url.path,
                      error=f"{type(error).__name__}: {error}")
            response = server_error(request)
        response.headers.update(HEADERS)
        if not request.url.path.startswith(CACHEABLE_PREFIX):
            response.headers["Cache-Control"] = "no-store"
        return response
