"""The ``sandbox`` command group and the background server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from sandbox.cli import sandbox
from sandbox.server import serve_in_thread


def test_seed_and_export(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    runner = CliRunner()
    result = runner.invoke(sandbox, ["seed", "--employees", "150", "--seed", "5", "--db", str(db)])
    assert result.exit_code == 0, result.output
    first = runner.invoke(sandbox, ["export", "--db", str(db)])
    assert first.exit_code == 0
    out = json.loads(first.stdout)
    assert len(out["employments"]) == 150 and out["as_of"] == "2024-11-18"
    again = runner.invoke(sandbox, ["export", "--db", str(db)])
    assert again.stdout == first.stdout


def test_seed_from_file_with_a_broken_record(tmp_path: Path, data: dict[str, Any]) -> None:
    data["employments"][4]["cpr"] = "12345"
    source = tmp_path / "broken.json"
    source.write_text(json.dumps(data))
    result = CliRunner().invoke(sandbox, ["seed", "--from", str(source),
                                          "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 2
    assert f"employments[4] ({data['employments'][4]['employment_id']}): cpr: CPR_MALFORMED" in (
        result.stderr)
    assert "Traceback" not in result.output


def test_seed_from_missing_or_invalid_json(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(sandbox, ["seed", "--from", str(tmp_path / "nope.json"),
                                      "--db", str(tmp_path / "s.db")])
    assert missing.exit_code == 2 and "not found" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = runner.invoke(sandbox, ["seed", "--from", str(bad), "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_export_without_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(sandbox, ["export", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2 and "seed" in result.stderr


def test_serve_in_thread(db_path: Path) -> None:
    base_url, stop = serve_in_thread(db_path)
    try:
        with httpx.Client(base_url=base_url, follow_redirects=True) as client:
            assert client.get("/_admin/health").json()["status"] == "ok"
            client.post("/attest/login", data={"username": "robot", "password": "sandbox"})
            assert client.get("/attest/inbox").url.path == "/attest/inbox"
    finally:
        stop()
    try:
        httpx.get(f"{base_url}/_admin/health", timeout=1)
        raise AssertionError("still serving")
    except httpx.TransportError:
        pass


def test_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    db.write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(sandbox, ["export", "--db", str(db)])
    assert result.exit_code == 2 and "not a usable sandbox database" in result.stderr
