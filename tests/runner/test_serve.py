"""`rpa serve`: schedules start runs, workers perform their items, SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def rpa(config: Path, *args: str) -> str:
    return subprocess.run([sys.executable, "-m", "runner.cli.main", "--config", str(config), "--as", "ops",
                           *args], check=True, capture_output=True, text=True).stdout


@pytest.mark.slow
def test_serve_runs_scheduled_tasks_and_stops_on_sigterm(tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / "orchestrator.yaml").read_text())
    config["store"]["sqlite_path"] = str(tmp_path / "rpa.db")
    config["logging"]["dir"] = str(tmp_path / "logs")
    config["worker"].update(poll_s=0.1)
    hello = config["bots"]["hello"]
    hello["settings"] = {"outbox": str(tmp_path / "out")}
    hello["tasks"]["greetings"].update(schedule={"interval_s": 1}, only_on=None)
    path = tmp_path / "orchestrator.yaml"
    path.write_text(yaml.safe_dump(config))
    rpa(path, "users", "add", "ops", "--role", "admin")
    serve = subprocess.Popen([sys.executable, "-m", "runner.cli.main", "--config", str(path), "--as", "ops",
                              "serve"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "RPA_TODAY": "2024-11-18"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list((tmp_path / "out").glob("*.txt"))) < 3:
        time.sleep(0.2)
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=30) == 0, serve.stderr.read() if serve.stderr else ""
    runs = json.loads(rpa(path, "runs", "ls", "--json"))
    assert runs and all(run["trigger"] == "schedule" for run in runs)
    items = json.loads(rpa(path, "queue", "ls", "--json"))
    assert {item["state"] for item in items} == {"done"} and len(items) == 3
