"""orchestrator.yaml: the deployment's bots, schedules, store, credentials and systems.

Validated at load: every model forbids unknown keys, and `load_config` raises one
`ConfigError` listing each problem with its key path and what was expected. Relative
paths in the file are relative to the file's own directory.
"""

from __future__ import annotations

import os
import types
from collections.abc import Iterator, Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from runner.clock import FIRST_AS_OF, LAST_AS_OF
from runner.errors import ConfigError, InputError
from runner.inputs import DEFAULT_MAX_INPUT_BYTES
from runner.retry import RetryPolicy

DATABASE_URL_ENV = "RPA_DATABASE_URL"
SECRET_KEYS = ("password", "secret", "token", "api_key")
M = TypeVar("M", bound=BaseModel)
Problem = tuple[str, str]


def _relative_to_file(value: Path, info: ValidationInfo) -> Path:
    value = value.expanduser()
    base = (info.context or {}).get("base_dir")
    return value if value.is_absolute() or base is None else Path(base) / value


FilePath = Annotated[Path, AfterValidator(_relative_to_file)]


class _Model(BaseModel):
    # Defaults are validated too, so default paths are made relative to the file.
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _http_url(value: str | None) -> str | None:
    if value is not None and urlsplit(value).scheme not in ("http", "https"):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]


def _database_url(value: str | None) -> str | None:
    from runner.inputs import database_url

    try:
        return None if value is None else database_url(value, "store.url")
    except InputError as error:
        raise ValueError(error.problem) from None


DatabaseUrl = Annotated[str, AfterValidator(_database_url)]

# Bounds on every duration and count: finite, and within what a deployment can mean, so
# `.inf` or 1e12 seconds is a config error and not an OverflowError at run time.
HOUR, DAY, WEEK = 3600, 86400, 7 * 86400
Seconds = Annotated[float, Field(gt=0, le=DAY, allow_inf_nan=False)]
ShortSeconds = Annotated[float, Field(gt=0, le=HOUR, allow_inf_nan=False)]
Pause = Annotated[float, Field(ge=0, le=HOUR, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=1, le=1000)]


class ClockConfig(_Model):
    # dates within the rules' reach: a year 9999 overflows the first date arithmetic
    today: Annotated[date, Field(ge=FIRST_AS_OF, le=LAST_AS_OF)] | None = None


class CliConfig(_Model):
    """Limits on what a person hands the `rpa` command (runner.inputs)."""

    max_input_bytes: Annotated[int, Field(ge=1024, le=1_000_000_000)] = DEFAULT_MAX_INPUT_BYTES


class StoreConfig(_Model):
    url: DatabaseUrl | None = None
    sqlite_path: FilePath = Path("var/rpa.db")
    sqlite_synchronous: Annotated[str, Field(pattern="^(off|normal|full|extra)$")] = "normal"

    def database_url(self, env: Mapping[str, str] = os.environ) -> str:
        """`RPA_DATABASE_URL`, else `url`, else the SQLite file; InputError naming the variable
        when it does not parse or names a driver we do not ship."""
        from runner.inputs import database_url

        if env.get(DATABASE_URL_ENV) is not None:
            return database_url(env[DATABASE_URL_ENV], DATABASE_URL_ENV)
        return self.url or f"sqlite:///{self.sqlite_path}"


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class LoggingConfig(_Model):
    dir: FilePath = Path("var/logs")
    level: LogLevel = LogLevel.INFO


class ArtifactsConfig(_Model):
    dir: FilePath = Path("var/artifacts")
    traces: bool = True
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 14


class AlertsConfig(_Model):
    webhook_url: HttpUrl | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    smtp_host: str = "localhost"
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25


class WorkerConfig(_Model):
    concurrency: Annotated[int, Field(ge=1, le=64)] = 1
    lease_s: Seconds = 300
    heartbeat_s: ShortSeconds = 30
    poll_s: ShortSeconds = 1.0
    reaper_s: ShortSeconds = 30
    # items leased per claim; more than 1 suits many short items, 1 suits browser work
    prefetch: Annotated[int, Field(ge=1, le=1000)] = 1

    @model_validator(mode="after")
    def _heartbeat_within_lease(self) -> WorkerConfig:
        if self.heartbeat_s >= self.lease_s:
            raise ValueError("heartbeat_s must be shorter than lease_s, or leases expire")
        return self


