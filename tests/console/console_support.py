"""The console's in-process test kit: a console over a SQLite store on a fake clock, with
a user per role, driven through FastAPI's test client (the fixture is conftest's `console`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient

from runner.clock import FakeClock
from runner.passwords import new_token
from runner.store import Store

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
