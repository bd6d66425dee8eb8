"""The `rpa` command as a user runs it: config errors, users, runs, the exception queue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from hr.cpr import CPR_SHAPE
from runner.cli import cli
from tests.runner.deployment_support import write_config

CPR_UNMASKED = CPR_SHAPE


class Rpa:
    """Runs `rpa` in-process against a config in a temporary folder."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.outputs: list[str] = []

    def __call__(self, *args: str, user: str | None = "anna", code: int = 0) -> str:
        prefix = ["--config", str(self.config)] + (["--as", user] if user else [])
        result = CliRunner().invoke(cli, [*prefix, *args], catch_exceptions=False)
        output = result.output + (result.stderr if result.stderr_bytes is not None else "")
        self.outputs.append(output)
        assert result.exit_code == code, output
        assert "Traceback" not in output
        return output


@pytest.fixture
def rpa(tmp_path: Path) -> Rpa:
    names = ["Jens Hansen", " ", "Mette 070761-4285"]
    rpa = Rpa(write_config(tmp_path, hello={"names": names, "outbox": str(tmp_path / "out")}))
    rpa("users", "add", "anna", "--role", "admin", user=None)
    return rpa


def test_config_errors_name_file_and_key_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("worker:\n  concurency: 2\nbots:\n  nobody: {}\n")
    result = subprocess.run([sys.executable, "-m", "runner.cli.main", "config", "check", str(bad)],
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2
    assert f"{bad}: worker.concurency: unknown key" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_config_check_names_unknown_bot_task_and_bad_settings(tmp_path: Path) -> None:
    path = write_config(tmp_path, hello={"nmes": ["x"]})
    text = path.read_text().replace("greetings:", "greetingz:")
    path.write_text(text)
    output = Rpa(path)("config", "check", user=None, code=2)
    assert "bots.hello.tasks.greetingz" in output
    path.write_text(text.replace("greetingz:", "greetings:"))
    assert "bots.hello.settings.nmes" in Rpa(path)("config", "check", user=None, code=2)


def test_plaintext_password_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path)
    config = yaml.safe_load(path.read_text())
    config["credentials"]["payroll"] = {"password": "hunter2"}
    path.write_text(yaml.safe_dump(config))
    output = Rpa(path)("config", "check", user=None, code=2)
    assert "credentials.payroll.password" in output and "hunter2" not in output


def test_unknown_user_is_told_how_to_get_added(rpa: Rpa) -> None:
    assert "rpa users add mallory" in rpa("queue", "ls", user="mallory", code=2)


def test_only_admins_add_users_after_the_first(rpa: Rpa) -> None:
    rpa("users", "add", "olga", "--role", "operator")
    assert "admin" in rpa("users", "add", "eve", "--role", "admin", user="olga", code=3)
    assert json.loads(rpa("users", "ls", "--json")) == [
        {"name": "anna", "roles": ["admin"]}, {"name": "olga", "roles": ["operator"]}]


def test_roles_are_the_frameworks_and_those_the_installed_bots_declare(rpa: Rpa) -> None:
    roles = {row["role"]: row["declared_by"] for row in json.loads(rpa("users", "roles", "--json"))}
    assert roles == {"operator": None, "ops": None, "process_owner": None, "admin": None,
                     "attest_reader": ["document_journaling"]}
    added = rpa("users", "add", "berit", "--role", "ops", "--role", "attest_reader")
    held = {row["role"]: row["users"] for row in json.loads(rpa("users", "roles", "--json"))}
    assert held == {"operator": [], "ops": ["berit"], "process_owner": [], "admin": ["anna"],
                    "attest_reader": ["berit"]}
    assert "attest_reader (declared by document_journaling): berit" in rpa("users", "roles")
    may = {row["role"]: row["may"] for row in json.loads(rpa("users", "roles", "--json"))}
    assert may["attest_reader"] == ["read"] and "handle_exceptions" in may["ops"]
    assert "run_bots" not in may["ops"] and "manage_users" in may["admin"]
    assert added.strip() == "berit: attest_reader, ops"
    refused = rpa("users", "add", "carl", "--role", "reader", code=2)
    assert "'reader' is not one of" in refused and "'attest_reader'" in refused
    assert json.loads(rpa("users", "ls", "--json")) == [
        {"name": "anna", "roles": ["admin"]}, {"name": "berit", "roles": ["attest_reader", "ops"]}]