class CircuitBreakerConfig(_Model):
    threshold: Count = 5
    cooldown_s: Annotated[float, Field(ge=0, le=WEEK, allow_inf_nan=False)] = 900


class ConsoleConfig(_Model):
    """The web console (`rpa console`): where it listens, how long an idle session lives, and
    the file with the key that signs session cookies (created 0600 when missing)."""

    host: Annotated[str, Field(min_length=1, max_length=253)] = "127.0.0.1"
    port: Annotated[int, Field(ge=0, le=65535)] = 8000  # 0: a free port, printed when ready
    session_idle_minutes: Annotated[float, Field(gt=0, le=DAY / 60, allow_inf_nan=False)] = 30
    secret_key_file: FilePath = Path("var/console.key")


class CprConfig(_Model):
    """Retired: read by nothing. Kept so files that carry it still load; `check_bots`
    names where a non-empty list belongs."""

    exempt_birth_dates: list[date] = []


class CredentialConfig(_Model):
    """Either two environment variables, or an entry in a YAML secrets file."""

    username_env: str | None = None
    password_env: str | None = None
    secrets_file: FilePath | None = None
    key: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CredentialConfig:
        from_env = self.username_env is not None or self.password_env is not None
        from_file = self.secrets_file is not None or self.key is not None
        complete_env = self.username_env is not None and self.password_env is not None
        complete_file = self.secrets_file is not None and self.key is not None
        if from_env == from_file or not (complete_env or complete_file):
            raise ValueError(
                "expected either username_env and password_env, or secrets_file and key"
            )
        return self


class SystemConfig(_Model):
    url: HttpUrl
    credentials: str | None = None


class RetryConfig(_Model):
    max_attempts: Annotated[int, Field(ge=1, le=100)] = 3
    initial_interval_s: Pause = 1.0
    backoff: Annotated[float, Field(ge=1, le=10, allow_inf_nan=False)] = 2.0
    max_interval_s: Pause = 60.0
    jitter: bool = True

    @model_validator(mode="after")
    def _ordered_intervals(self) -> RetryConfig:
        if self.max_interval_s < self.initial_interval_s:
            raise ValueError("max_interval_s must be at least initial_interval_s")
        return self

    def to_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts,
            initial_interval_s=self.initial_interval_s,
            backoff=self.backoff,
            max_interval_s=self.max_interval_s,
            jitter=self.jitter,
        )


class TaskSchedule(_Model):
    """When a task's collector runs: a crontab expression or a fixed interval."""

    cron: str | None = None
    interval_s: Annotated[float, Field(gt=0, le=WEEK, allow_inf_nan=False)] | None = None

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        from runner.cron import validate_cron

        problem = validate_cron(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> TaskSchedule:
        given = [name for name in ("cron", "interval_s") if getattr(self, name) is not None]
        if len(given) != 1:
            got = "both" if given else "neither"
            raise ValueError(f"expected exactly one of: cron, interval_s; got {got}")
        return self


class OnlyOn(StrEnum):
    BANK_DAYS = "bank_days"


class NonBankDay(StrEnum):
    SKIP = "skip"
    PREVIOUS = "previous"
    NEXT = "next"


class TaskConfig(_Model):
    """One task of a bot: its schedule (None: run only on demand) and how it is run."""

    enabled: bool = True
    schedule: TaskSchedule | None = None
    only_on: OnlyOn | None = None
    on_non_bank_day: NonBankDay = NonBankDay.SKIP
    misfire_grace_s: Annotated[int, Field(ge=1, le=DAY)] = 300
    coalesce: bool = True
    retry: RetryConfig | None = None  # None: the retry policy the bot declares for the task
    priority: Annotated[int, Field(ge=-1000, le=1000)] = 0


class BotConfig(_Model):
    enabled: bool = True
    settings: dict[str, Any] = {}
    tasks: dict[str, TaskConfig] = {}


class OrchestratorConfig(_Model):
    clock: ClockConfig = ClockConfig()
    timezone: str = "Europe/Copenhagen"
    store: StoreConfig = StoreConfig()
    logging: LoggingConfig = LoggingConfig()
    artifacts: ArtifactsConfig = ArtifactsConfig()
    alerts: AlertsConfig = AlertsConfig()
    worker: WorkerConfig = WorkerConfig()
    circuit_breaker: CircuitBreakerConfig = CircuitBreakerConfig()
    cpr: CprConfig = CprConfig()
    cli: CliConfig = CliConfig()
    console: ConsoleConfig = ConsoleConfig()
    calendar: str | None = None  # an installed bank-day calendar (rpa.calendars); None: the default
    credentials: dict[str, CredentialConfig] = {}
    systems: dict[str, SystemConfig] = {}
    bots: dict[str, BotConfig] = {}

    _source: str = PrivateAttr(default="orchestrator.yaml")

    @property
    def source(self) -> str:
        """The file this configuration was loaded from."""
        return self._source

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; expected an IANA name such as Europe/Copenhagen"
            ) from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def enabled_tasks(self) -> Iterator[tuple[str, str, TaskConfig]]:
        """(bot, task, config) for every enabled task of every enabled bot."""
        for bot_name, bot in self.bots.items():
            if bot.enabled:
                for task_name, task in bot.tasks.items():
                    if task.enabled:
                        yield bot_name, task_name, task


