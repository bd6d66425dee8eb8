"""The worker's browsers: fresh contexts per item, masked screenshots and traces on failure."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from runner.browser import BrowserPool, find_chromium, technical_error
from runner.errors import TechnicalError

REPO = Path(__file__).resolve().parents[2]

PAGE = b"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Medarbejder</title>
<style>
  body { font: 16px sans-serif; margin: 20px; background: #fff; color: #000; }
  #cpr, #plain, #safe { display: inline-block; padding: 4px; }
</style></head>
<body>
  <h1>Medarbejder</h1>
  <p>CPR-nr.: <span id="cpr" data-cpr>070761-4285</span></p>
  <p><span id="plain">Ansat med 0707614285 siden 2019</span></p>
  <p><label>Personnummer <input id="field" name="medarbejder_cpr" value="1111111118"></label></p>
  <p><span id="safe">L\xc3\xb8nnummer 12345</span></p>
</body></html>
"""


class Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if self.path == "/login":
            self.send_header("Set-Cookie", "session=abc; Path=/")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def pool() -> Iterator[BrowserPool]:
    pool = BrowserPool()
    yield pool
    pool.close()


def region(png: bytes | Path, box: dict[str, float]) -> Image.Image:
    """The pixels inside an element's bounding box, one pixel in from anti-aliased edges."""
    image = Image.open(io.BytesIO(png) if isinstance(png, bytes) else png).convert("RGB")
    left, top = int(box["x"]) + 1, int(box["y"]) + 1
    right, bottom = int(box["x"] + box["width"]) - 1, int(box["y"] + box["height"]) - 1
    return image.crop((left, top, right, bottom))


def solid(image: Image.Image) -> bool:
    return len(image.getcolors(maxcolors=2) or [None, None]) == 1


@pytest.mark.browser
def test_failure_capture_writes_a_screenshot_and_a_trace(pool: BrowserPool, site: str, tmp_path) -> None:
    session = pool.session("hello-1")
    try:
        session.context.new_page().goto(site)
        captured = session.capture_failure(tmp_path / "attempt-1")
    finally:
        session.close()

    assert [kind for kind, _ in captured] == ["screenshot", "trace"]
    paths = dict(captured)
    assert paths["screenshot"].read_bytes().startswith(b"\x89PNG")
    assert paths["trace"].stat().st_size > 0
    with zipfile.ZipFile(paths["trace"]) as trace:
        events = trace.read("trace.trace").decode()
    assert '"frame-snapshot"' in events  # the trace viewer can show the page as the robot saw it


@pytest.mark.browser
def test_screenshot_masks_cpr_elements_fields_and_text(pool: BrowserPool, site: str, tmp_path) -> None:
    session = pool.session("hello-2")
    try:
        page = session.context.new_page()
        page.goto(site)
        unmasked = page.screenshot(full_page=True)
        boxes = {name: page.locator(f"#{name}").bounding_box() for name in ("cpr", "plain", "field", "safe")}
        captured = dict(session.capture_failure(tmp_path))
    finally:
        session.close()

    for name in ("cpr", "plain", "field"):
        box = boxes[name]
        assert box is not None
        masked = region(captured["screenshot"], box)
        assert solid(masked), f"#{name} is not covered by one colour"
        assert masked.tobytes() != region(unmasked, box).tobytes(), f"#{name} was not masked"
    safe = boxes["safe"]
    assert safe is not None
    assert region(captured["screenshot"], safe).tobytes() == region(unmasked, safe).tobytes()


@pytest.mark.browser
def test_each_session_is_a_fresh_danish_context_that_stays_logged_in(pool: BrowserPool, site: str) -> None:
    first = pool.session("hello-3")
    page = first.context.new_page()
    page.goto(f"{site}/login")
    page.evaluate("localStorage.setItem('draft', 'x')")
    assert [c["name"] for c in first.context.cookies()] == ["session"]
    first.close()

    second = pool.session("hello-4")
    try:
        assert second.context.pages == []
        page = second.context.new_page()
        page.goto(site)
        assert [c["name"] for c in second.context.cookies()] == ["session"]  # the login, nothing else
        assert page.evaluate("localStorage.getItem('draft')") is None
        assert second.label == "hello-4"
        assert page.viewport_size == {"width": 1280, "height": 900}
        assert page.evaluate("navigator.language") == "da-DK"
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Europe/Copenhagen"
    finally:
        second.close()


