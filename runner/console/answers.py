"""The console's refusals and errors, answered as CONSOLE.md's table says: a page for a
browser, `{"error": TEXT}` (or 422's `{"errors": [...]}`) under `/api/`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response

from runner.console import texts
from runner.console.context import MaskedJSONResponse, console
from runner.errors import InvalidTransition, NotFound, PermissionDenied

API_PREFIX = "/api/"


class NotLoggedIn(Exception):
    """Raised when a request that needs a login comes without a live session or a valid token."""

    def __init__(self, text: str = texts.NOT_LOGGED_IN) -> None:
        super().__init__(text)
        self.text = text


class Refused(Exception):
    """Raised when the user is logged in but may not do what the request asks (403)."""

    def __init__(self, text: str, title: str = texts.FORBIDDEN_TITLE) -> None:
        super().__init__(text)
        self.text = text
        self.title = title


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def login_redirect() -> Response:
    return RedirectResponse("/login", status_code=303)


def api_error(status: int, text: str, **headers: str) -> JSONResponse:
    return MaskedJSONResponse({"error": text}, status_code=status, headers=headers or None)


def error_page(request: Request, status: int, title: str, text: str) -> Response:
    if is_api(request):
        return api_error(status, text)
    return console(request).render(request, "error.html", status, title=title, text=text)


def not_logged_in(request: Request, text: str = texts.NOT_LOGGED_IN) -> Response:
    """401 under /api/ (with the scheme a script should use), else 303 to the login page."""
    if is_api(request):
        return api_error(401, text, **{"WWW-Authenticate": "Bearer"})
    return login_redirect()


def install_handlers(app: FastAPI) -> None:
    """Every error the routes raise becomes one of the table's answers."""

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, error: NotLoggedIn) -> Response:
        return not_logged_in(request, error.text)

    @app.exception_handler(Refused)
    async def _refused(request: Request, error: Refused) -> Response:
        return error_page(request, 403, error.title, error.text)

    @app.exception_handler(PermissionDenied)
    async def _denied(request: Request, error: PermissionDenied) -> Response:
        # the store's refusal names the role in English; the console says it in Danish
        return error_page(request, 403, texts.FORBIDDEN_TITLE, texts.ROLE_MISSING)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, error: NotFound) -> Response:
        return error_page(request, 404, texts.NOT_FOUND_TITLE, texts.NOT_FOUND)

    @app.exception_handler(InvalidTransition)
    async def _conflict(request: Request, error: InvalidTransition) -> Response:
        # the item is not (any longer) in a state the action applies to: nothing was done
        return error_page(request, 409, texts.CONFLICT_TITLE, texts.NOT_AN_EXCEPTION)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> Response:
        return _http_error(request, error.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        if is_api(request):
            errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in error.errors()]
            return MaskedJSONResponse({"errors": errors}, status_code=422)
        return error_page(request, 422, texts.ERROR_TITLE, texts.INVALID_INPUT)


def _http_error(request: Request, status: int) -> Response:
    known: dict[int, tuple[str, str]] = {
        404: (texts.NOT_FOUND_TITLE, texts.NOT_FOUND),
        405: (texts.ERROR_TITLE, texts.METHOD_NOT_ALLOWED),
    }
    title, text = known.get(status, (texts.ERROR_TITLE, texts.INVALID_INPUT))
    return error_page(request, status, title, text)


def server_error(request: Request) -> Response:
    """What a bug looks like from outside: a calm page or `{"error": ...}`, never a traceback."""
    if is_api(request):
        return api_error(500, texts.SERVER_ERROR)
    try:
        return error_page(request, 500, texts.SERVER_ERROR_TITLE, texts.SERVER_ERROR)
    except Exception:  # the templates themselves failed: plain text, still Danish
        return Response(texts.SERVER_ERROR, status_code=500, media_type="text/plain; charset=utf-8")