# -- loading -------------------------------------------------------------------------------


def load_config(path: str | os.PathLike[str]) -> OrchestratorConfig:
    """Read and validate orchestrator.yaml; raises `ConfigError` naming every problem."""
    from runner.inputs import read_text

    name = os.fspath(path)
    try:
        text = read_text(name)
    except InputError as error:
        raise ConfigError(name, [("(file)", error.problem)]) from None
    return parse_config(text, name, base_dir=Path(name).resolve().parent)


def parse_config(
    text: str, source: str = "orchestrator.yaml", base_dir: Path | None = None
) -> OrchestratorConfig:
    """Validate orchestrator.yaml's text; `source` names it in errors."""
    data = _load_yaml(text, source)
    if data is None and _only_comments(text):
        data = {}  # empty or comments only: every default; a file that says `null` is the wrong type
    if isinstance(data, dict):  # absent sections get their defaults' paths resolved too
        data = {"store": {}, "logging": {}, "artifacts": {}, "console": {}, **data}
    problems = _plaintext_secrets(data)
    secret_keys = {key for key, _ in problems}
    config: OrchestratorConfig | None = None
    try:
        config = OrchestratorConfig.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        problems += [p for p in _problems(exc, OrchestratorConfig) if p[0] not in secret_keys]
    if config is not None:
        problems += _reference_problems(config)
    if problems:
        raise ConfigError(source, problems)
    assert config is not None
    config._source = source
    return config


def bot_settings(config: OrchestratorConfig, bot: str, model: type[M]) -> M:
    """A bot's `settings` validated by its own model; errors name `bots.BOT.settings...`."""
    raw = config.bots[bot].settings if bot in config.bots else {}
    return validate_settings(model, raw, source=config.source, bot=bot)


def validate_settings(model: type[M], raw: Any, *, source: str, bot: str) -> M:
    """`raw` as the bot's settings model (a model already is one); ConfigError names each key
    as `bots.BOT.settings...` in `source`. The one settings check of config, CLI and deploy."""
    if isinstance(raw, model):
        return raw
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(source, _problems(exc, model, f"bots.{bot}.settings")) from None


#: Keys nothing reads any more, and where what they said belongs now.
RETIRED_KEYS = {
    "cpr.exempt_birth_dates": "read by nothing; give the dates to the bot that checks CPR"
    " numbers (bots.document_journaling.settings.cpr_exempt_birth_dates) and delete this key",
}


