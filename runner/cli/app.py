"""What every `rpa` subcommand shares: the config, the store, the bots, the actor."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path

import click
from pydantic import BaseModel

from runner.alerts import Notifier
from runner.bot import Bot, discover_bots
from runner.clock import SystemClock, system_clock
from runner.config import (
    OrchestratorConfig,
    check_bots,
    load_config,
    resolve_credentials,
    validate_settings,
)
from runner.deployment import Deployment, WorkerSettings, deploy
from runner.errors import ConfigError, InputError, NotFound, StoreUnavailable, TechnicalError
from runner.files import make_private_dir
from runner.item import SystemAccess
from runner.logs import configure_logging, get_logger
from runner.redact import redact_text
from runner.store import Actor, Store, open_store

# Numbers on the command line, bounded before they reach SQL (a 20-digit id overflows SQLite).
RECORD_ID = click.IntRange(1, 2**31 - 1)  # ids are PostgreSQL integers
LIMIT = click.IntRange(1, 1_000_000)


def echo(text: str = "", *, err: bool = False) -> None:
    """Print a line of the command's output, masked (every `rpa` output goes here)."""
    click.echo(redact_text(text), err=err)


def validated_settings(
    config: OrchestratorConfig, bots: dict[str, Bot], path: str
) -> dict[str, BaseModel]:
    """Each enabled bot's settings, checked against its own model; errors name every key."""
    settings: dict[str, BaseModel] = {}
    problems: list[tuple[str, str]] = []
    for name, bot_config in config.bots.items():
        if not bot_config.enabled or name not in bots:
            continue
        try:
            settings[name] = validate_settings(bots[name].settings, bot_config.settings,
                                               source=path, bot=name)
        except ConfigError as invalid:
            problems += invalid.problems
    if problems:
        raise ConfigError(path, problems)
    return settings


class ConfiguredSystems(Mapping[str, SystemAccess]):
    """The target systems of orchestrator.yaml; credentials are read when a bot asks for them,
    so a command that logs into nothing never needs them set."""

    def __init__(self, config: OrchestratorConfig) -> None:
        self._config = config

    def __getitem__(self, name: str) -> SystemAccess:
        system = self._config.systems[name]
        username = password = None
        if system.credentials:
            username, password = resolve_credentials(self._config, system.credentials)
        return SystemAccess(name, str(system.url).rstrip("/"), username, password)

    def __iter__(self) -> Iterator[str]:
        return iter(self._config.systems)

    def __len__(self) -> int:
        return len(self._config.systems)


