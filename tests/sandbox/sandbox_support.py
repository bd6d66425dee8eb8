"""Helpers for the sandbox tests (fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any

SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")


class FakeClock:
    """A monotonic clock the test moves by hand (sessions expire without sleeping)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def login(client: Any, system: str) -> None:
    response = client.post(f"/{system}/login", follow_redirects=False,
                           data={"username": "robot", "password": "sandbox", "next": ""})
    assert response.status_code == 303, response.text


def emp(data: dict[str, Any], employment_id: str) -> dict[str, Any]:
    return next(e for e in data["employments"] if e["employment_id"] == employment_id)