def check_bots(config: OrchestratorConfig, known: Mapping[str, set[str]]) -> list[Problem]:
    """Problems for what the config names that nothing installed provides (bots, tasks, the
    calendar), and for retired keys that say something (an empty one is accepted)."""
    from runner.calendar import installed_calendars

    problems: list[Problem] = []
    if config.cpr.exempt_birth_dates:
        problems.append(("cpr.exempt_birth_dates", RETIRED_KEYS["cpr.exempt_birth_dates"]))
    if config.calendar is not None and config.calendar not in installed_calendars():
        what = f"unknown calendar; installed: {_names(set(installed_calendars()))}"
        problems.append(("calendar", what))
    for bot_name, bot in config.bots.items():
        if bot_name not in known:
            problems.append((f"bots.{bot_name}", f"unknown bot; installed: {_names(known)}"))
            continue
        for task_name in bot.tasks:
            if task_name not in known[bot_name]:
                what = f"unknown task; {bot_name} has: {_names(known[bot_name])}"
                problems.append((f"bots.{bot_name}.tasks.{task_name}", what))
    return problems


def resolve_credentials(
    config: OrchestratorConfig, name: str, env: Mapping[str, str] = os.environ
) -> tuple[str, str]:
    """(username, password) of credential `name`, from the environment or its secrets file."""
    key_path = f"credentials.{name}"
    credential = config.credentials.get(name)
    if credential is None:
        what = f"not defined; defined: {_names(config.credentials)}"
        raise ConfigError(config.source, [(key_path, what)])
    if credential.secrets_file is None:
        return (
            _env_value(config, env, f"{key_path}.username_env", credential.username_env),
            _env_value(config, env, f"{key_path}.password_env", credential.password_env),
        )
    return _secrets_file_entry(config, key_path, credential.secrets_file, credential.key or "")


def _env_value(
    config: OrchestratorConfig, env: Mapping[str, str], key_path: str, variable: str | None
) -> str:
    value = env.get(variable or "")
    if not value:
        what = f"environment variable {variable} is not set"
        raise ConfigError(config.source, [(key_path, what)])
    return value


def _secrets_file_entry(
    config: OrchestratorConfig, key_path: str, path: Path, key: str
) -> tuple[str, str]:
    from runner.inputs import read_text

    try:
        data = _parse_yaml(read_text(path), str(path))
    except InputError as exc:
        what = f"secrets file {path}: {exc.problem}"
        raise ConfigError(config.source, [(f"{key_path}.secrets_file", what)]) from None
    entry = data.get(key) if isinstance(data, dict) else None
    if not (
        isinstance(entry, dict)
        and isinstance(entry.get("username"), str)
        and isinstance(entry.get("password"), str)
    ):
        what = f"{path} has no entry {key!r} with string username and password"
        raise ConfigError(config.source, [(f"{key_path}.key", what)])
    return entry["username"], entry["password"]


