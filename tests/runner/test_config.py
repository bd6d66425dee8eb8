from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from runner.config import (
    NonBankDay,
    OnlyOn,
    OrchestratorConfig,
    RetryConfig,
    bot_settings,
    check_bots,
    load_config,
    parse_config,
    resolve_credentials,
)
from runner.errors import ConfigError
from runner.retry import RetryPolicy

REPO = Path(__file__).resolve().parents[2]

GOOD = """
bots:
  hello:
    tasks:
      greetings:
        schedule: {cron: "0 7 * * *"}
"""


def problems_of(tmp_path: Path, text: str) -> tuple[str, dict[str, str]]:
    path = tmp_path / "orchestrator.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.path == str(path)
    for line in str(caught.value).splitlines():
        assert line.startswith(f"{path}: ")
    return str(caught.value), dict(caught.value.problems)


def test_the_shipped_orchestrator_yaml_loads() -> None:
    config = load_config(REPO / "orchestrator.yaml")
    task = config.bots["hello"].tasks["greetings"]
    assert task.schedule is not None and task.schedule.cron == "0 7 * * *"
    assert task.only_on is OnlyOn.BANK_DAYS
    assert task.on_non_bank_day is NonBankDay.SKIP
    assert (task.misfire_grace_s, task.coalesce) == (600, True)
    enabled = list(config.enabled_tasks())
    assert ("hello", "greetings") in [(b, t) for b, t, _ in enabled]
    assert all(spec.schedule is not None for _, _, spec in enabled), "every shipped task is scheduled"
    from runner.bot import discover_bots
    from runner.config import check_bots

    installed = {n: {t.name for t in b.tasks} for n, b in discover_bots().items()}
    assert check_bots(config, installed) == []
    assert config.source.endswith("orchestrator.yaml")


def test_defaults_and_relative_paths(tmp_path: Path) -> None:
    path = tmp_path / "orchestrator.yaml"
    path.write_text("", encoding="utf-8")
    config = load_config(path)
    assert config.timezone == "Europe/Copenhagen"
    assert config.logging.dir == tmp_path / "var" / "logs"
    assert config.store.database_url({}) == f"sqlite:///{tmp_path / 'var' / 'rpa.db'}"
    assert config.worker.lease_s == 300 and config.circuit_breaker.threshold == 5
    assert config.artifacts.retention_days == 14 and config.bots == {}


def test_database_url_from_environment_wins() -> None:
    config = parse_config("store: {url: 'sqlite:///x.db'}")
    assert config.store.database_url({}) == "sqlite:///x.db"
    env = {"RPA_DATABASE_URL": "postgresql+psycopg://db/rpa"}
    assert config.store.database_url(env) == "postgresql+psycopg://db/rpa"


def test_clock_today_and_cpr_dates_are_dates() -> None:
    config = parse_config("clock: {today: 2024-11-18}\ncpr: {exempt_birth_dates: [1965-01-01]}")
    assert config.clock.today == date(2024, 11, 18)
    assert config.cpr.exempt_birth_dates == [date(1965, 1, 1)]


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("colck: {}", "colck", "unknown key; expected one of: clock, timezone, store"),
        ("worker: {threads: 2}", "worker.threads", "expected one of: concurrency, lease_s"),
        (
            GOOD + "        retries: {}\n",
            "bots.hello.tasks.greetings.retries",
            "unknown key; expected one of: enabled, schedule, only_on",
        ),
        (
            GOOD.replace('cron: "0 7 * * *"', 'cron: "0 7 * * *", at: 7'),
            "bots.hello.tasks.greetings.schedule.at",
            "unknown key; expected one of: cron, interval_s",
        ),
    ],
)
def test_unknown_keys_at_every_depth(tmp_path: Path, text: str, key: str, expected: str) -> None:
    _, problems = problems_of(tmp_path, text)
    assert expected in problems[key]


def test_wrong_types(tmp_path: Path) -> None:
    text = """
worker: {concurrency: abc, poll_s: fast}
artifacts: {traces: maybe}
clock: {today: 18-11-2024}
bots: {hello: {tasks: {greetings: {priority: [1]}}}}
"""
    _, problems = problems_of(tmp_path, text)
    assert problems["worker.concurrency"] == "expected an integer, got 'abc'"
    assert problems["worker.poll_s"] == "expected a number, got 'fast'"
    assert problems["artifacts.traces"] == "expected true or false, got 'maybe'"
    assert problems["clock.today"].startswith("expected a date (YYYY-MM-DD), got '18-11-2024'")
    assert problems["bots.hello.tasks.greetings.priority"] == "expected an integer, got a list"


