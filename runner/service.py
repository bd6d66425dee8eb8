"""The long-running side of `rpa serve`: schedules that start runs, one run per firing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from runner.logs import module_logger
from runner.orchestrator import run_task
from runner.scheduler import Scheduler, run_key
from runner.states import Trigger
from runner.store import Actor

log = module_logger("runner.service")


def schedule_id(bot: str, task: str) -> str:
    return f"{bot}.{task}"


def fire(app: Any, bot: str, task: str, sid: str, fire_time: datetime) -> None:
    """One firing: skipped for a paused bot; keyed so two replicas start it once."""
    state = app.store.bot_states().get(bot)
    if state is not None and state.paused:
        log.info("run_skipped_paused", bot=bot, task=task, fire_time=fire_time.isoformat())
        return
    from runner.cli.running import browser_provider

    provider = browser_provider(app)
    try:
        run_task(app.store, app.deployment, app.clock, bot, task, trigger=Trigger.SCHEDULE,
                 actor=Actor.scheduler(), run_key=run_key(sid, fire_time), browsers=provider)
    finally:
        if provider is not None:
            provider.close()


def _firing(app: Any, bot: str, task: str) -> Callable[[str, datetime], None]:
    def on_fire(sid: str, fire_time: datetime) -> None:
        fire(app, bot, task, sid, fire_time)

    return on_fire


def start_scheduler(app: Any) -> Scheduler:
    """A started scheduler with every enabled task that has a schedule."""
    scheduler = Scheduler(app.config.timezone, clock=app.clock)
    for bot, runtime in app.deployment.bots.items():
        tasks = app.config.bots[bot].tasks
        for task in runtime.tasks:
            spec = tasks.get(task)
            if spec is None or spec.schedule is None or not spec.enabled:
                continue
            scheduler.add(schedule_id(bot, task), spec, _firing(app, bot, task))
    scheduler.start()
    return scheduler