# -- YAML ----------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that rejects a key given twice in one mapping."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def _parse_yaml(text: str, source: str) -> Any:
    data = _load_yaml(text, source)
    return {} if data is None else data


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _load_yaml(text: str, source: str) -> Any:
    from runner.inputs import check_depth

    try:
        check_depth(text, source)  # PyYAML composes recursively: fail fast, not after seconds
    except InputError as error:
        raise ConfigError(source, [("(file)", error.problem)]) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ConfigError(source, [(where, f"YAML syntax error: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, [("(file)", f"YAML syntax error: {exc}")]) from None
    except RecursionError:
        raise ConfigError(source, [("(file)", "nested too deeply")]) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ConfigError(source, [("(file)", f"a value cannot be read: {str(exc).split(';')[0]}")]) from None
    return data


# -- problems ------------------------------------------------------------------------------


def _plaintext_secrets(data: Any, path: tuple[str | int, ...] = ()) -> list[Problem]:
    """Secrets written into the file instead of referenced from the environment or a file."""
    problems: list[Problem] = []
    if isinstance(data, dict):
        for key, value in data.items():
            here = (*path, key)
            name = str(key).lower()
            if isinstance(value, str) and value and _is_secret_key(name):
                what = (
                    "plaintext secret; reference an environment variable or a secrets file"
                    f" ({key}_env / secrets_file)"
                )
                problems.append((_key_path(here), what))
            elif isinstance(value, str) and name.endswith("url") and urlsplit(value).password:
                what = "plaintext password in the URL; put the URL in an environment variable"
                if here == ("store", "url"):
                    what += f" ({DATABASE_URL_ENV})"
                problems.append((_key_path(here), what))
            else:
                problems += _plaintext_secrets(value, here)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            problems += _plaintext_secrets(value, (*path, index))
    return problems


def _is_secret_key(name: str) -> bool:
    return any(name == key or name.endswith(f"_{key}") for key in SECRET_KEYS)


def _reference_problems(config: OrchestratorConfig) -> list[Problem]:
    problems: list[Problem] = []
    for name, system in config.systems.items():
        if system.credentials is not None and system.credentials not in config.credentials:
            what = f"unknown credential {system.credentials!r}; defined: "
            problems.append((f"systems.{name}.credentials", what + _names(config.credentials)))
    for bot_name, bot in config.bots.items():
        for task_name, task in bot.tasks.items():
            problems += _task_problems(f"bots.{bot_name}.tasks.{task_name}", task)
    return problems


def _task_problems(key_path: str, task: TaskConfig) -> list[Problem]:
    policy_set = "on_non_bank_day" in task.model_fields_set
    if task.only_on is None and policy_set and task.on_non_bank_day is not NonBankDay.SKIP:
        what = "applies only with only_on: bank_days"
        return [(f"{key_path}.on_non_bank_day", what)]
    shifting = task.on_non_bank_day is not NonBankDay.SKIP and task.only_on is not None
    if shifting and task.schedule is not None and task.schedule.interval_s is not None:
        what = f"{task.on_non_bank_day} needs a cron schedule; an interval can only skip"
        return [(f"{key_path}.on_non_bank_day", what)]
    if task.only_on is not None and task.schedule is None:
        return [(f"{key_path}.only_on", "applies only to a task with a schedule")]
    return []


def _problems(exc: ValidationError, root: type[BaseModel], prefix: str = "") -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        key = _key_path(loc)
        if prefix:
            key = f"{prefix}.{key}" if loc else prefix
        problems.append((key, _explain(error, root, loc)))
    return problems


def _explain(error: Mapping[str, Any], root: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    got = _describe(error.get("input"))
    if kind == "extra_forbidden":
        parent = _model_at(root, loc[:-1])
        expected = ", ".join(parent.model_fields) if parent else "(see the documentation)"
        return f"unknown key; expected one of: {expected}"
    if kind == "missing":
        return "required key is missing"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"expected one of: {expected}; got {got}"
    if kind in _BOUNDS:
        return f"expected {_BOUNDS[kind]} {ctx.get(_BOUND_CTX[kind])}, got {got}"
    if kind == "string_pattern_mismatch":
        expected = _PATTERN_NAMES.get(ctx.get("pattern", ""), "a matching value")
        return f"expected {expected}, got {got}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    for prefix, expected in _TYPE_NAMES.items():
        if kind.startswith(prefix):
            return f"expected {expected}, got {got}"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]}; got {got}"


_BOUNDS = {
    "greater_than": "more than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}
_BOUND_CTX = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than": "lt",
    "less_than_equal": "le",
}
_TYPE_NAMES = {
    "int_": "an integer",
    "float_": "a number",
    "bool_": "true or false",
    "string_": "a string",
    "date_": "a date (YYYY-MM-DD)",
    "datetime_": "a date and time (YYYY-MM-DDTHH:MM)",
    "dict_": "a mapping (key: value)",
    "model_": "a mapping (key: value)",
    "list_": "a list",
    "path_": "a file path",
}
_PATTERN_NAMES = {
    "^(off|normal|full|extra)$": "one of: off, normal, full, extra",
    r"^[^@\s]+@[^@\s]+$": "an e-mail address",
}


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that validates the value at `loc`, for listing its keys."""
    annotation: Any = root
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif get_origin(annotation) in (dict, list):
            annotation = get_args(annotation)[-1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _unwrap(annotation: Any) -> Any:
    """The model inside `X | None` or `Annotated[X, ...]`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            models = [a for a in get_args(annotation) if a is not type(None)]
            if len(models) != 1:
                return annotation
            annotation = models[0]
        else:
            return annotation


def _key_path(loc: tuple[Any, ...]) -> str:
    if not loc:
        return "(top level)"
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _names(names: Mapping[str, Any] | set[str]) -> str:
    return ", ".join(sorted(names)) or "(none)"