def test_bounds_choices_and_mappings(tmp_path: Path) -> None:
    text = """
worker: {concurrency: 0}
logging: {level: loud}
store: {sqlite_synchronous: sometimes}
bots: {hello: {tasks: {greetings: {schedule: {cron: "0 7 * * *"}, on_non_bank_day: later,
       retry: {max_attempts: 0}}}}}
systems: [payroll]
"""
    _, problems = problems_of(tmp_path, text)
    assert problems["worker.concurrency"] == "expected at least 1, got 0"
    assert problems["logging.level"] == "expected one of: debug, info, warning, error; got 'loud'"
    assert problems["store.sqlite_synchronous"].startswith("expected one of: off, normal")
    key = "bots.hello.tasks.greetings"
    assert problems[f"{key}.on_non_bank_day"].startswith("expected one of: skip, previous, next")
    assert problems[f"{key}.retry.max_attempts"] == "expected at least 1, got 0"
    assert problems["systems"] == "expected a mapping (key: value), got a list"


def test_bad_cron(tmp_path: Path) -> None:
    message, problems = problems_of(tmp_path, GOOD.replace("0 7 * * *", "0 7 * *"))
    what = problems["bots.hello.tasks.greetings.schedule.cron"]
    assert what.startswith("invalid cron expression '0 7 * *': expected 5 fields")
    assert "bots.hello.tasks.greetings.schedule.cron" in message


def test_both_cron_and_interval(tmp_path: Path) -> None:
    _, problems = problems_of(tmp_path, GOOD.replace("}", ", interval_s: 900}", 1))
    what = problems["bots.hello.tasks.greetings.schedule"]
    assert what == "expected exactly one of: cron, interval_s; got both"


def test_neither_cron_nor_interval(tmp_path: Path) -> None:
    _, problems = problems_of(tmp_path, GOOD.replace('cron: "0 7 * * *"', ""))
    assert "got neither" in problems["bots.hello.tasks.greetings.schedule"]


def test_bank_day_policy_needs_a_fitting_schedule(tmp_path: Path) -> None:
    text = """
bots:
  hello:
    tasks:
      a: {schedule: {cron: "0 7 * * *"}, on_non_bank_day: next}
      b: {schedule: {interval_s: 60}, only_on: bank_days, on_non_bank_day: previous}
      c: {only_on: bank_days}
"""
    _, problems = problems_of(tmp_path, text)
    assert "only with only_on: bank_days" in problems["bots.hello.tasks.a.on_non_bank_day"]
    assert "needs a cron schedule" in problems["bots.hello.tasks.b.on_non_bank_day"]
    assert "with a schedule" in problems["bots.hello.tasks.c.only_on"]


@pytest.mark.parametrize(
    ("text", "key", "hint"),
    [
        ("credentials: {payroll: {username: robot, password: hunter2}}",
         "credentials.payroll.password", "password_env / secrets_file"),
        ("alerts: {smtp_password: hunter2}", "alerts.smtp_password", "smtp_password_env"),
        ("bots: {hello: {settings: {api_key: abc123}}}", "bots.hello.settings.api_key", "api_key_env"),
        ("bots: {hello: {settings: {hooks: [{token: abc}]}}}",
         "bots.hello.settings.hooks[0].token", "token_env"),
        ("store: {url: 'postgresql://rpa:hunter2@db/rpa'}", "store.url", "RPA_DATABASE_URL"),
    ],
)
def test_plaintext_secrets(tmp_path: Path, text: str, key: str, hint: str) -> None:
    message, problems = problems_of(tmp_path, text)
    assert problems[key].startswith("plaintext")
    assert hint in problems[key]
    assert "hunter2" not in message and "abc123" not in message


def test_secret_references_are_fine() -> None:
    config = parse_config(
        "credentials: {payroll: {username_env: U, password_env: P}}\n"
        "bots: {hello: {settings: {token_env: HELLO_TOKEN, password: null}}}"
    )
    assert config.credentials["payroll"].password_env == "P"


def test_yaml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    message, problems = problems_of(tmp_path, "bots:\n  hello: {tasks: [\n")
    ((where, what),) = problems.items()
    assert where.startswith("line 3, column")
    assert what.startswith("YAML syntax error")
    assert "orchestrator.yaml: line 3" in message


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    _, problems = problems_of(tmp_path, "worker: {}\nworker: {}\n")
    assert problems == {"line 2, column 1": "YAML syntax error: duplicate key 'worker'"}


def test_missing_file() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config("/nonexistent/orchestrator.yaml")
    assert str(caught.value) == "/nonexistent/orchestrator.yaml: (file): not found"