@pytest.mark.browser
def test_without_keep_logins_a_session_starts_logged_out(site: str) -> None:
    def work() -> None:
        pool = BrowserPool(traces=False, keep_logins=False)
        try:
            first = pool.session("hello-5")
            first.context.new_page().goto(f"{site}/login")
            assert first.context.cookies()
            first.close()
            second = pool.session("hello-6")
            second.context.new_page().goto(site)
            assert second.context.cookies() == []
            second.close()
        finally:
            pool.close()

    in_own_thread(work)


def in_own_thread(work: Callable[[], None]) -> None:
    """Run `work` on a new thread, as a worker does: one started Playwright per thread."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as failure:
            failures.append(failure)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if failures:
        raise failures[0]


@pytest.mark.browser
def test_pool_relaunches_a_dead_browser_and_closes_twice(site: str, tmp_path) -> None:
    in_own_thread(lambda: relaunch_and_close_twice(site, tmp_path))


def relaunch_and_close_twice(site: str, tmp_path: Path) -> None:
    pool = BrowserPool(traces=False)
    try:
        session = pool.session("hello-5")
        browser = session.context.browser
        assert browser is not None
        browser.close()  # as if Chromium had crashed

        assert session.capture_failure(tmp_path / "dead") == []
        session.close()
        session.close()

        again = pool.session("hello-6")
        again.context.new_page().goto(site)
        assert [kind for kind, _ in again.capture_failure(tmp_path / "alive")] == ["screenshot"]
        again.close()
    finally:
        pool.close()
        pool.close()


@pytest.mark.browser
def test_pool_belongs_to_the_thread_that_started_it(pool: BrowserPool) -> None:
    pool.session("hello-8").close()

    def elsewhere() -> None:
        with pytest.raises(RuntimeError, match="thread"):
            pool.session("hello-9")

    in_own_thread(elsewhere)


@pytest.mark.browser
def test_capture_without_a_page_returns_nothing(pool: BrowserPool, tmp_path) -> None:
    session = pool.session("hello-7")
    try:
        captured = session.capture_failure(tmp_path)
    finally:
        session.close()
    assert [kind for kind, _ in captured] == ["trace"]


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="no Debian Chromium here")
def test_find_chromium_finds_the_system_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RPA_CHROMIUM", raising=False)
    found = find_chromium()
    assert found is not None
    assert os.path.realpath(found) == os.path.realpath("/usr/bin/chromium")


@pytest.mark.browser
def test_check_exits_zero_when_a_chromium_is_usable() -> None:
    done = subprocess.run([sys.executable, "-m", "runner.browser", "--check"], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "chromium:" in done.stdout


def test_rpa_chromium_comes_first(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    chrome = tmp_path / "my-chrome"
    chrome.write_text("#!/bin/sh\n")
    chrome.chmod(0o755)
    monkeypatch.setenv("RPA_CHROMIUM", str(chrome))
    assert find_chromium() == str(chrome)


def test_importing_the_module_starts_nothing() -> None:
    code = "import sys, runner.browser; assert 'playwright' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)


def test_playwright_timeout_becomes_a_short_technical_error() -> None:
    timeout = PlaywrightTimeout(
        "Locator.click: Timeout 30000ms exceeded.\nCall log:\n  - waiting for get_by_text('070761-4285')"
    )
    error = technical_error(timeout, "lonsystem", "register_line")
    assert isinstance(error, TechnicalError)
    assert (error.system, error.step) == ("lonsystem", "register_line")
    assert str(error) == "lonsystem/register_line: Locator.click: Timeout 30000ms exceeded."
    assert error.__cause__ is timeout


def test_playwright_error_message_is_masked_and_shortened() -> None:
    error = technical_error(PlaywrightError("no row for 070761-4285 " + "x" * 500), "sp", "open_case")
    assert "070761-XXXX" in str(error)
    assert "4285" not in str(error)
    assert len(str(error)) < 250
