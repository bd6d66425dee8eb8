"""What every page object shares: navigation with login, fault detection, reading, forms.

Only test ids (`data-testid`) and `data-value` attributes are relied on, never CSS
classes or positions, so the sandbox's `moved` layout is survived. A page whose test
ids are missing (the `renamed` layout) raises `TechnicalError` before anything is
filled in: every control of a form is found before the first one is touched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar
from urllib.parse import quote, urlencode, urljoin, urlsplit

from runner import RetryPolicy, SystemAccess, SystemUnavailable, TechnicalError, technical_error
from systems.models import Receipt

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page, Response

__all__ = ["FormRefused", "PageObject", "receipt_of", "typed"]

T = TypeVar("T")

DEFAULT_RETRY_AFTER_S = 300.0

# One round trip per page, table or definition list instead of one per element. Elements
# are found by test id only (never by class or position).
SURVEY_JS = """() => {
  const all = id => document.querySelectorAll(`[data-testid="${id}"]`);
  const attr = (id, name) => { const f = all(id); return f.length === 1 ? f[0].getAttribute(name) : null; };
  const text = id => { const f = all(id); return f.length === 1 ? f[0].textContent.trim() : null; };
  const main = document.querySelector('main');
  const errors = all('form-error');
  return {
    main: main ? main.getAttribute('data-testid') : null,
    until: attr('maintenance-until', 'datetime'),
    next: attr('page-next', 'href'),
    page: attr('page-info', 'data-page'),
    pages: attr('page-info', 'data-pages'),
    errors: errors.length ? [...errors[0].querySelectorAll('[data-testid="error-message"]')]
      .map(e => e.textContent.trim()) : null,
    receipt: text('receipt-id'),
    login_error: all('login-error').length > 0,
  };
}"""
VALUES_JS = """id => {
  const found = document.querySelectorAll(`[data-testid="${id}"]`);
  if (found.length !== 1) return null;
  return Object.fromEntries([...found[0].querySelectorAll('[data-testid^="value-"]')]
    .map(dd => [dd.dataset.testid.slice(6), dd.dataset.value]));
}"""
ROWS_JS = """name => {
  const found = document.querySelectorAll(`[data-testid="${name}-table"]`);
  if (found.length !== 1)
    return document.querySelectorAll(`[data-testid="${name}-table-empty"]`).length === 1 ? [] : null;
  return [...found[0].querySelectorAll('[data-testid="row"]')].map(row => {
    const out = {};
    for (const cell of row.querySelectorAll('[data-testid^="cell-"]'))
      out[cell.dataset.testid.slice(5)] = cell.dataset.value;
    return out;
  });
}"""
HREF_JS = """id => {
  const found = document.querySelectorAll(`[data-testid="${id}"]`);
  return found.length === 1 ? found[0].getAttribute('href') : null;
}"""
# A form's controls, each exactly once, with their tag names; null if any is missing.
CONTROLS_JS = """([form, names, submit]) => {
  const forms = document.querySelectorAll(`[data-testid="${form}"]`);
  if (forms.length !== 1) return null;
  const one = id => {
    const f = forms[0].querySelectorAll(`[data-testid="${id}"]`);
    return f.length === 1 ? f[0] : null;
  };
  if (one(submit) === null) return null;
  const tags = {};
  for (const name of names) {
    const control = one(`input-${name}`);
    if (control === null) return null;
    tags[name] = control.tagName;
  }
  return tags;
}"""
INVALID_JS = """form => [...form.elements].filter(e => e.willValidate && !e.checkValidity())
  .map(e => `${e.name}: ${e.validationMessage}`)"""

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")


class FormRefused(TechnicalError):
    """Raised when a system refuses a form (HTTP 422 with `form-error`); nothing was written."""

    def __init__(self, messages: list[str], *, system: str | None = None, step: str | None = None) -> None:
        super().__init__("refused: " + " ".join(messages), system=system, step=step)
        self.messages = messages


class _ServerError(TechnicalError):
    """An HTTP 500 page: retried by reads and by writes (which verify before they act)."""


class _LoggedOut(TechnicalError):
    """A submit answered by the login page: the session expired, the form was not run."""


def typed(value: str | None) -> Any:
    """A `data-value` as Python: "" → None, true/false, ISO date, int, Decimal, else text."""
    if value is None or value == "":
        return None
    if value in ("true", "false"):
        return value == "true"
    if _ISO_DATE.match(value):
        return date.fromisoformat(value)
    if _INTEGER.match(value):
        return int(value)
    if _DECIMAL.match(value):
        return Decimal(value)
    return value


def blank_to_none(values: Mapping[str, str | None]) -> dict[str, str | None]:
    return {key: (value if value != "" else None) for key, value in values.items()}


def form_value(value: Any) -> str:
    """How a form field is filled: ISO dates, dot decimals with two places, ja/nej."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return f"{Decimal(str(value)):.2f}"
    return str(value)


