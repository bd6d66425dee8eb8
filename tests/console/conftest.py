"""Fixtures for the console's in-process tests (the kit is tests.console.console_support)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from runner.bot import discover_bots
from runner.clock import FakeClock
from runner.console import ConsoleSettings, create_app
from runner.deployment import deploy
from runner.passwords import hash_password
from runner.testing import make_store
from tests.console.console_support import IDLE, PASSWORD, SECRET_KEY, Console


@pytest.fixture
def console(tmp_path, clock: FakeClock) -> Iterator[Console]:
    store = make_store(tmp_path, clock=clock)
    store.add_user(None, "admin", ["admin"])
    admin = store.get_user("admin").actor()
    for name, roles in {"olga": ["operator"], "otto": ["ops"], "nobody": []}.items():
        store.add_user(admin, name, roles)
    hashed = hash_password(PASSWORD)
    for name in ("admin", "olga", "otto", "nobody"):
        store.set_password(admin, name, hashed)
    bots = discover_bots()
    deployment = deploy({name: bots[name] for name in ("hello", "termination_letters")})
    settings = ConsoleSettings(secret_key=SECRET_KEY, idle=IDLE)
    app = create_app(store, deployment, clock=clock, settings=settings)
    yield Console(store, clock, TestClient(app, follow_redirects=False))
    store.close()
