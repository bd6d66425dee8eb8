"""Fixtures for the page-object tests: a seeded sandbox served per module, one browser context."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from runner import SystemAccess
from runner.browser import BrowserPool, BrowserSession
from sandbox import dataset, generator
from sandbox.server import serve_in_thread


@dataclass
class Sandbox:
    url: str
    db: Path
    data: dict[str, Any]

    def access(self, system: str) -> SystemAccess:
        return SystemAccess(system, f"{self.url}/{system}", "robot", "sandbox")

    def export(self) -> dict[str, Any]:
        return dataset.export(self.db)

    def faults(self, **faults: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/_admin/faults", json=faults, timeout=10)
        response.raise_for_status()
        return dict(response.json())


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    db = tmp_path_factory.mktemp("systems") / "sandbox.db"
    data = generator.generate(150, seed=3)
    dataset.load(db, data)
    url, stop = serve_in_thread(db, port=0)
    yield Sandbox(url, db, data)
    stop()


@pytest.fixture(scope="module")
def session() -> Iterator[BrowserSession]:
    pool = BrowserPool(traces=False)
    session = pool.session("systems-tests")
    yield session
    session.close()
    pool.close()


@pytest.fixture(autouse=True)
def no_faults(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.faults(reset=True)


@pytest.fixture
def open_system(sandbox: Sandbox, session: BrowserSession) -> Callable[[type[Any]], Any]:
    """A page object of the given class on the module's browser context."""

    def make(cls: type[Any]) -> Any:
        return cls(session.context, sandbox.access(cls.system))

    return make
