"""`rpa demo` as a new user runs it: a seeded sandbox, every enabled bot run to the end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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