class App:
    """Loaded on first use, so `rpa --help` touches neither the config nor the store."""

    def __init__(self, *, config_path: str, as_user: str | None) -> None:
        self.config_path = config_path
        self.as_user = as_user
        self._store: Store | None = None
        self._logging_started = False

    @cached_property
    def config(self) -> OrchestratorConfig:
        config = load_config(self.config_path)
        problems = check_bots(config, {n: {t.name for t in b.tasks} for n, b in self.bots.items()})
        if problems:
            raise ConfigError(self.config_path, problems)
        return config

    @cached_property
    def bots(self) -> dict[str, Bot]:
        return discover_bots()

    @cached_property
    def clock(self) -> SystemClock:
        return system_clock(self.config.clock.today)

    @property
    def store(self) -> Store:
        if self._store is None:
            store_config = self.config.store
            url = store_config.database_url()  # InputError naming RPA_DATABASE_URL: exit 2
            if not (os.environ.get("RPA_DATABASE_URL") or store_config.url):
                try:
                    make_private_dir(Path(store_config.sqlite_path).parent)  # var/: 0700
                except OSError as error:
                    raise self._path_error("store.sqlite_path", error) from None
            self._store = self._open_store(url)
            if not self._logging_started:  # what the store's users log goes to the masked file
                self.start_logging()
        return self._store

    def _open_store(self, url: str) -> Store:
        from sqlalchemy.exc import SQLAlchemyError

        store = open_store(url, clock=self.clock, sqlite_synchronous=self.config.store.sqlite_synchronous)
        try:
            store.migrate()
        except (StoreUnavailable, SQLAlchemyError) as failure:
            store.close()
            error = failure.__cause__ if isinstance(failure, StoreUnavailable) else failure
            lines = str(getattr(error, "orig", None) or error).strip().splitlines()
            reason = redact_text((lines or ["?"])[0])
            source = ("RPA_DATABASE_URL" if os.environ.get("RPA_DATABASE_URL")
                      else "store.url" if self.config.store.url else "store.sqlite_path")
            if isinstance(failure, StoreUnavailable):  # locked or restarting: time cures it
                raise StoreUnavailable(f"cannot open the store: {reason}", system=source) from None
            if store.dialect == "sqlite":  # a file that cannot be opened is the config's fault
                raise InputError(source, f"cannot open the store: {reason}") from None
            raise TechnicalError(f"cannot open the store: {reason}", system=source) from None
        return store

    def _path_error(self, key: str, error: OSError) -> ConfigError:
        return ConfigError(self.config_path, [(key, f"cannot be used: {error.strerror or error}")])

    @property
    def max_input_bytes(self) -> int:
        """The size limit on files given to a command that reads the config anyway."""
        return self.config.cli.max_input_bytes

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def enabled_bots(self) -> dict[str, Bot]:
        return {n: b for n, b in self.bots.items() if n in self.config.bots and self.config.bots[n].enabled}

    @cached_property
    def deployment(self) -> Deployment:
        config = self.config
        enabled = self.enabled_bots()
        retry = {
            (bot, task): task_config.retry.to_policy()
            for bot, bot_config in config.bots.items() if bot in enabled
            for task, task_config in bot_config.tasks.items() if task_config.retry is not None
        }
        worker = WorkerSettings(
            lease_s=config.worker.lease_s, heartbeat_s=config.worker.heartbeat_s,
            poll_s=config.worker.poll_s, reaper_s=config.worker.reaper_s,
            prefetch=config.worker.prefetch,
            breaker_threshold=config.circuit_breaker.threshold,
            breaker_cooldown_s=config.circuit_breaker.cooldown_s,
        )
        return deploy(
            enabled, settings=validated_settings(config, enabled, self.config_path), retry=retry,
            systems=self.systems(), worker=worker, artifacts_dir=Path(config.artifacts.dir),
            traces=config.artifacts.traces, fixed_as_of=self.clock.fixed_as_of,
            alerts=Notifier.from_settings(
                str(config.alerts.webhook_url) if config.alerts.webhook_url else None,
                config.alerts.email, config.alerts.smtp_host, config.alerts.smtp_port,
            ),
        )

    def systems(self) -> ConfiguredSystems:
        return ConfiguredSystems(self.config)

    def start_logging(self, *, to_stderr: bool = False) -> None:
        import sys

        try:
            configure_logging(Path(self.config.logging.dir), self.config.logging.level,
                              stream=sys.stderr if to_stderr else None)
        except OSError as error:
            raise self._path_error("logging.dir", error) from None
        self._logging_started = True

    def service_actor(self) -> Actor:
        """`worker` and `serve`: the service user, once the store answers.

        A service started while its database is away (a backup's lock, a restarting
        PostgreSQL) waits for it, as it would mid-run, instead of exiting; a missing
        user or a bad store setting still fails at once.
        """
        from runner.outage import StoreWatch

        try:
            return self.actor()
        except StoreUnavailable as error:
            echo(f"rpa: the store does not answer ({error}); waiting for it", err=True)
            watch = StoreWatch(get_logger())
            watch.failed("start", error)
            return watch.call(self.actor, what="start")

    def actor(self) -> Actor:
        """The person acting: `--as USER`, else the OS user; they must exist in the store."""
        name = self.as_user if self.as_user is not None else getpass.getuser()
        try:
            return self.store.get_user(name).actor()
        except NotFound:
            raise NotFound(
                f"user {name!r} is not in the store; an admin adds them with "
                f"`rpa users add {name} --role ROLE` (or act as another with --as)"
            ) from None
