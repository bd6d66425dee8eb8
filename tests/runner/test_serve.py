"""`rpa serve`: schedules start runs, workers perform their items, SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from click.testing import CliRunner

from runner.cli import cli
from runner.cli.app import App
from runner.service import fire, fire_extras
from tests.runner.deployment_support import write_config

ROOT = Path(__file__).resolve().parents[2]
CPH = ZoneInfo("Europe/Copenhagen")


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
                              "serve", "--port", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "RPA_TODAY": "2024-11-18"})
    assert serve.stdout is not None
    url = serve.stdout.readline().strip().removeprefix("console: ")
    assert url.startswith("http://127.0.0.1:"), url
    assert httpx.get(url + "healthz").json() == {"status": "ok"}
    assert httpx.get(url + "api/overview").status_code == 401  # the console beside the robots
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list((tmp_path / "out").glob("*.txt"))) < 3:
        time.sleep(0.2)
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=30) == 0, serve.stderr.read() if serve.stderr else ""
    runs = json.loads(rpa(path, "runs", "ls", "--json"))
    assert runs and all(run["trigger"] == "schedule" for run in runs)
    items = json.loads(rpa(path, "queue", "ls", "--json"))
    assert {item["state"] for item in items} == {"done"} and len(items) == 3


def test_an_operator_skips_one_firing_and_adds_a_one_off_run_each_started_once(tmp_path: Path) -> None:
    path = write_config(tmp_path, hello={"names": ["Jens Hansen"], "outbox": str(tmp_path / "out")})

    def rpa_as(user: str, *args: str) -> str:
        result = CliRunner().invoke(cli, ["--config", str(path), "--as", user, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    rpa_as("olga", "users", "add", "olga", "--role", "operator")
    assert "firing skipped at 2024-11-18 07:00 CET" in rpa_as(
        "olga", "bots", "skip", "hello", "greetings", "--at", "2024-11-18T07:00", "--reason", "lønkørsel")
    rpa_as("olga", "bots", "once", "hello", "greetings", "--at", "2024-11-18T09:00")
    no_firing = CliRunner().invoke(cli, ["--config", str(path), "--as", "olga", "bots", "skip", "hello",
                                         "greetings", "--at", "2024-11-18T07:05"])
    assert no_firing.exit_code == 2 and "does not fire at 2024-11-18T07:05" in no_firing.output
    app = App(config_path=str(path), as_user="olga")
    fire(app, "hello", "greetings", "hello.greetings", datetime(2024, 11, 18, 7, 0, tzinfo=CPH))
    assert app.store.list_runs() == []  # the skipped firing
    fire(app, "hello", "greetings", "hello.greetings", datetime(2024, 11, 19, 7, 0, tzinfo=CPH))
    assert len(app.store.list_runs()) == 1  # the next one runs: skipped once
    fire_extras(app, datetime(2024, 11, 18, 8, 59, tzinfo=CPH))
    assert len(app.store.list_runs()) == 1  # not due yet
    fire_extras(app, datetime(2024, 11, 18, 9, 0, 30, tzinfo=CPH))
    fire_extras(app, datetime(2024, 11, 18, 9, 1, tzinfo=CPH))  # a second poll, or another replica
    runs = app.store.list_runs()
    assert len(runs) == 2 and runs[0].run_key.endswith("@extra-2")
    actions = [entry.action for entry in app.store.audit_trail(app.actor())]
    assert actions.count("schedule_skip") == 1 and actions.count("schedule_extra") == 1
    app.close()
