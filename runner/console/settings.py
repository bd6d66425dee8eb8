"""The console's settings: timeouts, the lock-out, and the key that signs session cookies."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from runner.clock import BUSINESS_TIMEZONE
from runner.config import OrchestratorConfig
from runner.errors import ConfigError
from runner.files import PRIVATE_FILE, make_private_dir

KEY_BYTES = 32
MIN_KEY_CHARS = 32  # what a key file must hold at least, however it was made


@dataclass(frozen=True)
class ConsoleSettings:
    """How the console treats sessions and logins (`console:` in orchestrator.yaml)."""

    secret_key: str
    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)  # a session ends this long after login, however used
    lockout_failures: int = 5
    lockout_window: timedelta = timedelta(minutes=15)
    timezone: ZoneInfo = BUSINESS_TIMEZONE
    refresh_s: int = 30  # how often the overview reloads itself

    @property
    def idle_minutes(self) -> float:
        return self.idle.total_seconds() / 60

    @property
    def lockout_minutes(self) -> int:
        return int(self.lockout_window.total_seconds() // 60)


def settings_from_config(config: OrchestratorConfig) -> ConsoleSettings:
    """The settings of `config.console`; the key file is created (0600) when missing.

    ConfigError naming `console.secret_key_file` when the file cannot be read or made, or
    holds too short a key.
    """
    section = config.console
    try:
        key = load_secret_key(Path(section.secret_key_file))
    except (OSError, ValueError) as error:
        what = getattr(error, "strerror", None) or str(error)
        raise ConfigError(config.source, [("console.secret_key_file", f"cannot be used: {what}")]) from None
    return ConsoleSettings(secret_key=key, idle=timedelta(minutes=section.session_idle_minutes),
                           timezone=config.zone)


def load_secret_key(path: Path) -> str:
    """The key in `path`; a new random one written there (0600, folders 0700) when it is missing."""
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    make_private_dir(path.parent)
    key = secrets.token_hex(KEY_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:  # another console made it first: use theirs
        return _read_key(path)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        os.fchmod(file.fileno(), PRIVATE_FILE)
        file.write(key + "\n")
    return key


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_CHARS:
        raise ValueError(f"{path} holds a key shorter than {MIN_KEY_CHARS} characters")
    return key
