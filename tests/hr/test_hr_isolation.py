"""hr.isolation: a function on untrusted input in a child held to memory and time."""

from __future__ import annotations

import os
import time

from hr.isolation import Failure, run_bounded

MB = 1_000_000


def _pid() -> int:
    return os.getpid()


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * MB))


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _fail() -> None:
    raise KeyError("boom")


def test_the_result_comes_from_another_process() -> None:
    assert run_bounded(_pid, (), memory_bytes=300 * MB, timeout_s=30) not in (os.getpid(), None)


def test_memory_past_the_cap_is_a_failure_not_a_crash() -> None:
    assert run_bounded(_allocate, (20,), memory_bytes=300 * MB, timeout_s=30) == 20 * MB
    outcome = run_bounded(_allocate, (600,), memory_bytes=300 * MB, timeout_s=30)
    assert isinstance(outcome, Failure) and "memory" in outcome.reason


def test_a_child_past_its_time_is_killed() -> None:
    started = time.monotonic()
    outcome = run_bounded(_sleep, (60,), memory_bytes=300 * MB, timeout_s=1)
    assert isinstance(outcome, Failure) and "longer than 1 s" in outcome.reason
    assert time.monotonic() - started < 10


def test_an_exception_in_the_child_is_named() -> None:
    outcome = run_bounded(_fail, (), memory_bytes=300 * MB, timeout_s=30)
    assert outcome == Failure("it failed (KeyError)")
