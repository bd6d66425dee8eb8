"""Fixtures: a small seeded sandbox and logged-in clients."""

from __future__ import annotations

import copy
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest

from sandbox import dataset
from sandbox.app import create_app
from sandbox.generator import generate
from sandbox.settings import SandboxSettings
from tests.sandbox.sandbox_support import SYSTEMS, FakeClock, login

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette nudges towards httpx2; httpx is what we have
    from fastapi.testclient import TestClient

@pytest.fixture(scope="session")
def small_dataset() -> dict[str, Any]:
    return generate(employees=120, seed=7)


@pytest.fixture(scope="session")
def dataset_500() -> dict[str, Any]:
    return generate(employees=500, seed=1)


@pytest.fixture
def data(small_dataset: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(small_dataset)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory,
                    small_dataset: dict[str, Any]) -> Path:
    path = tmp_path_factory.mktemp("template") / "sandbox.db"
    dataset.load(path, small_dataset)  # the engine is disposed, so the WAL is checkpointed
    return path


@pytest.fixture
def db_path(tmp_path: Path, seeded_template: Path) -> Path:
    path = tmp_path / "sandbox.db"
    shutil.copyfile(seeded_template, path)
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(db_path: Path, clock: FakeClock) -> Any:
    app = create_app(db_path, SandboxSettings(session_ttl_s=600), now=clock)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: Any) -> TestClient:
    with TestClient(app, follow_redirects=True) as c:
        yield c


@pytest.fixture
def logged_in(client: TestClient) -> TestClient:
    for system in SYSTEMS:
        login(client, system)
    return client
