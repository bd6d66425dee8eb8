"""Browsers for workers: one Chromium per worker thread, one fresh context per item.

Playwright is imported only when a browser is first needed, so importing this module
starts nothing. `python -m runner.browser --check` says which Chromium would be used.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from runner.errors import TechnicalError
from runner.files import make_private_dir, write_private
from runner.logs import module_logger
from runner.redact import active_redactors, redact_text
from runner.traces import mask_trace

if TYPE_CHECKING:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        Locator,
        Page,
        Playwright,
        StorageState,
        ViewportSize,
    )

__all__ = ["BrowserPool", "BrowserSession", "bundled_chromium", "find_chromium", "technical_error"]

log = module_logger("runner.browser")

SYSTEM_CHROMIUMS = ("chromium", "chromium-browser", "google-chrome")
DEBIAN_CHROMIUM = "/usr/bin/chromium"
# Debian's build of Chromium's headless shell (what Playwright itself runs headless):
# the same Blink without the browser's UI, a third quicker through a bot's flow here.
HEADLESS_SHELL = "chromium-headless-shell"

# Without the background-networking flags Chromium keeps calling home, which a closed
# network refuses noisily; the rest suit a headless machine without GPU or big /dev/shm.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
LOCALE = "da-DK"
TIMEZONE = "Europe/Copenhagen"

MASK_COLOUR = "#FF00FF"
CAPTURE_TIMEOUT_MS = 15_000
MESSAGE_LIMIT = 200


def find_chromium(*, headless: bool = True) -> str | None:
    """A Chromium executable to launch: `RPA_CHROMIUM`, else a system Chromium.

    Headless, the system's headless shell comes first when there is one. None means none
    was found and Playwright's own bundled Chromium is to be used (see `bundled_chromium`).
    """
    named = os.environ.get("RPA_CHROMIUM")
    if named:
        found = shutil.which(named)
        if found:
            return found
        log.warning("rpa_chromium_not_found", path=named)
    for name in ((HEADLESS_SHELL,) if headless else ()) + SYSTEM_CHROMIUMS:
        found = shutil.which(name)
        if found:
            return found
    return DEBIAN_CHROMIUM if os.access(DEBIAN_CHROMIUM, os.X_OK) else None


def bundled_chromium() -> str | None:
    """The path of Playwright's downloaded Chromium, or None when it is not installed."""
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            path = playwright.chromium.executable_path
    except Exception as error:  # any failure means "not usable"
        log.warning("bundled_chromium_unavailable", error=str(error))
        return None
    return path if os.path.exists(path) else None


def technical_error(exc: BaseException, system: str, step: str) -> TechnicalError:
    """Map a Playwright error to a `TechnicalError` naming the system and step.

    Use at the edge of a page object: `raise technical_error(e, "lonsystem", "login") from e`.
    The message is the error's first line, masked and shortened (Playwright's own
    messages carry a whole call log).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    lines = str(exc).strip().splitlines()
    first = lines[0].strip() if lines else type(exc).__name__
    message = redact_text(first)
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    if isinstance(exc, PlaywrightTimeout) and "timeout" not in message.lower():
        message = f"timed out: {message}"
    error = TechnicalError(message, system=system, step=step)
    error.__cause__ = exc
    return error


class BrowserSession:
    """One item's browser context; captures a masked screenshot and the trace on failure.

    `on_close`, when given, is handed the context's cookies (as a storage state) before it closes.
    """

    def __init__(
        self,
        context: BrowserContext,
        label: str,
        *,
        tracing: bool,
        on_close: Callable[[StorageState], None] | None = None,
    ) -> None:
        self.context = context
        self.label = label
        self._tracing = tracing
        self._on_close = on_close
        self._closed = False

    def capture_failure(self, folder: Path) -> list[tuple[str, Path]]:
        """Write `screenshot.png` (personal data masked) and, when tracing, `trace.zip` into `folder`.

        Never raises: whatever could not be captured is logged and left out.
        """
        captured: list[tuple[str, Path]] = []
        try:
            make_private_dir(folder)
        except OSError as error:
            log.warning("browser_capture_failed", label=self.label, step="folder", error=str(error))
            return captured
        screenshot = self._screenshot(folder / "screenshot.png")
        if screenshot is not None:
            captured.append(("screenshot", screenshot))
        trace = self._save_trace(folder / "trace.zip")
        if trace is not None:
            captured.append(("trace", trace))
        return captured

    def close(self) -> None:
        """Discard the trace if still recording and close the context; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._tracing:
                self._tracing = False
                self.context.tracing.stop()
            if self._on_close is not None:
                self._on_close({"cookies": self.context.storage_state()["cookies"], "origins": []})
            self.context.close()
        except Exception as error:  # the browser may already be gone
            log.debug("browser_session_close_failed", label=self.label, error=str(error))

    def _screenshot(self, path: Path) -> Path | None:
        pages = self.context.pages
        if not pages:
            log.warning("browser_capture_failed", label=self.label, step="screenshot", error="no page")
            return None
        page = pages[-1]
        try:
            png = page.screenshot(
                full_page=True, mask=masked_locators(page), mask_color=MASK_COLOUR,
                animations="disabled", timeout=CAPTURE_TIMEOUT_MS,
            )
            write_private(path, png)
        except Exception as error:  # capture must not hide the item's own error
            log.warning("browser_capture_failed", label=self.label, step="screenshot", error=str(error))
            return None
        return path

    def _save_trace(self, path: Path) -> Path | None:
        if not self._tracing:
            return None
        self._tracing = False
        try:
            self.context.tracing.stop(path=path)
            mask_trace(path)
        except Exception as error:  # capture must not hide the item's own error
            # A trace that could not be masked is not kept: it holds unmasked personal data.
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
            log.warning("browser_capture_failed", label=self.label, step="trace", error=str(error))
            return None
        return path


