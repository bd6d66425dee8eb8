"""The `console:` section of orchestrator.yaml and the key file that signs sessions."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import pytest

from runner.config import load_config, parse_config
from runner.console import settings_from_config
from runner.console.settings import load_secret_key
from runner.errors import ConfigError


def test_the_console_section_has_defaults_and_paths_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "orchestrator.yaml"
    path.write_text("", encoding="utf-8")
    section = load_config(path).console
    assert (section.host, section.port, section.session_idle_minutes) == ("127.0.0.1", 8000, 30)
    assert section.secret_key_file == tmp_path / "var" / "console.key"


def test_a_wrong_key_or_value_in_the_section_is_named(tmp_path: Path) -> None:
    path = tmp_path / "orchestrator.yaml"
    path.write_text("console: {bind: 0.0.0.0, port: 70000, session_idle_minutes: 0}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    problems = dict(caught.value.problems)
    assert problems["console.bind"] == ("unknown key; expected one of: host, port, session_idle_minutes, "
                                        "secret_key_file")
    assert problems["console.port"] == "expected at most 65535, got 70000"
    assert problems["console.session_idle_minutes"].startswith("expected more than 0")


def test_a_missing_key_file_is_made_private_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "console.key"
    key = load_secret_key(path)
    assert len(key) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_secret_key(path) == key


def test_settings_come_from_the_section_and_a_bad_key_file_is_a_config_error(tmp_path: Path) -> None:
    key_file = tmp_path / "console.key"
    config = parse_config(f"console: {{session_idle_minutes: 0.5, secret_key_file: {key_file}}}")
    settings = settings_from_config(config)
    assert settings.idle == timedelta(seconds=30) and settings.secret_key == key_file.read_text().strip()
    key_file.write_text("short\n")
    with pytest.raises(ConfigError) as caught:
        settings_from_config(config)
    [(key, what)] = caught.value.problems
    assert key == "console.secret_key_file" and "shorter than 32 characters" in what
