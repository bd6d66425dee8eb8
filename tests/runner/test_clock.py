from datetime import UTC, date, datetime

import pytest

from runner.clock import FakeClock, SystemClock, resolve_as_of, system_clock
from runner.errors import ConfigError


def test_rpa_today_overrides_config() -> None:
    env = {"RPA_TODAY": "2024-11-18"}
    assert resolve_as_of(date(2024, 1, 1), env) == date(2024, 11, 18)


def test_config_today_is_used_without_rpa_today() -> None:
    assert resolve_as_of(date(2024, 1, 1), {}) == date(2024, 1, 1)
    assert resolve_as_of(date(2024, 1, 1), {"RPA_TODAY": " "}) == date(2024, 1, 1)


def test_system_date_without_either() -> None:
    assert resolve_as_of(None, {}) == SystemClock().as_of()


def test_bad_rpa_today_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_as_of(None, {"RPA_TODAY": "18-11-2024"})
    assert caught.value.problems[0][0] == "RPA_TODAY"
    assert "YYYY-MM-DD" in str(caught.value)
    assert "'18-11-2024'" in str(caught.value)


def test_system_clock_fixes_today_but_not_now() -> None:
    clock = system_clock(None, {"RPA_TODAY": "2024-11-18"})
    assert clock.as_of() == date(2024, 11, 18)
    assert clock.now().tzinfo is UTC


def test_fake_clock_advances_now_only() -> None:
    clock = FakeClock(as_of=date(2024, 11, 18), now=datetime(2024, 11, 18, 7, tzinfo=UTC))
    clock.advance(86_400)
    assert clock.now() == datetime(2024, 11, 19, 7, tzinfo=UTC)
    assert clock.as_of() == date(2024, 11, 18)
    clock.set_as_of(date(2024, 11, 20))
    assert clock.as_of() == date(2024, 11, 20)


def test_fake_clock_without_today_follows_now_in_copenhagen() -> None:
    clock = FakeClock(now=datetime(2024, 11, 18, 23, 30, tzinfo=UTC))
    assert clock.as_of() == date(2024, 11, 19)  # 00:30 in Copenhagen
    clock.sleep(3600)
    assert clock.now() == datetime(2024, 11, 19, 0, 30, tzinfo=UTC)


def test_fake_clock_defaults_to_the_sandbox_date() -> None:
    clock = FakeClock()
    assert clock.as_of() == date(2024, 11, 18)
    assert clock.now().tzinfo is UTC


def test_fake_clock_rejects_naive_times_and_going_back() -> None:
    with pytest.raises(ValueError):
        FakeClock(now=datetime(2024, 11, 18, 7))
    with pytest.raises(ValueError):
        FakeClock().advance(-1)
