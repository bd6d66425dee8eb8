"""Store outages: how a worker or the scheduler rides out a database that is away for a while.

The store maps a lock, a timeout or a lost connection to `StoreUnavailable` (at the edge,
runner/store/sql/engine.py). `StoreWatch.call` retries such a call with backoff, logs
`store_unavailable` when an outage begins and `store_back` when the store answers again.
Any other error passes through at once: only time cures an outage.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import tenacity

from runner.errors import StoreUnavailable
from runner.retry import RetryPolicy

T = TypeVar("T")

# Short first waits (a lock is often gone in a moment), then every few seconds at most,
# so that a store that comes back is used again within seconds.
STORE_BACKOFF = RetryPolicy(initial_interval_s=0.25, backoff=2.0, max_interval_s=5.0)


class StoreWatch:
    """Whether the store answers; retries calls while it does not (one per worker or scheduler)."""

    def __init__(self, log: Any, *, stopping: threading.Event | None = None,
                 policy: RetryPolicy = STORE_BACKOFF) -> None:
        self.log = log
        self.stopping = stopping or threading.Event()
        self.policy = policy
        self._lock = threading.Lock()
        self._down_since: float | None = None

    @property
    def down(self) -> bool:
        """True from a failed call until the next call that succeeds."""
        return self._down_since is not None

    def call(self, fn: Callable[[], T], *, what: str, give_up: Callable[[], bool] | None = None) -> T:
        """`fn()`, tried again with backoff while it raises StoreUnavailable.

        Gives up (re-raising the last StoreUnavailable) when the watch is stopping or
        `give_up()` is true.
        """
        def stop() -> bool:
            return self.stopping.is_set() or (give_up is not None and give_up())

        def failed(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            self.failed(what, error)

        try:  # the first try without tenacity: this is every item's path
            result = fn()
        except StoreUnavailable as down:
            self.failed(what, down)
            if stop():
                raise
            self._sleep(self.policy.delay_before(2))
            retrying = self.policy.until(stop, retry_on=StoreUnavailable, sleep=self._sleep,
                                         after=failed)
            result = retrying(fn)
        self.answered()
        return result

    def failed(self, what: str, error: BaseException | None) -> None:
        """Note a failed call; the first of an outage is logged as `store_unavailable`."""
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
        if first:
            self.log.warning("store_unavailable", during=what, error=str(error))

    def answered(self) -> None:
        """Note a call that succeeded; the first after an outage is logged as `store_back`."""
        if self._down_since is None:
            return
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            self.log.info("store_back", down_s=round(time.monotonic() - since, 1))

    def _sleep(self, seconds: float) -> None:
        self.stopping.wait(seconds)  # a stop ends the wait at once
