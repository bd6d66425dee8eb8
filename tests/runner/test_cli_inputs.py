"""Hostile files, URLs and names through every `rpa` command that takes one (issue 15, build 5 and 7).

Each hostile file must end in exit 2, exactly one line on stderr naming the file, no
traceback and an unchanged store. Most rows run in-process (click's CliRunner); a
representative subset runs `.venv/bin/rpa` as a real subprocess for every command.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from runner.cli import cli
from runner.config import parse_config, resolve_credentials
from runner.errors import ConfigError, InputError
from runner.inputs import parse_json
from tests.runner.deployment_support import write_config

ROOT = Path(__file__).resolve().parents[2]
RPA = Path(sys.executable).with_name("rpa")
OVER_LIMIT = 10_000_001  # one byte over the default cli.max_input_bytes

BOTS = ["document_journaling", "hello", "one_off_supplements", "refund_claims",
        "sixth_holiday_week", "termination_letters"]

# -- the deployment: a store with one exception; anna may do all, olga only run, piet nothing --


@dataclass
class Deployment:
    folder: Path
    config: Path
    item_id: int
    sandbox_db: Path
    dataset: dict[str, Any]

    def store_rows(self) -> dict[str, list[Any]]:
        return _rows(self.folder / "rpa.db")

    def sandbox_rows(self) -> dict[str, list[Any]]:
        return _rows(self.sandbox_db)


def _rows(db: Path) -> dict[str, list[Any]]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}


def invoke(deployment: Deployment, *args: str, user: str | None = "anna",
           env: dict[str, str] | None = None) -> Any:
    prefix = ["--config", str(deployment.config)] + (["--as", user] if user is not None else [])
    return CliRunner().invoke(cli, [*prefix, *args], env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    folder = tmp_path_factory.mktemp("deployment")
    path = write_config(folder, hello={"names": ["Jens Hansen", " "], "outbox": str(folder / "out")})
    deployment = Deployment(folder, path, 0, folder / "sandbox.db", {})
    for name, roles in (("anna", ["admin", "ops", "operator"]), ("olga", ["operator"]),
                        ("piet", ["process_owner"])):
        assert invoke(deployment, "users", "add", name, *(f"--role={r}" for r in roles)).exit_code == 0
    assert invoke(deployment, "run", "hello", "--wait").exit_code == 0
    (row,) = json.loads(invoke(deployment, "exceptions", "ls", "--json").stdout)
    deployment.item_id = row["id"]
    seeded = CliRunner().invoke(cli, ["sandbox", "seed", "--employees", "10",
                                      "--db", str(deployment.sandbox_db)])
    assert seeded.exit_code == 0, seeded.output
    exported = CliRunner().invoke(cli, ["sandbox", "export", "--db", str(deployment.sandbox_db)])
    deployment.dataset = json.loads(exported.stdout)
    return deployment


# -- the hostile files ---------------------------------------------------------------------------

GENERIC: dict[str, bytes] = {
    "malformed_json": b'{"as_of": "2024-11-18", ',
    "empty": b"",
    "latin1": '{"navn": "Søren Ærø"}'.encode("latin-1"),
    "ff_bytes": b'{"a": "\xff\xff"}',
    "utf16": '{"a": 1}'.encode("utf-16"),
    "nested_100000": b"[" * 100_000,
    "int_5000_digits": b'{"a": ' + b"9" * 5000 + b"}",
    "float_1e308": b'{"a": 1e308}',
    "float_1e999999": b'{"a": 1e999999}',
    "nan": b'{"a": NaN}',
    "json_null": b"null",
    "json_list": b"[1, 2]",
}
PATHS = ("directory", "missing", "over_limit")


def valid_case(bot: str) -> dict[str, Any] | None:
    """A decidable input per bot (None: document_journaling, whose input needs a PDF)."""
    as_of = "2024-11-18"
    cases: dict[str, dict[str, Any]] = {
        "hello": {"case": {"name": "Jens"}},
        "termination_letters": {"type": "resignation", "employment_id": "E100234",
                                "received_date": "2024-11-15", "requested_last_day": None,
                                "earlier_date_agreed": False},
        "one_off_supplements": {"type": "one_off_supplement", "employment_id": "E100234",
                                "amount": 5000, "reason": "x", "payout_period": "2024-12",
                                "pensionable": True, "submitted_date": "2024-11-15"},
        "sixth_holiday_week": {"type": "holiday6_payout_request", "case_id": "SP-2024-00001",
                               "employment_id": "E100234", "request_date": as_of,
                               "earning_year": 2023, "hours": None},
        "refund_claims": {"absence_id": "F000001", "employment_id": "E100234", "type": "sickness",
                          "first_day": "2024-10-01", "last_day": None, "hours_per_week": None,
                          "no_employer_period": False, "salary_continued": True,
                          "salary_stop_date": None, "reported_date": None, "claimed_until": None},
    }
    if bot not in cases:
        return None
    if bot == "hello":
        return cases[bot]
    return {"as_of": as_of, "employment": None, "case": cases[bot], "settings": None}


def semantic(command: str, bot: str | None, deployment: Deployment) -> dict[str, bytes]:
    """Rows whose content suits the command: a date near 9999, a field of the wrong type."""
    rows: dict[str, Any] = {}
    if command == "decide":
        base = valid_case(bot or "")
        if base is None:
            return {}
        if bot == "hello":
            rows["wrong_type"] = {"case": "Jens"}
        else:
            rows["date_9999"] = {**base, "as_of": "9999-12-31"}
            rows["wrong_type"] = {**base, "employment": "E100234"}  # an employment as a string
            rows["cpr_in_error"] = {**base, "case": {**base["case"], "type": "xx 010190-1234"}}
    elif command == "retry":
        rows["wrong_type"] = {"name": ["Ole", "Berg"]}
    elif command == "seed":
        rows["date_9999"] = {**deployment.dataset, "as_of": "9999-12-31"}
        rows["wrong_type"] = {**deployment.dataset,
                              "employments": ["E100234", *deployment.dataset["employments"][1:]]}
    elif command == "config":
        rows["date_9999"] = {"clock": {"today": "9999-12-31"}}
        rows["wrong_type"] = {"worker": "fast"}
        rows["lease_inf"] = {"worker": {"lease_s": float("inf")}}
    return {name: json.dumps(value).encode() for name, value in rows.items()}


def hostile_content(kind: str, bot: str | None, name: str, deployment: Deployment) -> bytes | None:
    if name not in GENERIC:
        return semantic(kind, bot, deployment).get(name)
    if kind == "config" and GENERIC[name].startswith(b'{"a": '):
        # a number where the config takes one, not under a key it would refuse anyway
        return GENERIC[name].replace(b'{"a": ', b'{"worker": {"lease_s": ') + b"}"
    return GENERIC[name]


def hostile_path(tmp_path: Path, name: str, content: bytes | None) -> Path:
    if name == "directory":
        path = tmp_path / "a-directory.json"
        path.mkdir()
    elif name == "missing":
        path = tmp_path / "missing.json"
    elif name == "over_limit":
        path = tmp_path / "huge.json"
        with path.open("wb") as file:
            file.truncate(OVER_LIMIT)  # sparse: over the limit without writing 10 MB
    else:
        path = tmp_path / f"{name}.json"
        path.write_bytes(content or b"")
    return path


def _decide(bot: str) -> Callable[[Deployment, Path], list[str]]:
    return lambda d, p: ["decide", bot, "--input", str(p)]


COMMANDS: dict[str, Callable[[Deployment, Path], list[str]]] = {
    **{f"decide {bot}": _decide(bot) for bot in BOTS},
    "exceptions retry --payload": lambda d, p: ["exceptions", "retry", str(d.item_id), "--payload", str(p)],
    "sandbox seed --from": lambda d, p: ["sandbox", "seed", "--from", str(p), "--db", str(d.sandbox_db)],
    "config check": lambda d, p: ["config", "check", str(p)],
}


def _kind(command: str) -> tuple[str, str | None]:
    if command.startswith("decide "):
        return "decide", command.split()[1]
    return {"exceptions retry --payload": "retry", "sandbox seed --from": "seed",
            "config check": "config"}[command], None


SEMANTIC = {
    "decide": ("date_9999", "wrong_type", "cpr_in_error"), "decide hello": ("wrong_type",),
    "decide document_journaling": (), "retry": ("wrong_type",), "seed": ("date_9999", "wrong_type"),
    "config": ("date_9999", "wrong_type", "lease_inf"),
}


def table() -> list[Any]:
    rows = []
    for command in COMMANDS:
        kind, _bot = _kind(command)
        for name in (*GENERIC, *PATHS, *SEMANTIC.get(command, SEMANTIC[kind])):
            rows.append(pytest.param(command, name, id=f"{command}-{name}"))
    return rows


def expected_exit(command: str, name: str) -> int:
    # An empty orchestrator.yaml is every default (a tested, documented case): `config check`
    # answers ok and warns on stderr that no bot is enabled.
    return 0 if (command, name) == ("config check", "empty") else 2


def check_refused(result_code: int, stdout: str, stderr: str, path: Path, code: int) -> None:
    assert "Traceback" not in stdout + stderr
    assert result_code == code, stdout + stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    if code == 2:
        assert lines[0].startswith(f"rpa: {path}: "), lines[0]
        assert stdout == ""
    assert "010190-1234" not in stdout + stderr


@pytest.mark.parametrize(("command", "name"), table())
def test_hostile_file_is_refused_with_one_line(deployment: Deployment, tmp_path: Path,
                                                command: str, name: str) -> None:
    kind, bot = _kind(command)
    content = hostile_content(kind, bot, name, deployment)
    assert content is not None or name in PATHS
    path = hostile_path(tmp_path, name, content)
    store, sandbox = deployment.store_rows(), deployment.sandbox_rows()
    result = invoke(deployment, *COMMANDS[command](deployment, path))
    check_refused(result.exit_code, result.stdout, result.stderr, path, expected_exit(command, name))
    assert deployment.store_rows() == store
    assert deployment.sandbox_rows() == sandbox


@pytest.mark.parametrize("bot", [b for b in BOTS if valid_case(b) is not None])
def test_a_valid_case_is_decided(deployment: Deployment, tmp_path: Path, bot: str) -> None:
    """The control row: the same command on a good file answers, so the refusals mean something."""
    path = tmp_path / "case.json"
    path.write_text(json.dumps(valid_case(bot)))
    result = invoke(deployment, "decide", bot, "--input", str(path))
    assert result.exit_code == 0, result.output
    assert "outcome" in json.loads(result.stdout)


# The subset as real subprocesses of .venv/bin/rpa: every command that reads a file.
SUBPROCESS_ROWS = [
    ("decide termination_letters", "nested_100000"), ("decide termination_letters", "wrong_type"),
    ("decide document_journaling", "utf16"), ("decide one_off_supplements", "date_9999"),
    ("exceptions retry --payload", "json_null"), ("exceptions retry --payload", "latin1"),
    ("sandbox seed --from", "ff_bytes"), ("sandbox seed --from", "date_9999"),
    ("config check", "int_5000_digits"), ("config check", "over_limit"),
]


@pytest.mark.parametrize(("command", "name"), SUBPROCESS_ROWS, ids=[f"{c}-{n}" for c, n in SUBPROCESS_ROWS])
def test_hostile_file_through_the_real_command(deployment: Deployment, tmp_path: Path,
                                               command: str, name: str) -> None:
    kind, bot = _kind(command)
    content = hostile_content(kind, bot, name, deployment)
    path = hostile_path(tmp_path, name, content)
    store, sandbox = deployment.store_rows(), deployment.sandbox_rows()
    args = ["--config", str(deployment.config), "--as", "anna", *COMMANDS[command](deployment, path)]
    result = subprocess.run([str(RPA), *args], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    check_refused(result.returncode, result.stdout, result.stderr, path, 2)
    assert deployment.store_rows() == store
    assert deployment.sandbox_rows() == sandbox


def test_a_null_payload_is_refused_not_a_plain_retry(deployment: Deployment, tmp_path: Path) -> None:
    path = tmp_path / "null.json"
    path.write_text("null")
    result = invoke(deployment, "exceptions", "retry", str(deployment.item_id), "--payload", str(path))
    assert result.exit_code == 2 and "expected a JSON object at the top level, got null" in result.stderr
    shown = json.loads(invoke(deployment, "exceptions", "show", str(deployment.item_id), "--json").stdout)
    assert shown["state"] == "business_exception" and shown["audit"] == []


def test_decide_errors_are_masked(deployment: Deployment, tmp_path: Path) -> None:
    case = valid_case("termination_letters")
    assert case is not None
    path = tmp_path / "case.json"
    path.write_text(json.dumps({**case, "case": {**case["case"], "type": "xx 010190-1234"}}))
    result = invoke(deployment, "decide", "termination_letters", "--input", str(path))
    assert result.exit_code == 2
    assert "unknown case type 'xx 010190-XXXX'" in result.stderr and "1234" not in result.stderr


def test_decide_reads_stdin_and_masks_its_warnings(tmp_path: Path) -> None:
    case = valid_case("termination_letters")
    assert case is not None
    text = json.dumps({**case, "settings": {"note 010190-1234": 1}})
    result = subprocess.run([str(RPA), "decide", "termination_letters", "--input", "-"], input=text,
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["code"] == "EMPLOYMENT_NOT_FOUND"
    assert result.stderr == "warning: unknown setting 'note 010190-XXXX' ignored\n"


@pytest.mark.parametrize(("text", "problem"), [
    ("[" * 100 + "]" * 100, None),
    ("[" * 101 + "]" * 101, "line 1 column 101: nested deeper than 100 levels"),
    ("[1e15, -1000000000000000]", None), ("[1.5e15]", "line 1 column 2: number 1.5e15 is out of range"),
    ('{"a": "1e999999", "b": 1e999999}', "line 1 column 24: number 1e999999 is out of range"),
    ('\ufeff{"bom": true}', None), ("[NaN]", "line 1 column 2: NaN is not a number JSON allows"),
])
def test_the_reader_bounds(text: str, problem: str | None) -> None:
    if problem is None:
        assert parse_json(text, "f.json", expect=(dict, list)) is not None
        return
    with pytest.raises(InputError) as caught:
        parse_json(text, "f.json", expect=(dict, list))
    assert str(caught.value).startswith(f"f.json: {problem}")


# -- database URLs ---------------------------------------------------------------------------------

BAD_URLS = ["not a url", "mysql://rpa@127.0.0.1/rpa", "http://127.0.0.1/rpa", "", "postgresql+asyncpg://x@y/z"]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_bad_database_url_in_the_environment_names_the_variable(deployment: Deployment, url: str) -> None:
    result = invoke(deployment, "queue", "ls", env={"RPA_DATABASE_URL": url})
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("rpa: RPA_DATABASE_URL: ") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize("url", [u for u in BAD_URLS if u])
def test_a_bad_store_url_fails_config_check(tmp_path: Path, url: str) -> None:
    path = tmp_path / "orchestrator.yaml"
    path.write_text(yaml.safe_dump({"store": {"url": url}}))
    result = CliRunner().invoke(cli, ["config", "check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"rpa: {path}: store.url: ") and len(result.stderr.splitlines()) == 1


def test_config_check_checks_the_environment_url_too(deployment: Deployment) -> None:
    result = invoke(deployment, "config", "check", user=None, env={"RPA_DATABASE_URL": "mysql://a@b/c"})
    assert result.exit_code == 2 and "RPA_DATABASE_URL: driver 'mysql' is not shipped" in result.stderr


def test_an_unreachable_database_is_one_line_and_a_technical_exit(deployment: Deployment) -> None:
    # port 1 on the loopback refuses at once; a real outage is the same answer, later
    env = {**os.environ, "RPA_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/test"}
    result = subprocess.run([str(RPA), "--config", str(deployment.config), "--as", "anna", "queue", "ls"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("rpa: RPA_DATABASE_URL: cannot open the store: ")


def test_a_database_that_never_answers_is_given_up_on(deployment: Deployment) -> None:
    """A listener that accepts the TCP connection and says nothing, as a hung server does."""
    import socket
    import time

    from runner.store.sql import PG_CONNECT_TIMEOUT_S

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        env = {**os.environ, "RPA_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"}
        started = time.monotonic()
        result = subprocess.run([str(RPA), "--config", str(deployment.config), "--as", "anna", "queue", "ls"],
                                capture_output=True, text=True, env=env, timeout=120)
        took = time.monotonic() - started
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("rpa: RPA_DATABASE_URL: cannot open the store: ")
    assert PG_CONNECT_TIMEOUT_S <= took < PG_CONNECT_TIMEOUT_S * 4


@pytest.mark.parametrize(("section", "key"), [("logging", "dir"), ("store", "sqlite_path")])
def test_a_path_that_cannot_be_used_is_a_config_error(tmp_path: Path, section: str, key: str) -> None:
    (tmp_path / "a-file").write_text("")
    path = tmp_path / "orchestrator.yaml"
    path.write_text(yaml.safe_dump({"store": {"sqlite_path": str(tmp_path / "rpa.db")},
                                    section: {key: str(tmp_path / "a-file" / "under")}}))
    result = CliRunner().invoke(cli, ["--config", str(path), "--as", "anna", "users", "ls"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"rpa: {path}: {section}.{key}: cannot be used: ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "18.11.2024"])
def test_a_today_out_of_range_in_the_environment_is_refused(deployment: Deployment, as_of: str) -> None:
    rows = deployment.store_rows()
    result = invoke(deployment, "run", "hello", "--wait", env={"RPA_TODAY": as_of})
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("rpa: environment: RPA_TODAY: expected a date")
    assert deployment.store_rows() == rows


# -- config bounds -----------------------------------------------------------------------------------

UNBOUNDED = {
    "worker.lease_s": {"worker": {"lease_s": float("inf")}},
    "worker.heartbeat_s": {"worker": {"heartbeat_s": float("nan")}},
    "worker.poll_s": {"worker": {"poll_s": 1e12}},
    "worker.reaper_s": {"worker": {"reaper_s": 1e12}},
    "worker.concurrency": {"worker": {"concurrency": 10**6}},
    "worker.prefetch": {"worker": {"prefetch": 10**6}},
    "circuit_breaker.cooldown_s": {"circuit_breaker": {"cooldown_s": 1e12}},
    "circuit_breaker.threshold": {"circuit_breaker": {"threshold": 10**9}},
    "artifacts.retention_days": {"artifacts": {"retention_days": 10**9}},
    "cli.max_input_bytes": {"cli": {"max_input_bytes": 10**15}},
    "clock.today": {"clock": {"today": "9999-12-31"}},
    "bots.hello.tasks.greetings.schedule.interval_s":
        {"bots": {"hello": {"tasks": {"greetings": {"schedule": {"interval_s": float("inf")}}}}}},
    "bots.hello.tasks.greetings.misfire_grace_s":
        {"bots": {"hello": {"tasks": {"greetings": {"misfire_grace_s": 10**12}}}}},
    "bots.hello.tasks.greetings.priority": {"bots": {"hello": {"tasks": {"greetings": {"priority": 2**63}}}}},
    "bots.hello.tasks.greetings.retry.max_attempts":
        {"bots": {"hello": {"tasks": {"greetings": {"retry": {"max_attempts": 10**9}}}}}},
    "bots.hello.tasks.greetings.retry.max_interval_s":
        {"bots": {"hello": {"tasks": {"greetings": {"retry": {"max_interval_s": float("inf")}}}}}},
    "bots.hello.tasks.greetings.retry.backoff":
        {"bots": {"hello": {"tasks": {"greetings": {"retry": {"backoff": 1e300}}}}}},
}


@pytest.mark.parametrize("key", list(UNBOUNDED))
def test_every_duration_and_count_is_bounded(key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(yaml.safe_dump(UNBOUNDED[key]))
    assert [k for k, _what in caught.value.problems] == [key]


def test_the_shipped_config_is_within_the_bounds() -> None:
    config = parse_config((ROOT / "orchestrator.yaml").read_text())
    assert config.cli.max_input_bytes == 10_000_000


@pytest.mark.parametrize("content", [b"edoc: {username: r\xf8bot, password: x}", b"[" * 100_000, b"null"])
def test_a_bad_secrets_file_names_the_credential(tmp_path: Path, content: bytes) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_bytes(content)
    config = parse_config(f"credentials: {{edoc: {{secrets_file: {secrets}, key: edoc}}}}")
    with pytest.raises(ConfigError) as caught:
        resolve_credentials(config, "edoc")
    assert len(caught.value.problems) == 1 and str(secrets) in str(caught.value)


def test_no_bot_enabled_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "orchestrator.yaml"
    path.write_text(yaml.safe_dump({"bots": {"hello": {"enabled": False}}}))
    result = subprocess.run([str(RPA), "config", "check", str(path)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"rpa: warning: {path}: no bot is enabled; the deployment will do nothing\n"
    assert result.stdout.startswith(f"{path}: ok (0 bot(s) enabled")


# -- user names and service users ---------------------------------------------------------------------


INVALID_NAMES = ["", " ", "a b", "x\nroot", "tab\there", ".hidden", "é", "a" * 65, "nul\x00"]


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_invalid_user_names_are_refused(deployment: Deployment, name: str) -> None:
    rows = deployment.store_rows()
    added = invoke(deployment, "users", "add", name, "--role", "ops")
    assert added.exit_code == 2 and added.stderr.startswith("rpa: user name: ")
    acting = invoke(deployment, "queue", "ls", user=name)
    assert acting.exit_code == 2 and acting.stderr.startswith("rpa: --as: ")
    assert "Traceback" not in added.output + acting.output
    assert deployment.store_rows() == rows
    listed = invoke(deployment, "users", "ls").stdout.splitlines()
    assert [line.split(":")[0] for line in listed] == ["anna", "olga", "piet"]


def test_valid_user_names_are_accepted(tmp_path: Path) -> None:
    config = tmp_path / "orchestrator.yaml"
    config.write_text(yaml.safe_dump({"store": {"sqlite_path": str(tmp_path / "rpa.db")}}))
    for name in ("anna", "a.b-c_d@kk.dk", "A" * 64, "robot1"):
        result = CliRunner().invoke(cli, ["--config", str(config), "--as", "anna", "users", "add", name,
                                          "--role", "admin"])
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_worker_and_serve_refuse_a_user_who_does_not_exist(deployment: Deployment, command: str) -> None:
    result = subprocess.run([str(RPA), "--config", str(deployment.config), "--as", "ghost", command],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr == ("rpa: user 'ghost' is not in the store; an admin adds them with "
                             "`rpa users add ghost --role ROLE` (or act as another with --as)\n")


# -- exit codes over every command -----------------------------------------------------------------


def leaf_commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[str]:
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            found += leaf_commands(command, (*path, name))
        else:
            found.append(" ".join((*path, name)))
    return found


# One bad-input invocation per command (exit 2): (args, user, env).
BAD_INPUT: dict[str, Callable[[Deployment], tuple[list[str], str | None, dict[str, str]]]] = {
    "alerts ls": lambda d: (["alerts", "ls"], "ghost", {}),
    "bench": lambda d: (["bench", "no_such_benchmark"], "anna", {}),
    "bots ls": lambda d: (["bots", "ls"], "anna", {"RPA_DATABASE_URL": "mysql://a@b/c"}),
    "bots pause": lambda d: (["bots", "pause", "no_such_bot"], "anna", {}),
    "bots skip": lambda d: (["bots", "skip", "hello", "greetings", "--at", "tomorrow"], "anna", {}),
    "bots once": lambda d: (["bots", "once", "hello", "nothing", "--at", "2024-11-18T09:00"], "anna", {}),
    "bots resume": lambda d: (["bots", "resume", "no_such_bot"], "anna", {}),
    "config check": lambda d: (["config", "check", str(d.folder / "missing.yaml")], None, {}),
    "console": lambda d: (["console", "--port", "70000"], None, {}),
    "decide": lambda d: (["decide", "hello", "--input", str(d.folder)], "anna", {}),
    "demo": lambda d: (["demo", "--employees", "1", "--no-serve"], "anna", {}),
    "exceptions ls": lambda d: (["exceptions", "ls"], "ghost", {}),
    "exceptions reject": lambda d: (["exceptions", "reject", "999999", "--reason", "x"], "anna", {}),
    "exceptions resolve": lambda d: (["exceptions", "resolve", "999999", "--note", "x"], "anna", {}),
    "exceptions retry": lambda d: (["exceptions", "retry", "999999"], "anna", {}),
    "exceptions show": lambda d: (["exceptions", "show", "999999"], "anna", {}),
    "queue ls": lambda d: (["queue", "ls"], "anna", {"RPA_DATABASE_URL": "not a url"}),
    "retention run": lambda d: (["retention", "run"], "ghost", {}),
    "run": lambda d: (["run", "no_such_bot"], "anna", {}),
    "runs ls": lambda d: (["runs", "ls"], "", {}),
    "runs show": lambda d: (["runs", "show", "999999"], "anna", {}),
    "sandbox export": lambda d: (["sandbox", "export", "--db", str(d.folder / "none.db")], None, {}),
    "sandbox seed": lambda d: (["sandbox", "seed", "--from", str(d.folder / "none.json"),
                                "--db", str(d.sandbox_db)], None, {}),
    "sandbox serve": lambda d: (["sandbox", "serve", "--db", str(d.folder / "none.db")], None, {}),
    "serve": lambda d: (["serve"], "ghost", {}),
    "users add": lambda d: (["users", "add", "two words", "--role", "ops"], "anna", {}),
    "users ls": lambda d: (["users", "ls"], "anna", {"RPA_DATABASE_URL": "http://x/y"}),
    "users roles": lambda d: (["users", "roles"], "anna", {"RPA_DATABASE_URL": "http://x/y"}),
    "users passwd": lambda d: (["users", "passwd", "nobody", "--password-stdin"], "anna", {}),
    "users token": lambda d: (["users", "token", "nobody"], "anna", {}),
    "worker": lambda d: (["worker", "--until-idle"], "ghost", {}),
}

# Commands that act: the same command by a user without the role it needs (exit 3).
ROLE_REFUSED: dict[str, Callable[[Deployment], tuple[list[str], str]]] = {
    "run": lambda d: (["run", "hello"], "piet"),
    "bots pause": lambda d: (["bots", "pause", "hello"], "piet"),
    "bots resume": lambda d: (["bots", "resume", "hello"], "piet"),
    "bots skip": lambda d: (["bots", "skip", "hello", "greetings", "--at", "2024-11-18T07:00"], "piet"),
    "bots once": lambda d: (["bots", "once", "hello", "greetings", "--at", "2024-11-18T09:00"], "piet"),
    "exceptions retry": lambda d: (["exceptions", "retry", str(d.item_id)], "olga"),
    "exceptions resolve": lambda d: (["exceptions", "resolve", str(d.item_id), "--note", "x"], "olga"),
    "exceptions reject": lambda d: (["exceptions", "reject", str(d.item_id), "--reason", "x"], "olga"),
    "users add": lambda d: (["users", "add", "mallory", "--role", "admin"], "olga"),
    "users token": lambda d: (["users", "token", "anna"], "olga"),
    "retention run": lambda d: (["retention", "run"], "piet"),
}


def test_every_command_has_a_bad_input_row() -> None:
    assert sorted(BAD_INPUT) == sorted(leaf_commands())
    assert set(ROLE_REFUSED) <= set(BAD_INPUT)


@pytest.mark.parametrize("command", sorted(BAD_INPUT))
def test_bad_input_exits_2_without_a_traceback(deployment: Deployment, command: str) -> None:
    args, user, env = BAD_INPUT[command](deployment)
    rows = deployment.store_rows()
    result = invoke(deployment, *args, user=user, env=env)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stderr.strip()
    assert deployment.store_rows() == rows


HUGE = "99999999999999999999"  # overflows SQLite's integer: click must refuse it first


@pytest.mark.parametrize("args", [["exceptions", "show", HUGE], ["exceptions", "retry", HUGE],
                                  ["exceptions", "resolve", HUGE, "--note", "x"], ["runs", "show", HUGE],
                                  ["queue", "ls", "--limit", HUGE], ["runs", "ls", "--limit", HUGE],
                                  ["exceptions", "show", "0"], ["queue", "ls", "--limit", "-1"]])
def test_numbers_out_of_range_on_the_command_line_exit_2(deployment: Deployment, args: list[str]) -> None:
    result = invoke(deployment, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "OverflowError" not in result.output


def test_a_cpr_typed_where_an_id_belongs_is_masked_in_the_usage_error(deployment: Deployment) -> None:
    result = subprocess.run([str(RPA), "--config", str(deployment.config), "--as", "anna", "exceptions",
                             "show", "010190-1234"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "'010190-XXXX' is not a valid integer range" in result.stderr and "1234" not in result.stderr


@pytest.mark.parametrize("command", sorted(ROLE_REFUSED))
def test_acting_without_the_role_exits_3(deployment: Deployment, command: str) -> None:
    args, user = ROLE_REFUSED[command](deployment)
    rows = deployment.store_rows()
    result = invoke(deployment, *args, user=user)
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith(f"rpa: {user} lacks the role") and len(result.stderr.splitlines()) == 1
    assert deployment.store_rows() == rows


def test_the_exit_codes_are_in_the_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for line in ("0  done", "1  a technical failure", "2  bad input or config", "3  refused"):
        assert line in result.stdout