def receipt_of(rows: list[dict[str, str | None]], reference: str, **match: str) -> str | None:
    """The receipt id of the first row carrying `reference` (and the `match` values)."""
    for row in rows:
        if row.get("reference") == reference and all(row.get(k) == v for k, v in match.items()):
            return row.get("receipt_id")
    return None


@dataclass(frozen=True)
class Seen:
    """What a navigation showed: the HTTP status, its Retry-After, and the page's survey."""

    status: int
    retry_after: str | None
    survey: dict[str, Any]

    @property
    def main(self) -> str | None:
        return self.survey.get("main")


class PageObject:
    """One system, reached in the item's context through its one tab (opened on first use).

    `access.url` is the system's base URL, e.g. `http://127.0.0.1:8765/payroll`.
    """

    system: ClassVar[str] = ""
    timeout_ms: ClassVar[float] = 5_000
    navigation_timeout_ms: ClassVar[float] = 10_000
    #: Tries of one page on HTTP 500, and of one write: 4, waiting 0.05, 0.10, 0.15 s.
    retry: ClassVar[RetryPolicy] = RetryPolicy(max_attempts=4, initial_interval_s=0.05,
                                               max_interval_s=1.0, jitter=False, linear=True)
    per_page: int = 200

    def __init__(self, context: BrowserContext, access: SystemAccess) -> None:
        self.context = context
        self.access = access
        self.base = access.url.rstrip("/")
        self._page: Page | None = None
        self._seen = Seen(0, None, {})

    @property
    def page(self) -> Page:
        """The context's one tab, shared by every system's page object (opened on first use).

        One tab, as a robot works: a second tab would sit in the background, where Chromium
        gives it about one animation frame a second, and Playwright waits for frames before
        it clicks. The failure screenshot is then of the page the item was on.
        """
        if self._page is None or self._page.is_closed():
            open_pages = [page for page in self.context.pages if not page.is_closed()]
            self._page = open_pages[0] if open_pages else self.context.new_page()
            self._page.set_default_timeout(self.timeout_ms)
            self._page.set_default_navigation_timeout(self.navigation_timeout_ms)
        return self._page

    def fail(self, step: str, message: str) -> TechnicalError:
        return TechnicalError(message, system=self.system, step=step)

    # -- navigation ----------------------------------------------------------------------------

    def path(self, *parts: str, **query: Any) -> str:
        """A path under the system's base; parts are URL-quoted, empty query values left out."""
        path = "/" + "/".join(quote(str(part), safe="") for part in parts)
        params = {k: form_value(v) for k, v in query.items() if v is not None and v != ""}
        return path + (f"?{urlencode(params)}" if params else "")

    def goto(self, path: str, step: str, *, page_id: str) -> bool:
        """Open `path` (under the base, or a URL); False when the system says 404.

        Logs in when sent to the login page, retries HTTP 500s, raises `SystemUnavailable`
        on the maintenance page and `TechnicalError` when the page is not `page-<page_id>`.
        """
        url = path if "://" in path else self.base + path
        for attempt in self.retry.retrying(retry_on=_ServerError):
            with attempt:
                seen = self._through_login(self._visit(step, lambda: self.page.goto(url)), step)
                status = self._classify(seen, step)
        if status == 404:
            return False
        if seen.main != f"page-{page_id}":
            where = urlsplit(url).path
            raise self.fail(step, f"expected page {page_id!r} at {where}, found {seen.main!r}")
        return True

    def _through_login(self, seen: Seen, step: str) -> Seen:
        logins = 0
        while self._on_login_page():
            self._classify(seen, step)  # the login page itself may be a 500 or maintenance
            logins += 1
            if logins > 2:
                raise self.fail(step, "the login is not accepted")
            seen = self.login(step)
        return seen

    def login(self, step: str) -> Seen:
        """Fill the login form and submit it; returns what the login leads to."""
        if not self.access.username or self.access.password is None:
            raise self.fail(step, "no username or password for the system")
        fields = {"username": self.access.username, "password": self.access.password}
        _, button = self._prepare("login-form", fields, "login-submit", step)
        seen = self._visit(step, lambda: self._click_and_wait(button))
        if self._on_login_page() and seen.survey.get("login_error"):
            raise self.fail(step, "the login was refused")
        return seen

    def _on_login_page(self) -> bool:
        path = urlsplit(self.page.url).path
        return path == urlsplit(self.base).path + "/login"

    def _visit(self, step: str, navigate: Callable[[], Response | None]) -> Seen:
        response = self._call(step, navigate)
        survey = self._call(step, lambda: self.page.evaluate(SURVEY_JS))
        status = response.status if response is not None else 200
        retry_after = response.headers.get("retry-after") if response is not None else None
        self._seen = Seen(status, retry_after, survey)
        return self._seen

    def _call(self, step: str, action: Callable[[], T]) -> T:
        """Run a Playwright call, its errors mapped to `TechnicalError` naming the step."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            return action()
        except PlaywrightError as error:
            raise technical_error(error, self.system, step) from error

    def _click_and_wait(self, button: Locator) -> Response | None:
        with self.page.expect_navigation() as navigation:
            button.click()
        return navigation.value

    def _classify(self, seen: Seen, step: str) -> int:
        """The page's HTTP status, raising for maintenance and server errors."""
        if seen.status == 503 or seen.main == "maintenance":
            raise SystemUnavailable("the system shows its maintenance page", system=self.system,
                                    step=step, retry_after_s=self._retry_after(seen))
        if seen.status >= 500 or seen.main == "server-error":
            raise _ServerError(f"HTTP {seen.status}: the system reports an error",
                               system=self.system, step=step)
        if seen.status == 404 or seen.main == "not-found":
            return 404
        return seen.status

    @staticmethod
    def _retry_after(seen: Seen) -> float:
        if seen.retry_after and seen.retry_after.strip().isdigit():
            return float(seen.retry_after)
        until = seen.survey.get("until")
        if until:
            moment = datetime.fromisoformat(until)
            return max(1.0, (moment - datetime.now(UTC)).total_seconds())
        return DEFAULT_RETRY_AFTER_S

    # -- reading ---------------------------------------------------------------------------------

    def values(self, testid: str, step: str) -> dict[str, str | None]:
        """The `data-value` of every `value-<field>` in the definition list `testid`."""
        found = self._call(step, lambda: self.page.evaluate(VALUES_JS, testid))
        if found is None:
            raise self.fail(step, f"{testid!r} not found on {urlsplit(self.page.url).path}")
        return blank_to_none(found)

    def rows(self, table: str, step: str) -> list[dict[str, str | None]]:
        """The rows of `<table>-table` as {field: data-value}; [] for `<table>-table-empty`."""
        found = self._call(step, lambda: self.page.evaluate(ROWS_JS, table))
        if found is None:
            raise self.fail(step, f"table {table!r} not found on {urlsplit(self.page.url).path}")
        return [blank_to_none(row) for row in found]

    def all_rows(self, path: str, table: str, step: str, *, page_id: str) -> list[dict[str, str | None]]:
        """Every row of a paged list, following `page-next` until the last page."""
        sep = "&" if "?" in path else "?"
        url: str | None = f"{path}{sep}per_page={self.per_page}"
        collected: list[dict[str, str | None]] = []
        while url is not None:
            if not self.goto(url, step, page_id=page_id):
                raise self.fail(step, f"{path} not found")
            collected.extend(self.rows(table, step))
            url = self._next_page(step)
        return collected

    def _next_page(self, step: str) -> str | None:
        survey = self._seen.survey
        if survey.get("next"):
            return urljoin(self.page.url, str(survey["next"]))
        if survey.get("page") != survey.get("pages"):
            raise self.fail(step, "pagination: no link to the next page")
        return None

    def download(self, step: str, link_testid: str, expect_prefix: bytes) -> bytes:
        """The file behind a link on the current page, fetched with the context's session."""
        href = self._call(step, lambda: self.page.evaluate(HREF_JS, link_testid))
        if href is None:
            raise self.fail(step, f"{link_testid!r} not found on {urlsplit(self.page.url).path}")
        url, page_url, page_id = urljoin(self.page.url, href), self.page.url, self._seen.main or ""
        log_in_again = False
        for attempt in self.retry.retrying(retry_on=_ServerError, at_once=_LoggedOut):
            if log_in_again:  # outside the try: what logging in raises is not retried here
                self.goto(page_url, step, page_id=page_id.removeprefix("page-"))
                log_in_again = False
            with attempt:
                response = self._call(step, lambda: self.context.request.get(url))
                body = self._call(step, response.body)
                if response.status == 200 and body.startswith(expect_prefix):
                    return body
                failed = f"download of {urlsplit(url).path}: HTTP {response.status}"
                number = attempt.retry_state.attempt_number
                if number == 1 and urlsplit(response.url).path.endswith("/login"):
                    log_in_again = True
                    raise _LoggedOut(failed, system=self.system, step=step)
                if response.status < 500 or number == self.retry.max_attempts:
                    raise self.fail(step, failed)
                raise _ServerError(failed, system=self.system, step=step)
        raise self.fail(step, "unreachable")  # pragma: no cover

    # -- writing ---------------------------------------------------------------------------------

    def submit_form(self, form_testid: str, fields: Mapping[str, Any], step: str,
                    files: Mapping[str, tuple[str, bytes]] | None = None) -> str:
        """Fill the form's `input-<name>` controls, submit it, and return the receipt id.

        Every control is found before any is filled: on a page that is not the expected
        one nothing is submitted.
        """
        form, button = self._prepare(form_testid, fields, f"{form_testid}-submit", step, files or {})
        invalid = self._call(step, lambda: form.evaluate(INVALID_JS))
        if invalid:
            raise FormRefused(list(invalid), system=self.system, step=step)
        seen = self._visit(step, lambda: self._click_and_wait(button))
        if self._on_login_page():
            raise _LoggedOut("the session expired before the form was sent", system=self.system, step=step)
        status = self._classify(seen, step)
        errors = seen.survey.get("errors")
        if status == 422 or errors is not None:
            raise FormRefused(list(errors or []) or [f"HTTP {status}"], system=self.system, step=step)
        if status == 404:
            raise self.fail(step, f"{urlsplit(self.page.url).path} not found")
        if not seen.survey.get("receipt"):
            raise self.fail(step, f"no receipt shown on {urlsplit(self.page.url).path}")
        return str(seen.survey["receipt"])

    def _prepare(self, form_testid: str, fields: Mapping[str, Any], submit_testid: str, step: str,
                 files: Mapping[str, tuple[str, bytes]] | None = None) -> tuple[Locator, Locator]:
        """Find every control, then fill them; returns the form and its submit button."""
        files = files or {}
        names = [*fields, *files]
        tags = self._call(step, lambda: self.page.evaluate(CONTROLS_JS, [form_testid, names, submit_testid]))
        if tags is None:
            raise self.fail(step, f"form {form_testid!r} or one of its controls not found, nothing submitted")
        form = self.page.get_by_test_id(form_testid)
        self._call(step, lambda: self._fill(form, tags, fields, files))
        return form, form.get_by_test_id(submit_testid)

    @staticmethod
    def _fill(form: Locator, tags: Mapping[str, str], fields: Mapping[str, Any],
              files: Mapping[str, tuple[str, bytes]]) -> None:
        for name, value in fields.items():
            control = form.get_by_test_id(f"input-{name}")
            if tags[name] == "SELECT":
                control.select_option(value=form_value(value))
            else:
                control.fill(form_value(value))
        for name, (filename, content) in files.items():
            form.get_by_test_id(f"input-{name}").set_input_files(
                {"name": filename, "mimeType": "application/pdf", "buffer": content})

    def write(self, step: str, reference: str, find: Callable[[], str | None],
              act: Callable[[], str]) -> Receipt:
        """Verify before acting: `find` looks for the reference's earlier write (a receipt id).

        A 500 or an expired session during `act` is retried from `find`, so a write that
        did land is found rather than repeated.
        """
        sent = False
        for attempt in self.retry.retrying(retry_on=_ServerError, at_once=_LoggedOut):
            existing = find()  # outside the try: what finding raises is not retried
            if existing is not None:
                return Receipt(receipt_id=existing, reference=reference, already_done=not sent)
            with attempt:
                try:
                    return Receipt(receipt_id=act(), reference=reference)
                except _ServerError:
                    sent = True
                    raise
                except _LoggedOut:  # the next try's `find` logs in again
                    if attempt.retry_state.attempt_number == self.retry.max_attempts:
                        raise self.fail(step, "the write did not go through") from None
                    raise
        raise self.fail(step, "unreachable")  # pragma: no cover
