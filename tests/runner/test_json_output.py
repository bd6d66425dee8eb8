"""`--json` means JSON alone on stdout, for every command that takes it.

The commands are found by walking the `rpa` command tree, so a new command with `--json`
fails here until it is given its arguments below. Each runs as a real `rpa` process
with the log level at debug (the most log lines there are) and its stdout must parse
whole as one JSON document; log lines belong in the log file or on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import click
import pytest

from runner.cli import cli
from tests.runner.deployment_support import write_config

# The arguments each `--json` command is run with ({item}: an exception's id, {run}: a run's).
ARGUMENTS: dict[str, list[str]] = {
    "alerts ls": [],
    "bench": ["flow", "--items", "1"],  # the browser benchmark, which once printed log lines first
    "bots ls": [],
    "exceptions ls": [],
    "exceptions show": ["{item}"],
    "queue ls": [],
    "run": ["hello", "--wait"],
    "runs ls": [],
    "runs show": ["{run}"],
    "users ls": [],
    "users roles": [],
    "users token": ["anna"],
}
# Run elsewhere, whole: tests/test_demo.py parses `rpa demo --json`'s stdout as one document.
ELSEWHERE = {"demo"}


def json_commands() -> list[str]:
    context = click.Context(cli)
    found: list[str] = []

    def walk(command: click.Command, path: list[str]) -> None:
        if isinstance(command, click.Group):
            for name in command.list_commands(context):
                sub = command.get_command(context, name)
                if sub is not None:
                    walk(sub, [*path, name])
        elif any("--json" in param.opts for param in command.params):
            found.append(" ".join(path))

    walk(cli, [])
    return sorted(found)


def test_every_json_command_is_covered() -> None:
    missing = set(json_commands()) - set(ARGUMENTS) - ELSEWHERE
    assert not missing, f"give these --json commands their arguments in ARGUMENTS: {sorted(missing)}"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A deployment with one run, one exception and the log level at debug."""
    folder = tmp_path_factory.mktemp("json-output")
    path = write_config(folder, log_level="debug",
                        hello={"names": ["Jens Hansen", " "], "outbox": str(folder / "out")})
    env = {**os.environ, "RPA_CONFIG": str(path), "RPA_USER": "anna"}
    deployment: dict[str, Any] = {"env": env, "cwd": folder}
    rpa(deployment, "--as", os.environ.get("USER", "root"), "users", "add", "anna",
        "--role", "admin", "--role", "ops", "--role", "operator", user=None)
    rpa(deployment, "run", "hello", "--wait")  # " " is no name: one business exception
    (exception,) = json.loads(rpa(deployment, "exceptions", "ls", "--json").stdout)
    (run,) = json.loads(rpa(deployment, "runs", "ls", "--json").stdout)
    deployment.update(item=exception["id"], run=run["id"])
    return deployment


def rpa(deployment: dict[str, Any], *args: str,
        user: str | None = "anna") -> subprocess.CompletedProcess[str]:
    env = dict(deployment["env"])
    if user is None:
        env.pop("RPA_USER")
    done = subprocess.run([sys.executable, "-m", "runner.cli.main", *args], capture_output=True,
                          text=True, env=env, cwd=deployment["cwd"], timeout=300)
    assert done.returncode == 0, f"rpa {' '.join(args)} exited {done.returncode}: {done.stderr}"
    return done


@pytest.mark.browser
@pytest.mark.parametrize("command", sorted(ARGUMENTS))
def test_stdout_is_one_json_document(deployment: dict[str, Any], command: str) -> None:
    arguments = [a.format(item=deployment["item"], run=deployment["run"]) for a in ARGUMENTS[command]]
    done = rpa(deployment, *command.split(), *arguments, "--json")
    assert done.stdout.strip(), f"rpa {command} --json printed nothing"
    json.loads(done.stdout)  # the whole of stdout: a log line before or after fails here
