"""The worker's browsers: fresh contexts per item, masked screenshots and traces on failure."""

from __future__ import annotations

import html
import io
import json
import os
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from runner import SystemAccess
from runner.browser import BrowserPool, find_chromium, technical_error
from runner.errors import TechnicalError
from runner.traces import mask_trace

REPO = Path(__file__).resolve().parents[2]
FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")

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


# One person's number (210390-3966) in every form a page, a URL or a body can hold it.
HOSTILE = """<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Sag 2103903966</title></head>
<body>
  <h1>Medarbejder 210390\u20133966</h1>
  <dl><dd data-value="2103903966" data-cpr>210390&nbsp;3966</dd>
  <dd title="210390&#8211;3966">CPR ２１０３９０－３９６６</dd>
  <dd>210390.3966 og 210390\u202f3966 og 210390/3966 og 210390  3966</dd></dl>
  <input id="field" name="medarbejder_cpr" value="210390 3966">
  <a id="next" href="/hostile/next?cpr=210390%E2%80%933966&amp;q=210390+3966">videre</a>
  <script>document.body.insertAdjacentHTML("beforeend", "<p>210390\\t3966</p>")</script>
</body></html>
""".encode()


class Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if self.path == "/login":
            self.send_header("Set-Cookie", "session=abc; Path=/")
        self.end_headers()
        self.wfile.write(HOSTILE if self.path.startswith("/hostile") else PAGE)

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


def full_cprs(data: bytes, cprs: list[str]) -> list[str]:
    """The numbers of `cprs` found whole in `data`, split or escaped any way (JSON, URL, HTML)."""
    text = data.decode("utf-8", errors="replace")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text)
    text = re.sub(r"\\[tnrfvb]", " ", text)
    text = unquote_plus(html.unescape(text)).translate(FULL_WIDTH)
    wanted = "|".join(f"{cpr[:6]}[^0-9A-Za-z]{{0,12}}{cpr[6:]}" for cpr in cprs)
    return re.findall(rf"(?<![0-9])(?:{wanted})(?![0-9])", text)


def trace_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as trace:
        assert trace.testzip() is None
        return {name: trace.read(name) for name in trace.namelist()}


def check_trace_opens(members: dict[str, bytes]) -> None:
    """What the trace viewer reads: the events, DOM snapshots and the bodies they name."""
    events = [json.loads(line) for line in members["trace.trace"].decode().splitlines() if line]
    assert any(event["type"] == "frame-snapshot" for event in events)
    network = [json.loads(line) for line in members["trace.network"].decode().splitlines() if line]
    contents = [entry["snapshot"]["response"]["content"] for entry in network]
    # Playwright names a body by its member (`_file`), older versions by its SHA-1 name.
    bodies = [c.get("_file") or (c.get("_sha1") and f"resources/{c['_sha1']}") for c in contents]
    assert [body for body in bodies if body], "no response body in the trace"
    for body in filter(None, bodies):
        assert body in members, body


@pytest.mark.browser
def test_trace_holds_no_full_cpr_in_any_member(pool: BrowserPool, site: str, tmp_path) -> None:
    session = pool.session("hello-210390-3966")
    try:
        page = session.context.new_page()
        page.goto(f"{site}/hostile?cpr=210390%203966")
        page.fill("#field", "210390\t3966")
        page.click("#next")
        page.locator("h1").wait_for()
        boxes = [page.locator(selector).bounding_box() for selector in ("h1", "dd >> nth=1")]
        captured = dict(session.capture_failure(tmp_path))
    finally:
        session.close()

    for box in boxes:  # an en dash and full-width digits are masked in the screenshot too
        assert box is not None and solid(region(captured["screenshot"], box))
    members = trace_members(captured["trace"])
    check_trace_opens(members)
    for name, data in members.items():
        assert full_cprs(data, ["2103903966"]) == [], name
    snapshots = members["trace.trace"].decode()
    assert '"data-value":"210390-XXXX"' in snapshots  # masked, not dropped
    assert "Medarbejder 210390-XXXX" in snapshots
    assert captured["trace"].stat().st_mode & 0o777 == 0o600


@pytest.mark.browser
def test_trace_of_a_sandbox_page_holds_no_full_cpr(tmp_path) -> None:
    from sandbox import dataset, generator
    from sandbox.server import serve_in_thread
    from systems import Payroll

    data = generator.generate(20, seed=3)
    dataset.load(tmp_path / "sandbox.db", data)
    cprs = sorted({employment["cpr"].replace("-", "") for employment in data["employments"]})
    url, stop = serve_in_thread(tmp_path / "sandbox.db", port=0)

    def work() -> None:
        pool = BrowserPool()
        try:
            session = pool.session("payroll-lookup")
            payroll = Payroll(session.context, SystemAccess("payroll", f"{url}/payroll", "robot", "sandbox"))
            assert payroll.employments_by_cpr(cprs[0])
            assert payroll.employment_ids()
            cookies.extend(cookie["value"] for cookie in session.context.cookies())
            captured.update(session.capture_failure(tmp_path / "attempt-1"))
            session.close()
        finally:
            pool.close()

    captured: dict[str, Path] = {}
    cookies: list[str] = []
    try:
        in_own_thread(work)
    finally:
        stop()
    members = trace_members(captured["trace"])
    check_trace_opens(members)
    assert "-XXXX" in members["trace.trace"].decode()
    assert cookies and "[redacted]" in members["trace.network"].decode()
    for name, content in members.items():
        assert full_cprs(content, cprs) == [], name
        # Nor the robot's password (typed, in the login form's body) or its session.
        text = content.decode("utf-8", errors="replace")
        for secret in ('"sandbox"', "password=sandbox", '\\"sandbox\\"', *cookies):
            assert secret not in text, (name, secret)


def test_masking_a_trace_that_is_not_a_zip_raises_and_leaves_no_partial_file(tmp_path) -> None:
    broken = tmp_path / "trace.zip"
    broken.write_bytes(b"not a zip, but 2103903966")
    with pytest.raises(zipfile.BadZipFile):
        mask_trace(broken)
    assert [path.name for path in tmp_path.iterdir()] == ["trace.zip"]


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
    found = find_chromium(headless=False)  # a window needs the whole browser
    assert found is not None
    assert os.path.realpath(found) == os.path.realpath("/usr/bin/chromium")


def test_headless_prefers_the_headless_shell(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in ("chromium", "chromium-headless-shell"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.delenv("RPA_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() == str(tmp_path / "chromium-headless-shell")
    assert find_chromium(headless=False) == str(tmp_path / "chromium")
    (tmp_path / "chromium-headless-shell").unlink()
    assert find_chromium() == str(tmp_path / "chromium")


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
