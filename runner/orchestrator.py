"""Runs a task's collector as a run, and works items until a set of runs is finished."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

import structlog
import tenacity

from runner.clock import Clock
from runner.deployment import Deployment
from runner.item import Collector
from runner.logs import ensure_configured, module_logger
from runner.outage import StoreWatch
from runner.sessions import BrowserProvider, LazySessions
from runner.states import State, Trigger
from runner.store import Actor, RunRecord, Store
from runner.worker import Worker

log = module_logger("runner.orchestrator")
T = TypeVar("T")

# How long a run that has started waits for a store that is away to record how it ended.
RUN_END_WAIT_S = 300.0


def _when_the_store_answers(fn: Callable[[], T], what: str) -> T:
    """A run's closing write, retried with backoff while the store is away (up to RUN_END_WAIT_S),
    so a run that started is not left open by a short outage."""
    give_up_at = time.monotonic() + RUN_END_WAIT_S
    return StoreWatch(log).call(fn, what=what, give_up=lambda: time.monotonic() > give_up_at)


def run_task(
    store: Store,
    deployment: Deployment,
    clock: Clock,
    bot: str,
    task: str,
    *,
    trigger: Trigger,
    actor: Actor,
    run_key: str | None = None,
    browsers: BrowserProvider | None = None,
) -> RunRecord | None:
    """Start a run and let the task's collector enqueue its items.

    Returns None when another process already started the run with this key. A task
    without a collector makes an empty run (its items come from another task).
    """
    ensure_configured()
    runtime = deployment.bots[bot]
    task_runtime = runtime.tasks[task]
    as_of = clock.as_of()
    run = store.start_run(bot=bot, task=task, trigger=trigger, actor=actor, as_of=as_of,
                          run_key=run_key)
    if run is None:
        log.info("run_already_started", bot=bot, task=task, run_key=run_key)
        return None
    with structlog.contextvars.bound_contextvars(run_id=run.id, bot=bot, task=task):
        log.info("run_started", trigger=trigger.value, as_of=as_of.isoformat())
        collect = task_runtime.task.collect
        if collect is None:
            _when_the_store_answers(lambda: store.finish_run(run.id, enqueued=0), "run_finish")
            return store.get_run(run.id)
        enqueued = offered = 0

        def collect_once() -> None:
            """One try of the collector, in a browser session of its own."""
            nonlocal enqueued, offered
            sessions = LazySessions(browsers, f"{bot}-collect-{run.id}",
                                    "this process was started without browsers")
            collector = Collector(
                store, run_id=run.id, max_attempts=deployment.max_attempts(bot), bot=bot,
                task=task, as_of=as_of, settings=runtime.settings, log=log,
                systems=deployment.systems,
                open_browser=sessions.open if task_runtime.task.browser else None,
            )
            try:
                collect(collector)
            finally:
                # What a failed try enqueued stays: a retry offers it again as a no-op.
                collector.flush()
                enqueued += collector.enqueued
                offered = max(offered, collector.offered)
                sessions.close()

        def before_retry(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            log.warning("run_collect_retry", attempt=state.attempt_number, error=str(error),
                        code=type(error).__name__, delay_s=round(state.upcoming_sleep, 3))

        try:
            # A collector only reads and enqueues by reference, so a technical error is
            # retried with the task's policy, as an item's would be.
            task_runtime.retry.retrying(before_sleep=before_retry)(collect_once)
        except Exception as error:
            message = f"{type(error).__name__}: {error}"
            _when_the_store_answers(
                lambda: store.finish_run(run.id, enqueued=enqueued, error=message), "run_finish")
            _when_the_store_answers(lambda: store.add_alert(
                bot=bot, kind="run_failed", message=f"run {run.id} of {bot}/{task}: {message}"),
                "alert")
            log.error("run_failed", error=str(error), code=type(error).__name__)
            return store.get_run(run.id)
        _when_the_store_answers(lambda: store.finish_run(run.id, enqueued=enqueued), "run_finish")
        log.info("run_collected", enqueued=enqueued, offered=offered)
    return store.get_run(run.id)


def runs_settled(store: Store, run_ids: Collection[int]) -> bool:
    """True when no item of these runs waits or is in progress."""
    counts = store.count_by_state(run_ids=run_ids)
    busy = (State.NEW.value, State.DEFERRED.value, State.IN_PROGRESS.value)
    return not any(count for (_bot, state), count in counts.items() if state in busy)


def work_until_settled(
    store: Store,
    deployment: Deployment,
    clock: Clock,
    run_ids: Collection[int],
    *,
    browsers: BrowserProvider | None = None,
    bots: Collection[str] | None = None,
) -> int:
    """Perform items in this process until the runs are settled; returns items performed."""
    worker = Worker(store, deployment, clock, bots=bots, browsers=browsers)
    return worker.run(until=lambda: runs_settled(store, run_ids))


def summary(
    store: Store, bots: Collection[str], *, run_ids: Collection[int] | None = None
) -> dict[str, dict[str, Any]]:
    """The `bots` part of `rpa run --json` / `rpa demo --json`: per bot, counts and exceptions by code."""
    result: dict[str, dict[str, Any]] = {
        bot: {"done": 0, "acted": 0, "business_exceptions": {}, "system_exceptions": 0}
        for bot in bots
    }
    codes: Mapping[str, Counter[str]] = defaultdict(Counter)
    for bot, state, code, acted in store.outcomes(run_ids=run_ids):
        entry = result.setdefault(
            bot, {"done": 0, "acted": 0, "business_exceptions": {}, "system_exceptions": 0}
        )
        if state == State.DONE.value:
            entry["done"] += 1
            entry["acted"] += int(acted)
        elif state == State.BUSINESS_EXCEPTION.value:
            codes[bot][code or "UNKNOWN"] += 1
        elif state == State.SYSTEM_EXCEPTION.value:
            entry["system_exceptions"] += 1
    for bot, counter in codes.items():
        result[bot]["business_exceptions"] = dict(sorted(counter.items()))
    return result
