"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from runner.clock import FakeClock
from runner.store import Store
from runner.testing import make_store, postgres_store


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(date(2024, 11, 18), datetime(2024, 11, 18, 8, 0, tzinfo=UTC))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path, clock: FakeClock) -> Iterator[Store]:
    """The store contract runs against both dialects (PostgreSQL on the local service)."""
    if request.param == "sqlite":
        store = make_store(tmp_path, clock=clock)
        yield store
        store.close()
    else:
        with postgres_store(clock=clock) as store:
            yield store
