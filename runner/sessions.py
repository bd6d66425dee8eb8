"""Browser sessions a context opens on first use: the one `open_browser` of items, collectors,
person actions and summaries, and the `BrowserProvider` they are opened from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class BrowserSession(Protocol):
    context: Any

    def capture_failure(self, folder: Any) -> list[tuple[str, Any]]: ...

    def close(self) -> None: ...


class BrowserProvider(Protocol):
    def session(self, label: str) -> BrowserSession: ...

    def close(self) -> None: ...


class LazySessions:
    """Opens a session from the provider each time `open` is called; `close` closes them all.

    `provider` is where sessions come from, or `make` gives it on first use (a pool made
    only when a browser is needed); `missing` is the error's text when there is neither.
    """

    def __init__(self, provider: BrowserProvider | None, label: str, missing: str, *,
                 make: Callable[[], BrowserProvider] | None = None) -> None:
        self._provider = provider
        self._make = make
        self.label = label
        self.missing = missing
        self.sessions: list[BrowserSession] = []

    def open(self) -> Any:
        """A new session's browser context (what a context's `browser()` returns)."""
        if self._provider is None and self._make is not None:
            self._provider = self._make()
        provider = self._provider
        if provider is None:
            raise RuntimeError(self.missing)
        self.sessions.append(provider.session(self.label))
        return self.sessions[-1].context

    @property
    def first(self) -> BrowserSession | None:
        """The first session opened, if any (the one a failure's screenshot comes from)."""
        return self.sessions[0] if self.sessions else None

    def close(self) -> None:
        while self.sessions:
            self.sessions.pop(0).close()

    def __enter__(self) -> LazySessions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
