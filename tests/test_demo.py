"""`rpa demo` as a new user runs it: a seeded sandbox, every enabled bot run to the end."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from hr.cpr import CPR_SHAPE

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.demo
@pytest.mark.browser
def test_demo_runs_every_enabled_bot_and_prints_the_summary(tmp_path: Path) -> None:
    shutil.copy(ROOT / "orchestrator.yaml", tmp_path / "orchestrator.yaml")
    env = {**os.environ, "RPA_USER": "demo-user"}
    env.pop("RPA_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli.main", "demo", "--no-serve", "--json", "--employees", "120",
         "--port", "0"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["today"] == "2024-11-18"
    assert report["failed_runs"] == []
    assert set(report["systems"]) == {"serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion",
                                      "attest"}
    for bot, counts in report["bots"].items():
        assert counts["system_exceptions"] == 0, (bot, counts)
        assert counts["done"] + sum(counts["business_exceptions"].values()) > 0, bot
    # decisions run after absences, as the schedule has it: the claims just made are reconciled
    refund_codes = set(report["bots"]["refund_claims"]["business_exceptions"])
    assert {"REFUND_DIFFERENCE", "REFUND_REJECTED"} <= refund_codes, refund_codes
    logs = "\n".join(p.read_text() for p in (tmp_path / "var" / "demo" / "logs").glob("*"))
    assert CPR_SHAPE.findall(result.stdout + logs) == []


@pytest.mark.demo
@pytest.mark.browser
def test_the_demo_serves_the_console_with_one_user_per_role_and_fresh_passwords(tmp_path: Path) -> None:
    shutil.copy(ROOT / "orchestrator.yaml", tmp_path / "orchestrator.yaml")
    env = {**os.environ, "RPA_USER": "demo-user"}
    env.pop("RPA_DATABASE_URL", None)
    demo = subprocess.Popen(
        [sys.executable, "-m", "runner.cli.main", "demo", "--json", "--employees", "20", "--port", "0"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert demo.stdout is not None
        lines = []
        while not lines or lines[-1] != "}\n":  # the report is one indented JSON document
            line = demo.stdout.readline()
            assert line, demo.stderr.read() if demo.stderr else "the demo stopped"
            lines.append(line)
        console = json.loads("".join(lines))["console"]
        roles = {person["name"]: person["roles"] for person in console["users"]}
        assert sorted(role for held in roles.values() for role in held) == sorted(
            ["operator", "ops", "process_owner", "ops", "attest_reader", "admin"])
        assert len({person["password"] for person in console["users"]}) == len(roles)
        for person in console["users"]:
            with httpx.Client(base_url=console["url"]) as browser:
                form = browser.get("/login").text
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
                assert csrf is not None
                wrong = browser.post("/login", data={"username": person["name"], "password": "forkert-kode!",
                                                     "csrf_token": csrf.group(1)})
                assert wrong.status_code == 401
                csrf = re.search(r'name="csrf_token" value="([^"]+)"', wrong.text)
                assert csrf is not None
                browser.post("/login", data={"username": person["name"], "password": person["password"],
                                             "csrf_token": csrf.group(1)})
                overview = browser.get("/api/overview")
                assert overview.status_code == 200, (person["name"], overview.text)
                assert set(overview.json()["bots"]) >= {"termination_letters", "refund_claims"}
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=30)
