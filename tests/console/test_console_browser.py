"""The console end to end: `rpa console --port 0` as a separate process over a temporary
deployment, driven in a real Chromium with JavaScript off (the pages need none).

Screenshots of the login page and the overview land in the test's folder, and are copied
to `RPA_CONSOLE_SHOTS` when that names a folder (for docs/console.md).
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from runner.browser import LAUNCH_ARGS, LOCALE, TIMEZONE, VIEWPORT, find_chromium
from runner.console import texts
from runner.states import ErrorKind
from runner.store import NewItem, open_store
from tests.runner.deployment_support import write_config

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "korrekt hest batteri"
TODAY = date(2024, 11, 18)  # write_config fixes the business date
READY = re.compile(r"console: http://127\.0\.0\.1:(\d+)/")
START_TIMEOUT_S = 60
ENGLISH = ("Login", "Log in", "Password", "Username", "Overview", "Logout", "Sign", "Error", "Updated")


@dataclass
class Served:
    """A running console and the deployment under it."""

    url: str
    folder: Path
    config: Path
    process: subprocess.Popen[str]

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return httpx.get(self.url + path.lstrip("/"), headers=headers, follow_redirects=False, timeout=30)


def rpa(config: Path, *args: str, user: str = "admin", stdin: str | None = None) -> str:
    command = [sys.executable, "-m", "runner.cli.main", "--config", str(config), "--as", user, *args]
    result = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def deployment(folder: Path, *, idle_minutes: float = 30) -> Path:
    """orchestrator.yaml in `folder`: the shipped one, its store and key file in the folder."""
    config = write_config(folder)
    data = yaml.safe_load(config.read_text())
    data["console"] = {"host": "127.0.0.1", "port": 8000, "session_idle_minutes": idle_minutes,
                       "secret_key_file": str(folder / "console.key")}
    config.write_text(yaml.safe_dump(data, allow_unicode=True))
    return config


def seed(config: Path, folder: Path) -> None:
    """Users with passwords, a paused bot, an exception waiting and an item due tomorrow."""
    rpa(config, "users", "add", "admin", "--role", "admin")
    for name, role in (("olga", "operator"), ("lars", "ops")):
        rpa(config, "users", "add", name, "--role", role)
    for name in ("admin", "olga", "lars"):
        rpa(config, "users", "passwd", name, "--password-stdin", stdin=PASSWORD + "\n")
    rpa(config, "bots", "pause", "hello", "--reason", "månedsafslutning", user="olga")
    store = open_store(f"sqlite:///{folder / 'rpa.db'}")
    try:
        store.enqueue([NewItem("one_off_supplements", "cases", "sag-1", {}),
                       NewItem("refund_claims", "absences", "frav-1", {}, due=TODAY + timedelta(days=1))])
        [item] = store.claim("seed", lease_s=60, as_of=TODAY, bots=["one_off_supplements"])
        store.fail(item.id, "seed", kind=ErrorKind.BUSINESS, code="AMOUNT_OUT_OF_RANGE", message="for stort")
    finally:
        store.close()


def start_console(config: Path, folder: Path) -> Served:
    command = [sys.executable, "-m", "runner.cli.main", "--config", str(config), "console", "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT_S)
    line = process.stdout.readline() if ready else ""
    if not READY.fullmatch(line.strip()):
        process.kill()
        errors = process.stderr.read() if process.stderr else ""
        pytest.fail(f"no ready line from rpa console: {line!r} {errors}")
    return Served(line.strip().removeprefix("console: "), folder, config, process)


def stop_console(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)
    out, err = served.process.communicate(timeout=30)
    assert served.process.returncode == 0, err
    assert out == "", "rpa console prints one line only"
    assert "Traceback" not in err


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("console")
    config = deployment(folder)
    seed(config, folder)
    console = start_console(config, folder)
    yield console
    stop_console(console)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=find_chromium(), args=list(LAUNCH_ARGS))
    yield launched
    launched.close()


def new_context(browser: Browser, *, javascript: bool = False,
                width: int = VIEWPORT["width"]) -> BrowserContext:
    return browser.new_context(java_script_enabled=javascript, locale=LOCALE, timezone_id=TIMEZONE,
                               viewport={"width": width, "height": VIEWPORT["height"]})


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = new_context(browser)
    yield context.new_page()
    context.close()


def shoot(page: Page, folder: Path, name: str) -> Path:
    path = folder / "shots" / f"{name}.png"
    path.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    copy_to = os.environ.get("RPA_CONSOLE_SHOTS")
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(copy_to) / path.name)
    return path


def log_in(page: Page, served: Served, name: str, password: str = PASSWORD) -> None:
    page.goto(served.url + "login")
    page.get_by_label(texts.USER_NAME).fill(name)
    page.get_by_label(texts.PASSWORD).fill(password)
    page.get_by_role("button", name=texts.LOGIN_BUTTON).click()


def assert_danish_only(page: Page) -> None:
    shown = page.locator("body").inner_text()
    assert not [word for word in ENGLISH if re.search(rf"\b{word}\b", shown)], shown


def test_healthz_answers_and_nothing_else_does_without_login(served: Served, page: Page) -> None:
    health = served.get("/healthz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    first = served.get("/")
    assert (first.status_code, first.headers["location"]) == (303, "/login")
    api = served.get("/api/overview")
    assert api.status_code == 401 and api.json() == {"error": texts.NOT_LOGGED_IN}
    for answer in (health, first, api):
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["cache-control"] == "no-store"
    page.goto(served.url)
    assert page.url == served.url + "login"
    expect(page.get_by_role("heading", name=texts.LOGIN_TITLE)).to_be_visible()
    assert_danish_only(page)
    shoot(page, served.folder, "login")


def test_a_wrong_password_shows_a_danish_error(served: Served, page: Page) -> None:
    log_in(page, served, "olga", "forkert kodeord")
    expect(page.get_by_role("alert")).to_have_text(texts.LOGIN_FAILED)
    assert page.url == served.url + "login"
    assert_danish_only(page)
    shoot(page, served.folder, "login-error")


def test_five_failures_lock_the_name_out_even_with_the_right_password_and_it_is_audited(
    served: Served, page: Page
) -> None:
    for _ in range(4):
        log_in(page, served, "lars", "forkert kodeord")
        expect(page.get_by_role("alert")).to_have_text(texts.LOGIN_FAILED)
    log_in(page, served, "lars", "forkert kodeord")
    locked = texts.login_locked(15)
    expect(page.get_by_role("alert")).to_have_text(locked)
    log_in(page, served, "lars")
    expect(page.get_by_role("alert")).to_have_text(locked)
    shoot(page, served.folder, "login-locked")
    store = open_store(f"sqlite:///{served.folder / 'rpa.db'}")
    try:
        trail = store.audit_trail(store.get_user("admin").actor())
    finally:
        store.close()
    locks = [entry for entry in trail if entry.action == "login_locked"]
    assert [(e.actor, e.details) for e in locks] == [("console", {"user": "lars"})]


def test_login_shows_the_overview_with_its_lights(served: Served, page: Page) -> None:
    log_in(page, served, "olga")
    assert page.url == served.url
    expect(page.get_by_role("heading", name=texts.OVERVIEW_TITLE, exact=True)).to_be_visible()
    whole = page.locator(".whole")
    expect(whole).to_have_class(re.compile(r"\bstatus-red\b"))
    expect(whole).to_contain_text(texts.paused("månedsafslutning"))
    expect(page.locator("#bot-hello")).to_have_attribute("data-status", "red")
    supplements = page.locator("#bot-one_off_supplements")
    expect(supplements).to_have_attribute("data-status", "yellow")
    expect(supplements).to_contain_text(texts.exceptions_waiting(1))
    expect(page.locator("#bot-refund_claims")).to_contain_text(texts.due_soon(1))
    expect(page.locator("#bot-termination_letters")).to_have_attribute("data-status", "green")
    expect(page.locator("time")).to_contain_text(re.compile(r"kl\. \d\d\.\d\d CES?T$"))
    assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "30; url=/?auto=1"
    assert page.locator("script").count() == 0
    assert_danish_only(page)
    shoot(page, served.folder, "overview")


def test_the_overview_fits_a_narrow_screen_and_its_styles_pass_the_csp(served: Served,
                                                                        browser: Browser) -> None:
    context = new_context(browser, javascript=True, width=390)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security" in message.text
            else None)
    try:
        log_in(page, served, "olga")
        expect(page.locator(".whole")).to_be_visible()
        colour = page.locator("header.top").evaluate("element => getComputedStyle(element).backgroundColor")
        assert colour == "rgb(29, 79, 145)"  # console.css applied: served locally, allowed by the CSP
        shoot(page, served.folder, "overview-narrow")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= 390, "the page itself does not scroll sideways (the counts table may)"
    finally:
        context.close()
    assert refused == []


def test_a_post_without_the_csrf_token_is_refused(served: Served, page: Page) -> None:
    log_in(page, served, "olga")
    answer = page.request.post(served.url + "logout", form={}, max_redirects=0)
    assert answer.status == 403 and texts.CSRF_FAILED in answer.text()
    forged = page.request.post(served.url + "logout", form={"csrf_token": "forged"}, max_redirects=0)
    assert forged.status == 403
    page.goto(served.url)
    assert page.url == served.url  # still logged in


def test_logout_ends_the_session(served: Served, page: Page) -> None:
    log_in(page, served, "olga")
    cookies = page.context.cookies()
    page.get_by_role("button", name=texts.LOG_OUT).click()
    assert page.url == served.url + "login"
    expect(page.get_by_role("status")).to_have_text(texts.LOGGED_OUT)
    page.goto(served.url)
    assert page.url == served.url + "login"
    page.context.clear_cookies()
    page.context.add_cookies(cookies)  # the cookie from before the logout no longer opens anything
    page.goto(served.url)
    assert page.url == served.url + "login"


def test_an_idle_session_expires(tmp_path: Path, browser: Browser) -> None:
    config = deployment(tmp_path, idle_minutes=0.05)  # three seconds
    rpa(config, "users", "add", "admin", "--role", "admin")
    rpa(config, "users", "passwd", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    console = start_console(config, tmp_path)
    context = new_context(browser)
    try:
        page = context.new_page()
        log_in(page, console, "admin")
        assert page.url == console.url
        time.sleep(4)  # a real process on a real clock: the only way to let it idle
        page.goto(console.url)
        assert page.url == console.url + "login"
        expect(page.get_by_role("status")).to_have_text(texts.session_expired(0.05))
    finally:
        context.close()
        stop_console(console)


def test_a_bearer_token_reads_the_api_as_its_user(served: Served) -> None:
    token = json.loads(rpa(served.config, "users", "token", "olga", "--json", user="olga"))["token"]
    answer = served.get("/api/overview", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "red" and body["bots"]["hello"]["paused"] is True
    assert body["bots"]["one_off_supplements"]["counts"]["business_exception"] == 1
    assert served.get("/api/overview", headers={"Authorization": "Bearer rpa_nope"}).status_code == 401
    rpa(served.config, "users", "token", "olga", "--revoke", user="olga")
    assert served.get("/api/overview", headers={"Authorization": f"Bearer {token}"}).status_code == 401
