"""The runner's clock: the business date (`today`) and the wall clock (`now`).

Rules never read the wall clock; they get `today` from here, so a test, a rerun or
`rpa decide` can fix the date. `today` is the date in Europe/Copenhagen unless fixed by
`clock.today` in orchestrator.yaml or by the environment variable `RPA_TODAY`, which wins.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from runner.errors import ConfigError

TODAY_ENV = "RPA_TODAY"
FIRST_TODAY, LAST_TODAY = date(1900, 1, 1), date(2199, 12, 31)
BUSINESS_TIMEZONE = ZoneInfo("Europe/Copenhagen")


class Clock(ABC):
    """Where the runner asks for the date and the time."""

    @abstractmethod
    def today(self) -> date:
        """The business date."""

    @abstractmethod
    def now(self) -> datetime:
        """The wall clock, timezone-aware in UTC."""

    @abstractmethod
    def sleep(self, seconds: float) -> None:
        """Wait `seconds` (a fake clock just moves on)."""


class SystemClock(Clock):
    """The machine's clock; `today` is fixed when `fixed_today` is given."""

    def __init__(self, fixed_today: date | None = None, timezone: ZoneInfo = BUSINESS_TIMEZONE):
        self.fixed_today = fixed_today
        self.timezone = timezone

    def today(self) -> date:
        if self.fixed_today is not None:
            return self.fixed_today
        return datetime.now(self.timezone).date()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def fixed_today(config_today: date | None, env: Mapping[str, str] = os.environ) -> date | None:
    """The date `RPA_TODAY` or else `clock.today` fixes, or None for the system date."""
    raw = env.get(TODAY_ENV, "").strip()
    if not raw:
        return config_today
    try:
        today = date.fromisoformat(raw)
    except ValueError:
        problem = (TODAY_ENV, f"expected a date as YYYY-MM-DD, got {raw!r}")
        raise ConfigError("environment", [problem]) from None
    if not FIRST_TODAY <= today <= LAST_TODAY:  # as clock.today: 9999-12-31 overflows the first sum
        problem = (TODAY_ENV, f"expected a date from {FIRST_TODAY} to {LAST_TODAY}, got {raw!r}")
        raise ConfigError("environment", [problem])
    return today


def resolve_today(config_today: date | None, env: Mapping[str, str] = os.environ) -> date:
    """Today's business date: `RPA_TODAY`, else `clock.today`, else the system date."""
    return fixed_today(config_today, env) or SystemClock().today()


def system_clock(config_today: date | None, env: Mapping[str, str] = os.environ) -> SystemClock:
    """The clock a runner process uses, with `today` fixed as `resolve_today` says."""
    return SystemClock(fixed_today(config_today, env))


class FakeClock(Clock):
    """A clock for tests: time moves only when told.

    With `today` given, the business date stays fixed until `set_today`; without it,
    `today` follows `now` (its date in Europe/Copenhagen).
    """

    def __init__(self, today: date | None = None, now: datetime | None = None) -> None:
        if now is None:
            start = today or date(2024, 11, 18)
            now = datetime(start.year, start.month, start.day, 8, tzinfo=BUSINESS_TIMEZONE)
        if now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware `now`")
        self._today = today
        self._now = now.astimezone(UTC)

    def today(self) -> date:
        if self._today is not None:
            return self._today
        return self._now.astimezone(BUSINESS_TIMEZONE).date()

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> datetime:
        """Move `now` on by `seconds`; returns the new `now`."""
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._now += timedelta(seconds=seconds)
        return self._now

    def set_now(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware `now`")
        self._now = now.astimezone(UTC)

    def set_today(self, today: date | None) -> None:
        """Fix the business date (None: follow `now` again)."""
        self._today = today