def masked_locators(page: Page) -> list[Locator]:
    """What a screenshot masks: each active redactor's fields and the text it names."""
    locators: list[Locator] = []
    for redactor in active_redactors():
        if redactor.screen_fields:
            locators.append(page.locator(redactor.screen_fields))
        if redactor.screen_text is not None:
            locators.append(page.get_by_text(redactor.screen_text))
    return locators


class BrowserPool:
    """One worker thread's Chromium, launched on the first `session()`, relaunched if it died.

    Playwright's sync API belongs to the thread that started it, and a thread can run only
    one at a time: one pool per worker thread, used from that thread only.

    With `keep_logins` (the default) the robot stays logged in, as a caseworker does: each
    new context starts with the cookies the last one closed with, so an item does not log
    in to every system again. Nothing else carries over (pages, storage, cache), and a
    session the system has expired sends the page objects through the login as usual.
    """

    def __init__(
        self,
        *,
        traces: bool = True,
        headless: bool = True,
        executable: str | None = None,
        launch_args: Sequence[str] = (),
        keep_logins: bool = True,
    ) -> None:
        self.traces = traces
        self.headless = headless
        self.executable = executable
        self.launch_args = tuple(launch_args)
        self.keep_logins = keep_logins
        self._logins: StorageState | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._thread: int | None = None

    def session(self, label: str) -> BrowserSession:
        """A fresh context (1280x900, da-DK, Europe/Copenhagen), tracing when traces are on."""
        browser = self._live_browser()
        context = browser.new_context(viewport=VIEWPORT, locale=LOCALE, timezone_id=TIMEZONE,
                                      storage_state=self._logins)
        if self.traces:
            # DOM snapshots of every action are what the trace viewer shows a page from;
            # the screencast film strip cost the demo an eighth of its time (262 s, not 231).
            context.tracing.start(screenshots=False, snapshots=True, title=label)
        return BrowserSession(context, label, tracing=self.traces,
                              on_close=self._keep if self.keep_logins else None)

    def _keep(self, logins: StorageState) -> None:
        self._logins = logins

    def close(self) -> None:
        """Close the browser and stop Playwright; safe to call twice."""
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        self._thread = None
        for stop in (browser.close if browser else None, playwright.stop if playwright else None):
            if stop is None:
                continue
            try:
                stop()
            except Exception as error:  # closing what may already be gone
                log.debug("browser_close_failed", error=str(error))

    def _live_browser(self) -> Browser:
        if self._thread is not None and self._thread != threading.get_ident():
            raise RuntimeError("a BrowserPool is used only from the thread that started it")
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        if self._browser is not None:
            log.warning("browser_relaunched", reason="disconnected")
            self._drop_browser()
        if self._playwright is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._thread = threading.get_ident()
        executable = self.executable or find_chromium(headless=self.headless)
        self._browser = self._playwright.chromium.launch(
            executable_path=executable, headless=self.headless,
            args=[*LAUNCH_ARGS, *self.launch_args],
        )
        log.info("browser_launched", executable=executable or "bundled", version=self._browser.version)
        return self._browser

    def _drop_browser(self) -> None:
        browser, self._browser = self._browser, None
        try:
            if browser is not None:
                browser.close()
        except Exception as error:  # it has already crashed
            log.debug("browser_close_failed", error=str(error))


def check() -> int:
    """Print which Chromium would be used; 0 when one is usable, 1 otherwise."""
    system = find_chromium()
    if system:
        print(f"chromium: {system}")
        return 0
    bundled = bundled_chromium()
    if bundled:
        print(f"chromium: {bundled} (Playwright's bundled)")
        return 0
    print("no Chromium found: set RPA_CHROMIUM, install chromium, or run `playwright install chromium`")
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runner.browser", description=__doc__)
    parser.add_argument("--check", action="store_true", help="say which Chromium would be used")
    args = parser.parse_args(argv)
    if not args.check:
        parser.print_help()
        return 2
    return check()


if __name__ == "__main__":
    sys.exit(main())
