"""The long-running side of `rpa serve`: schedules that start runs, one run per firing."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from runner.calendar import load_calendar
from runner.config import TaskConfig
from runner.errors import StoreUnavailable
from runner.logs import module_logger
from runner.orchestrator import run_task
from runner.outage import StoreWatch
from runner.scheduler import Scheduler, run_key
from runner.states import Trigger
from runner.store import Actor

log = module_logger("runner.service")


def browser_provider(app: Any) -> Any:
    """One browser per worker, started on first use; None when no deployed task needs one."""
    needs = any(t.task.browser for b in app.deployment.bots.values() for t in b.tasks.values())
    if not needs:
        return None
    from runner.browser import BrowserPool

    return BrowserPool(traces=app.deployment.traces)


def schedule_id(bot: str, task: str) -> str:
    return f"{bot}.{task}"


def fire_when_the_store_answers(app: Any, bot: str, task: str, sid: str, fire_time: datetime, *,
                                watch: StoreWatch, grace_s: float) -> None:
    """One firing, tried again with backoff while the store is away, for up to `grace_s`.

    A retry is safe: the run is keyed by (schedule, fire time), so it starts once. When
    the store stays away longer, `run_not_started` is logged (no traceback) and the next
    firing tries afresh.
    """
    give_up_at = time.monotonic() + grace_s
    try:
        watch.call(lambda: fire(app, bot, task, sid, fire_time), what="schedule",
                   give_up=lambda: time.monotonic() > give_up_at)
    except StoreUnavailable as down:
        log.error("run_not_started", bot=bot, task=task, fire_time=fire_time.isoformat(),
                  error=str(down))


def fire(app: Any, bot: str, task: str, sid: str, fire_time: datetime) -> None:
    """One firing: skipped for a paused bot; keyed so two replicas start it once."""
    state = app.store.bot_states().get(bot)
    if state is not None and state.paused:
        log.info("run_skipped_paused", bot=bot, task=task, fire_time=fire_time.isoformat())
        return
    if app.store.is_skipped(bot, task, fire_time):
        log.info("run_skipped_by_operator", bot=bot, task=task, fire_time=fire_time.isoformat())
        return
    _start(app, bot, task, run_key(sid, fire_time))


def _poll_extras(app: Any, poll_time: datetime) -> None:
    try:
        fire_extras(app, poll_time)
    except StoreUnavailable as down:  # the next poll tries again
        log.warning("one_off_runs_not_checked", error=str(down))


def _start(app: Any, bot: str, task: str, key: str) -> None:
    provider = browser_provider(app)
    try:
        run_task(app.store, app.deployment, app.clock, bot, task, trigger=Trigger.SCHEDULE,
                 actor=Actor.scheduler(), run_key=key, browsers=provider)
    finally:
        if provider is not None:
            provider.close()


#: How often the scheduler looks for operators' one-off runs that are due.
EXTRA_POLL_S = 30


def fire_extras(app: Any, poll_time: datetime) -> None:
    """Start the one-off runs operators added that are due (within the last day), each once
    in every replica (keyed by the change's id); a paused bot's wait for its resume."""
    paused = {bot for bot, state in app.store.bot_states().items() if state.paused}
    for change in app.store.schedule_changes(since=poll_time - timedelta(days=1)):
        if change.kind != "extra" or change.at > poll_time or change.bot in paused:
            continue
        if change.bot in app.deployment.bots and change.task in app.deployment.bots[change.bot].tasks:
            _start(app, change.bot, change.task, f"{schedule_id(change.bot, change.task)}@extra-{change.id}")


def _firing(app: Any, bot: str, task: str, watch: StoreWatch,
            grace_s: float) -> Callable[[str, datetime], None]:
    def on_fire(sid: str, fire_time: datetime) -> None:
        fire_when_the_store_answers(app, bot, task, sid, fire_time, watch=watch, grace_s=grace_s)

    return on_fire


def start_scheduler(app: Any) -> Scheduler:
    """A started scheduler with every enabled task that has a schedule."""
    scheduler = Scheduler(app.config.timezone, clock=app.clock,
                          calendar=load_calendar(app.config.calendar))
    watch = StoreWatch(log, stopping=scheduler.stopping)
    for bot, runtime in app.deployment.bots.items():
        tasks = app.config.bots[bot].tasks
        for task in runtime.tasks:
            spec = tasks.get(task)
            if spec is None or spec.schedule is None or not spec.enabled:
                continue
            # A firing waits for the store no longer than the schedule's misfire grace.
            on_fire = _firing(app, bot, task, watch, float(spec.misfire_grace_s))
            scheduler.add(schedule_id(bot, task), spec, on_fire)
    extras = TaskConfig.model_validate({"schedule": {"interval_s": EXTRA_POLL_S}})
    scheduler.add("one-off runs", extras, lambda _sid, poll_time: _poll_extras(app, poll_time))
    scheduler.start()
    return scheduler