def test_a_system_names_a_defined_credential(tmp_path: Path) -> None:
    text = "systems: {payroll: {url: 'http://localhost/lon', credentials: payrol}}"
    _, problems = problems_of(tmp_path, text)
    assert problems["systems.payroll.credentials"] == "unknown credential 'payrol'; defined: (none)"


def test_credentials_need_one_complete_source(tmp_path: Path) -> None:
    text = "credentials: {a: {username_env: U}, b: {username_env: U, password_env: P, key: k}}"
    _, problems = problems_of(tmp_path, text)
    assert "username_env and password_env, or secrets_file and key" in problems["credentials.a"]
    assert "credentials.b" in problems


def test_check_bots_names_unknown_bots_and_tasks() -> None:
    config = parse_config("bots: {hello: {tasks: {greetings: {}, greet: {}}}, helo: {}}")
    problems = dict(check_bots(config, {"hello": {"greetings"}, "refund_claims": {"absences"}}))
    assert problems == {
        "bots.hello.tasks.greet": "unknown task; hello has: greetings",
        "bots.helo": "unknown bot; installed: hello, refund_claims",
    }


def test_retry_config_builds_a_policy() -> None:
    policy = RetryConfig(max_attempts=5, initial_interval_s=2, backoff=3, max_interval_s=30)
    assert policy.to_policy() == RetryPolicy(
        max_attempts=5, initial_interval_s=2, backoff=3, max_interval_s=30
    )


def test_credentials_from_environment() -> None:
    config = parse_config("credentials: {payroll: {username_env: PAY_U, password_env: PAY_P}}")
    env = {"PAY_U": "robot", "PAY_P": "s3cret"}
    assert resolve_credentials(config, "payroll", env) == ("robot", "s3cret")
    with pytest.raises(ConfigError) as caught:
        resolve_credentials(config, "payroll", {"PAY_U": "robot"})
    assert caught.value.problems == [
        ("credentials.payroll.password_env", "environment variable PAY_P is not set")
    ]


def test_credentials_from_a_secrets_file(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text("edoc: {username: robot, password: s3cret}\n", encoding="utf-8")
    config = parse_config(f"credentials: {{edoc: {{secrets_file: {secrets}, key: edoc}}}}")
    assert resolve_credentials(config, "edoc", {}) == ("robot", "s3cret")
    other = parse_config(f"credentials: {{x: {{secrets_file: {secrets}, key: nope}}}}")
    with pytest.raises(ConfigError, match=r"credentials\.x\.key: .* no entry 'nope'"):
        resolve_credentials(other, "x", {})


def test_secrets_file_is_relative_to_the_config_file(tmp_path: Path) -> None:
    config_path = tmp_path / "orchestrator.yaml"
    config_path.write_text("credentials: {x: {secrets_file: s.yaml, key: x}}", encoding="utf-8")
    config = load_config(config_path)
    with pytest.raises(ConfigError) as caught:
        resolve_credentials(config, "x", {})
    ((key, what),) = caught.value.problems
    assert key == "credentials.x.secrets_file"
    assert str(tmp_path / "s.yaml") in what
    assert caught.value.path == str(config_path)


def test_undefined_credential() -> None:
    with pytest.raises(ConfigError, match=r"credentials\.payroll: not defined"):
        resolve_credentials(OrchestratorConfig(), "payroll", {})


class HelloSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    greeting: str = "Goddag"


def test_bot_settings_are_validated_with_key_paths() -> None:
    config = parse_config("bots: {hello: {settings: {greting: Hej}}}", "o.yaml")
    with pytest.raises(ConfigError) as caught:
        bot_settings(config, "hello", HelloSettings)
    assert str(caught.value) == (
        "o.yaml: bots.hello.settings.greting: unknown key; expected one of: greeting"
    )
    good = parse_config("bots: {hello: {settings: {greeting: Hej}}}")
    assert bot_settings(good, "hello", HelloSettings).greeting == "Hej"


def test_the_calendar_is_an_installed_one(tmp_path: Path) -> None:
    installed = {"hello": {"greetings"}}
    assert check_bots(parse_config("calendar: danish"), installed) == []
    assert parse_config("").calendar is None  # the default installed calendar
    problems = dict(check_bots(parse_config("calendar: mars"), installed))
    assert problems["calendar"] == "unknown calendar; installed: danish"


def test_the_retired_cpr_dates_are_accepted_empty_and_named_when_set() -> None:
    assert check_bots(parse_config("cpr: {exempt_birth_dates: []}"), {}) == []
    problems = dict(check_bots(parse_config("cpr: {exempt_birth_dates: [1965-01-01]}"), {}))
    assert "bots.document_journaling.settings.cpr_exempt_birth_dates" in problems["cpr.exempt_birth_dates"]
