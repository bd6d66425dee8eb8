"""Fault injection and layout variants, set through the admin endpoint."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import dataset
from sandbox.labels import LABELS
from tests.sandbox.sandbox_support import login


def test_health(client: Any) -> None:
    health = client.get("/_admin/health").json()
    assert health["status"] == "ok" and health["as_of"] == "2024-11-18"
    assert health["counts"]["employments"] == 120
    assert health["faults"]["error_rate"] == 0


def test_error_rate_one_gives_500s_and_admin_still_works(client: Any) -> None:
    login(client, "payroll")
    assert client.post("/_admin/faults", json={"error_rate": 1.0}).status_code == 200
    for url in ("/payroll/employments", "/edoc/login", "/"):
        response = client.get(url)
        assert response.status_code == 500
        assert 'data-testid="server-error"' in response.text
    assert client.get("/_admin/health").status_code == 200
    client.post("/_admin/faults", json={"error_rate": 0.0})
    assert client.get("/payroll/employments").status_code == 200


def test_error_before_the_write_writes_nothing(client: Any, db_path: Any,
                                               data: dict[str, Any]) -> None:
    login(client, "serviceportal")
    unit = data["units"][0]["unit"]
    client.post("/_admin/faults", json={"error_rate": 1.0})
    response = client.post(f"/serviceportal/units/{unit}/messages",
                           data={"subject": "s", "text": "t", "reference": "r-1"})
    assert response.status_code == 500
    assert dataset.export(db_path)["manager_messages"] == []


def test_error_after_the_write_keeps_the_write(client: Any, db_path: Any,
                                               data: dict[str, Any]) -> None:
    login(client, "serviceportal")
    unit = data["units"][0]["unit"]
    client.post("/_admin/faults", json={"error_rate": 1.0, "error_phase": "after"})
    response = client.post(f"/serviceportal/units/{unit}/messages",
                           data={"subject": "s", "text": "t", "reference": "r-1"})
    assert response.status_code == 500
    assert [m["reference"] for m in dataset.export(db_path)["manager_messages"]] == ["r-1"]


def test_faults_can_target_one_system(client: Any) -> None:
    login(client, "payroll")
    login(client, "edoc")
    client.post("/_admin/faults", json={"error_rate": 1.0, "systems": ["edoc"]})
    assert client.get("/payroll/employments").status_code == 200
    assert client.get("/edoc/files").status_code == 500


def test_maintenance_page(client: Any) -> None:
    client.post("/_admin/faults", json={"maintenance": True})
    response = client.get("/payroll/employments")
    assert response.status_code == 503
    assert "<title>Planlagt vedligeholdelse</title>" in response.text
    assert 'data-testid="maintenance"' in response.text


def test_maintenance_window(client: Any) -> None:
    now = datetime.now(UTC)
    client.post("/_admin/faults", json={"maintenance_from": (now - timedelta(hours=1)).isoformat(),
                                        "maintenance_until": (now + timedelta(hours=1)).isoformat()})
    response = client.get("/attest/login")
    assert response.status_code == 503 and int(response.headers["retry-after"]) > 3000
    assert 'data-testid="maintenance-until"' in response.text
    client.post("/_admin/faults", json={"maintenance_until": (now - timedelta(minutes=1)).isoformat()})
    assert client.get("/attest/login").status_code == 200


def test_invalid_faults_are_refused(client: Any) -> None:
    assert client.post("/_admin/faults", json={"error_rate": 2}).status_code == 422
    assert client.post("/_admin/faults", json={"layout": "sideways"}).status_code == 422
    assert client.post("/_admin/faults", json={"nonsense": 1}).status_code == 422
    assert client.get("/_admin/faults").json()["error_rate"] == 0


def test_latency_is_added(client: Any) -> None:
    import time
    client.post("/_admin/faults", json={"latency_ms": 60})
    start = time.perf_counter()
    client.get("/payroll/login")
    assert time.perf_counter() - start >= 0.05


def _testids(html: str) -> set[str]:
    return set(re.findall(r'data-testid="([^"]+)"', html))


def test_moved_layout_keeps_labels_and_testids(logged_in: Any, data: dict[str, Any]) -> None:
    url = f"/payroll/employments/{data['employments'][0]['employment_id']}"
    normal = logged_in.get(url).text
    logged_in.post("/_admin/faults", json={"layout": "moved"})
    moved = logged_in.get(url).text
    assert _testids(moved) == _testids(normal)
    assert 'for="payroll-line-form-amount"' in moved and ">Beløb</label>" in moved
    assert normal.index('data-testid="input-reference"') != moved.index(
        'data-testid="input-reference"')
    assert "shell-b" in moved and "wrap-inner" in moved
    assert moved.index('data-testid="forms"') < moved.index('data-testid="details"')


def test_renamed_layout_changes_labels_and_testids(logged_in: Any, data: dict[str, Any],
                                                   db_path: Any) -> None:
    url = f"/payroll/employments/{data['employments'][0]['employment_id']}"
    logged_in.post("/_admin/faults", json={"layout": "renamed"})
    page = logged_in.get(url).text
    assert "payroll-line-form" not in _testids(page)
    assert not {"input-amount", "input-reference", "payroll-line-form-submit"} & _testids(page)
    assert ">Beløb</label>" not in page and ">Gem lønlinje<" not in page
    assert ">Sum i kr.</label>" in page
    login_page = logged_in.get("/edoc/login").text
    assert ">Brugernavn<" not in login_page and 'data-testid="login-submit"' not in login_page


def test_renamed_texts_never_contain_the_normal_ones() -> None:
    for key, (normal, renamed) in LABELS.items():
        assert normal.casefold() not in renamed.casefold(), key
