"""A deployment in a temporary folder for tests that run `rpa`: the shipped orchestrator.yaml
with its store, logs and artifacts moved into the folder and the business date fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def write_config(folder: Path, *, log_level: str | None = None, **bots: dict[str, Any]) -> Path:
    """Write `folder/orchestrator.yaml`; each keyword gives that bot's settings."""
    config = yaml.safe_load((ROOT / "orchestrator.yaml").read_text())
    config["store"]["sqlite_path"] = str(folder / "rpa.db")
    config["logging"]["dir"] = str(folder / "logs")
    if log_level is not None:
        config["logging"]["level"] = log_level
    config["artifacts"]["dir"] = str(folder / "artifacts")
    config["clock"]["today"] = "2024-11-18"
    for name, settings in bots.items():
        config["bots"][name]["settings"] = settings
    path = folder / "orchestrator.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True))
    return path
