"""The retry policy: a value object that builds tenacity objects, so bots never import tenacity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import tenacity

from runner.errors import BusinessError, SystemUnavailable


@dataclass(frozen=True)
class RetryPolicy:
    """How a task's technical errors are retried within one attempt budget.

    `max_attempts` counts every try, the first included. Waits grow from
    `initial_interval_s` by `backoff` per try, with full jitter, capped at `max_interval_s`.
    With `linear`, the wait after try n is n times `initial_interval_s` (capped, never
    jittered): a page reloaded after a server error waits a little longer each time.
    """

    max_attempts: int = 3
    initial_interval_s: float = 1.0
    backoff: float = 2.0
    max_interval_s: float = 60.0
    jitter: bool = True
    non_retryable: tuple[type[BaseException], ...] = field(default=())
    linear: bool = False

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_interval_s < 0 or self.max_interval_s < self.initial_interval_s:
            raise ValueError("intervals must satisfy 0 <= initial <= max")
        if self.backoff < 1:
            raise ValueError("backoff must be at least 1")

    def is_retryable(self, exc: BaseException) -> bool:
        never = (BusinessError, SystemUnavailable, *self.non_retryable)
        return not isinstance(exc, never)

    def wait(self) -> tenacity.wait.wait_base:
        if self.linear:
            return tenacity.wait_incrementing(
                start=self.initial_interval_s, increment=self.initial_interval_s, max=self.max_interval_s
            )
        if self.jitter:
            return tenacity.wait_random_exponential(
                multiplier=self.initial_interval_s, exp_base=self.backoff, max=self.max_interval_s
            )
        return tenacity.wait_exponential(
            multiplier=self.initial_interval_s, exp_base=self.backoff, max=self.max_interval_s
        )

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before `attempt` (2, 3, ...), as tenacity's wait computes it."""
        state = tenacity.RetryCallState(retry_object=tenacity.Retrying(), fn=None, args=(), kwargs={})
        state.attempt_number = max(1, attempt - 1)
        return float(self.wait()(state))

    def until(
        self,
        give_up: Callable[[], bool],
        *,
        retry_on: type[BaseException] | tuple[type[BaseException], ...],
        sleep: Callable[[float], None] | None = None,
        after: Callable[[tenacity.RetryCallState], None] | None = None,
    ) -> tenacity.Retrying:
        """A tenacity `Retrying` for errors that pass with time (e.g. a store that is away).

        Only `retry_on` errors are retried, with this policy's waits, until `give_up()` is
        true (not bounded by `max_attempts`); then the last error is re-raised. `after`
        is called after each failed try.
        """
        return tenacity.Retrying(
            stop=lambda _state: give_up(),
            wait=self.wait(),
            retry=tenacity.retry_if_exception_type(retry_on),
            reraise=True,
            **_given(sleep=sleep, after=after),
        )

    def retrying(
        self,
        *,
        sleep: Callable[[float], None] | None = None,
        before_sleep: Callable[[tenacity.RetryCallState], Any] | None = None,
        max_attempts: int | None = None,
        retry_on: type[BaseException] | tuple[type[BaseException], ...] | None = None,
        at_once: type[BaseException] | tuple[type[BaseException], ...] = (),
    ) -> tenacity.Retrying:
        """A tenacity `Retrying` for in-process retries; re-raises the last error.

        `retry_on`: retry only these errors (default: every retryable one). `at_once`:
        errors retried without a wait, still counted as tries (e.g. a session that expired:
        logging in again is the cure, not time).
        """
        retry: tenacity.retry_base = (
            tenacity.retry_if_exception(self.is_retryable) if retry_on is None
            else tenacity.retry_if_exception_type(retry_on)
        )
        wait: tenacity.wait.wait_base = self.wait()
        if at_once:
            retry = retry | tenacity.retry_if_exception_type(at_once)
            wait = _WaitUnless(wait, at_once)
        return tenacity.Retrying(
            stop=tenacity.stop_after_attempt(max_attempts or self.max_attempts),
            wait=wait,
            retry=retry,
            reraise=True,
            **_given(sleep=sleep, before_sleep=before_sleep),
        )


class _WaitUnless(tenacity.wait.wait_base):
    """`wait`, except no wait at all after a try that failed with one of `at_once`."""

    def __init__(
        self, wait: tenacity.wait.wait_base, at_once: type[BaseException] | tuple[type[BaseException], ...]
    ) -> None:
        self.wait = wait
        self.at_once = at_once

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        if outcome is not None and isinstance(outcome.exception(), self.at_once):
            return 0.0
        return float(self.wait(retry_state))


def _given(**hooks: Any) -> dict[str, Any]:
    """The hooks a caller gave: tenacity keeps its own defaults for the others."""
    return {name: hook for name, hook in hooks.items() if hook is not None}
