"""The runner's clock: the business date (`as_of`) and the wall clock (`now`).

Rules never read the wall clock; they get `as_of` from here, so a test, a rerun or
`rpa decide` can fix the date. `as_of` is today's date in Europe/Copenhagen unless fixed by
`clock.today` in orchestrator.yaml or by the environment variable `RPA_TODAY`, which wins
(the settings keep the names users know; the code says `as_of` throughout).
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
FIRST_AS_OF, LAST_AS_OF = date(1900, 1, 1), date(2199, 12, 31)
BUSINESS_TIMEZONE = ZoneInfo("Europe/Copenhagen")


class Clock(ABC):
    """Where the runner asks for the date and the time."""

    @abstractmethod
    def as_of(self) -> date:
        """The business date."""

    @abstractmethod
    def now(self) -> datetime:
        """The wall clock, timezone-aware in UTC."""

    @abstractmethod
    def sleep(self, seconds: float) -> None:
        """Wait `seconds` (a fake clock just moves on)."""


class SystemClock(Clock):
    """The machine's clock; `as_of` is fixed when `fixed_as_of` is given."""

    def __init__(self, fixed_as_of: date | None = None, timezone: ZoneInfo = BUSINESS_TIMEZONE):
        self.fixed_as_of = fixed_as_of
        self.timezone = timezone

    def as_of(self) -> date:
        if self.fixed_as_of is not None:
            return self.fixed_as_of
        return datetime.now(self.timezone).date()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def fixed_as_of(config_as_of: date | None, env: Mapping[str, str] = os.environ) -> date | None:
    """The date `RPA_TODAY` or else `clock.today` fixes, or None for the system date."""
    raw = env.get(TODAY_ENV, "").strip()
    if not raw:
        return config_as_of
    try:
        as_of = date.fromisoformat(raw)
    except ValueError:
        problem = (TODAY_ENV, f"expected a date as YYYY-MM-DD, got {raw!r}")
        raise ConfigError("environment", [problem]) from None
    if not FIRST_AS_OF <= as_of <= LAST_AS_OF:  # as clock.today: 9999-12-31 overflows the first sum
        problem = (TODAY_ENV, f"expected a date from {FIRST_AS_OF} to {LAST_AS_OF}, got {raw!r}")
        raise ConfigError("environment", [problem])
    return as_of


def resolve_as_of(config_as_of: date | None, env: Mapping[str, str] = os.environ) -> date:
    """Today's business date: `RPA_TODAY`, else `clock.today`, else the system date."""
    return fixed_as_of(config_as_of, env) or SystemClock().as_of()


def system_clock(config_as_of: date | None, env: Mapping[str, str] = os.environ) -> SystemClock:
    """The clock a runner process uses, with `as_of` fixed as `resolve_as_of` says."""
    return SystemClock(fixed_as_of(config_as_of, env))


class FakeClock(Clock):
    """A clock for tests: time moves only when told.

    With `as_of` given, the business date stays fixed until `set_as_of`; without it,
    `as_of` follows `now` (its date in Europe/Copenhagen).
    """

    def __init__(self, as_of: date | None = None, now: datetime | None = None) -> None:
        if now is None:
            start = as_of or date(2024, 11, 18)
            now = datetime(start.year, start.month, start.day, 8, tzinfo=BUSINESS_TIMEZONE)
        if now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware `now`")
        self._as_of = as_of
        self._now = now.astimezone(UTC)

    def as_of(self) -> date:
        if self._as_of is not None:
            return self._as_of
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

    def set_as_of(self, as_of: date | None) -> None:
        """Fix the business date (None: follow `now` again)."""
        self._as_of = as_of
