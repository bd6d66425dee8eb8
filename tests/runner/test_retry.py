"""The retry policy's in-process retries: which errors, how long between tries."""

import pytest

from runner import RetryPolicy


class Flaky(Exception):
    pass


class Expired(Exception):
    pass


def run(policy: RetryPolicy, failures: list[Exception], **options: object) -> tuple[list[float], int]:
    waits: list[float] = []
    tries = 0

    def attempt() -> str:
        nonlocal tries
        tries += 1
        if failures:
            raise failures.pop(0)
        return "ok"

    assert policy.retrying(sleep=waits.append, **options)(attempt) == "ok"  # type: ignore[arg-type]
    return waits, tries


def test_linear_waits_grow_by_the_initial_interval() -> None:
    policy = RetryPolicy(max_attempts=4, initial_interval_s=0.05, max_interval_s=1, jitter=False, linear=True)
    waits, tries = run(policy, [Flaky(), Flaky(), Flaky()])
    assert waits == pytest.approx([0.05, 0.10, 0.15]) and tries == 4


def test_retry_on_retries_only_those_errors() -> None:
    policy = RetryPolicy(max_attempts=3, initial_interval_s=0, jitter=False)
    assert run(policy, [Flaky()], retry_on=Flaky)[1] == 2
    with pytest.raises(ValueError):
        run(policy, [ValueError()], retry_on=Flaky)


def test_at_once_errors_are_retried_without_a_wait_but_counted() -> None:
    policy = RetryPolicy(max_attempts=3, initial_interval_s=0.05, max_interval_s=1, jitter=False, linear=True)
    waits, tries = run(policy, [Expired(), Flaky()], retry_on=Flaky, at_once=Expired)
    assert waits == pytest.approx([0.0, 0.10]) and tries == 3
    with pytest.raises(Expired):
        run(policy, [Expired(), Expired(), Expired()], retry_on=Flaky, at_once=Expired)