def test_a_password_is_set_from_stdin_and_stored_as_an_argon2_hash(rpa: Rpa, tmp_path: Path) -> None:
    from runner.passwords import verify_password
    from runner.store import open_store

    secret = "korrekt-hest-batteri"
    result = CliRunner().invoke(cli, ["--config", str(rpa.config), "--as", "anna", "users", "passwd", "anna",
                                      "--password-stdin"], input=secret + "\n")
    assert result.exit_code == 0 and secret not in result.output, result.output
    short = CliRunner().invoke(cli, ["--config", str(rpa.config), "--as", "anna", "users", "passwd", "anna",
                                     "--password-stdin"], input="kort\n")
    assert short.exit_code == 2 and "at least 12 characters" in short.output
    store = open_store(f"sqlite:///{tmp_path / 'rpa.db'}")
    stored = store.password_hash("anna")
    assert stored is not None and stored.startswith("$argon2id$") and secret not in stored
    assert verify_password(stored, secret) and not verify_password(stored, "korrekt-hest-batterI")


def test_a_token_is_printed_once_works_as_its_user_and_can_be_revoked(rpa: Rpa, tmp_path: Path) -> None:
    from runner.passwords import token_hash
    from runner.store import open_store

    token = json.loads(rpa("users", "token", "anna", "--json"))["token"]
    store = open_store(f"sqlite:///{tmp_path / 'rpa.db'}")
    assert store.user_for_token(token_hash(token)).name == "anna"
    assert json.loads(rpa("users", "token", "anna", "--revoke", "--json")) == {"revoked": 1}
    assert store.user_for_token(token_hash(token)) is None


def test_run_wait_json_and_the_exception_queue_round_trip(rpa: Rpa, tmp_path: Path) -> None:
    report = json.loads(rpa("run", "hello", "--wait", "--json"))
    assert report["today"] == "2024-11-18"
    assert report["bots"]["hello"] == {"done": 2, "acted": 2,
                                       "business_exceptions": {"NAME_MISSING": 1},
                                       "system_exceptions": 0}
    (row,) = json.loads(rpa("exceptions", "ls", "--json"))
    assert set(row) == {"id", "bot", "task", "reference", "state", "attempts", "code", "due"}
    assert row["code"] == "NAME_MISSING"
    item = str(row["id"])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": ""}))
    assert "name" in rpa("exceptions", "retry", item, "--payload", str(bad), code=2)
    assert "a note" in rpa("exceptions", "resolve", item, "--note", " ", code=2)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"name": "Ole Berg"}))
    rpa("exceptions", "retry", item, "--payload", str(good), "--reason", "name from the manager")
    rpa("worker", "--until-idle")
    shown = json.loads(rpa("exceptions", "show", item, "--json"))
    assert shown["state"] == "done"
    assert shown["audit"][0]["action"] == "retry" and shown["audit"][0]["actor"] == "anna"
    assert (tmp_path / "out" / f"{row['reference']}.txt").read_text().startswith("Goddag, Ole Berg")


def test_run_all_wait_works_the_tasks_in_the_order_of_their_schedules(tmp_path: Path) -> None:
    from runner.cli.app import App
    from runner.cli.running import in_schedule_order, task_targets

    app = App(config_path=str(write_config(tmp_path)), as_user=None)
    targets = task_targets(app, None, True, None)
    rounds = in_schedule_order(app, targets)
    assert sorted(t for batch in rounds for t in batch) == sorted(targets)
    at = {target: n for n, batch in enumerate(rounds) for target in batch}
    # decisions (07:30) reconcile the claims absences (06:30) made the same morning
    assert at[("refund_claims", "absences")] < at[("refund_claims", "decisions")]
    assert at[("document_journaling", "mail")] == 0  # every 15 minutes: from the first round
    assert at[("refund_claims", "absences")] == at[("document_journaling", "missing_certificates")]


def test_pause_is_kept_and_a_paused_bot_is_not_worked(rpa: Rpa) -> None:
    def hello() -> dict:
        return next(row for row in json.loads(rpa("bots", "ls", "--json")) if row["name"] == "hello")

    rpa("bots", "pause", "hello", "--reason", "month end")
    assert hello()["paused"] is True and hello()["reason"] == "month end"
    rpa("bots", "resume", "hello")
    assert hello()["paused"] is False


def test_no_full_cpr_on_any_path_of_the_runner(rpa: Rpa, tmp_path: Path) -> None:
    """A CPR number in a payload, a reference and an error goes through every output masked."""
    rpa("run", "hello", "--wait", "--json")
    rows = json.loads(rpa("queue", "ls", "--json"))
    for row in rows:
        rpa("exceptions", "show", str(row["id"]), "--json")
    rpa("runs", "ls", "--json")
    rpa("runs", "show", "1", "--json")
    rpa("alerts", "ls", "--json")
    cpr_rows = [row for row in rows if "070761" in row["reference"]]
    assert cpr_rows and all("070761-XXXX" in row["reference"] for row in cpr_rows)
    everything = "\n".join(rpa.outputs)
    everything += "\n".join(p.read_text() for p in (tmp_path / "logs").glob("*"))
    assert CPR_UNMASKED.findall(everything) == []
