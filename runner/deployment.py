"""The deployment: the bots enabled, their validated settings, retry policies and systems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from runner.alerts import Notifier
from runner.bot import Bot, Task
from runner.config import validate_settings
from runner.item import SystemAccess
from runner.retry import RetryPolicy


@dataclass(frozen=True)
class TaskRuntime:
    bot: Bot
    task: Task
    retry: RetryPolicy
    priority: int = 0

    @property
    def lease_s(self) -> float | None:
        return self.task.lease_s


@dataclass(frozen=True)
class BotRuntime:
    bot: Bot
    settings: BaseModel
    tasks: Mapping[str, TaskRuntime]

    @property
    def name(self) -> str:
        return self.bot.name


@dataclass(frozen=True)
class WorkerSettings:
    lease_s: float = 300.0
    heartbeat_s: float = 30.0
    poll_s: float = 1.0
    reaper_s: float = 30.0
    prefetch: int = 1
    breaker_threshold: int = 5
    breaker_cooldown_s: float = 900.0


@dataclass(frozen=True)
class Deployment:
    """Everything a worker or the scheduler needs to know about what is deployed."""

    bots: Mapping[str, BotRuntime]
    systems: Mapping[str, SystemAccess] = field(default_factory=dict)
    worker: WorkerSettings = field(default_factory=WorkerSettings)
    artifacts_dir: Path = Path("var/artifacts")
    traces: bool = True
    fixed_as_of: date | None = None
    alerts: Notifier | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def task(self, bot: str, task: str) -> TaskRuntime:
        return self.bots[bot].tasks[task]

    def max_attempts(self, bot: str) -> Any:
        runtime = self.bots[bot]
        return lambda task: runtime.tasks[task].retry.max_attempts


def deploy(
    bots: Mapping[str, Bot],
    *,
    settings: Mapping[str, Mapping[str, Any] | BaseModel] | None = None,
    retry: Mapping[tuple[str, str], RetryPolicy] | None = None,
    **options: Any,
) -> Deployment:
    """A deployment of `bots` with their settings (validated by each bot's model unless they are one)."""
    settings = settings or {}
    retry = retry or {}
    runtimes = {}
    for name, bot in bots.items():
        tasks = {
            task.name: TaskRuntime(bot, task, retry.get((name, task.name), task.retry))
            for task in bot.tasks
        }
        given = validate_settings(bot.settings, settings.get(name, {}), source="deploy", bot=name)
        runtimes[name] = BotRuntime(bot, given, tasks)
    return Deployment(bots=runtimes, **options)
