"""Fixtures for the console's in-process tests: a console over a SQLite store on a fake clock,
with a user per role, driven through FastAPI's test client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from runner.bot import discover_bots
from runner.clock import FakeClock
from runner.console import ConsoleSettings, create_app
from runner.deployment import deploy
from runner.passwords import hash_password, new_token
from runner.store import Store
from runner.testing import make_store

PASSWORD = "korrekt hest batteri"
SECRET_KEY = "k" * 64
IDLE = timedelta(minutes=30)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


@dataclass
class Console:
    """A console app with its store and clock, and helpers to act as its users."""

    store: Store
    clock: FakeClock
    client: TestClient

    def browser(self, *, https: bool = False) -> TestClient:
        """Another browser (its own cookies) on the same console."""
        base = "https://testserver" if https else "http://testserver"
        return TestClient(self.client.app, base_url=base, follow_redirects=False)

    def login(self, name: str = "olga", password: str = PASSWORD) -> TestClient:
        form = self.client.get("/login")
        answer = self.client.post("/login", data={"username": name, "password": password,
                                                  "csrf_token": csrf_of(form.text)})
        assert answer.status_code == 303, answer.text
        return self.client

    def token(self, name: str = "olga") -> str:
        token, hashed = new_token()
        self.store.add_token(self.store.get_user(name).actor(), name, hashed)
        return token


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
