"""`rpa run`, `rpa worker`, `rpa serve`: running tasks and working the queue."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from runner.cli.app import App, echo
from runner.errors import NotFound, WorkerFailed
from runner.orchestrator import run_task, summary, work_until_settled
from runner.permissions import Action, require
from runner.service import browser_provider, start_scheduler
from runner.states import Trigger
from runner.worker import Worker

pass_app = click.make_pass_decorator(App)


@contextmanager
def graceful_stop(workers: list[Worker]) -> Iterator[None]:
    """SIGTERM/SIGINT: each worker finishes or releases the item in hand, then stops."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: Any) -> None:
        for worker in workers:
            worker.stop()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def task_targets(app: App, bot: str | None, run_all: bool, task: str | None) -> list[tuple[str, str]]:
    """(bot, task) of every task `rpa run` names: one task, a bot's collecting tasks, or all."""
    deployment = app.deployment
    if run_all:
        targets = [(b, t) for b, rt in deployment.bots.items() for t, tr in rt.tasks.items()
                   if tr.task.collect is not None]
    elif bot:
        if bot not in deployment.bots:
            raise NotFound(f"bot {bot!r} is not enabled in {app.config_path}; "
                           f"enabled: {', '.join(sorted(deployment.bots)) or 'none'}")
        runtime = deployment.bots[bot]
        if task and task not in runtime.tasks:
            raise NotFound(f"bot {bot!r} has no task {task!r}; tasks: {', '.join(runtime.tasks)}")
        names = [task] if task else [t for t, tr in runtime.tasks.items() if tr.task.collect]
        targets = [(bot, t) for t in names]
    else:
        raise click.UsageError("name a BOT or give --all")
    return targets


def start_tasks(app: App, targets: list[tuple[str, str]], actor_name: str, *,
                browsers: Any = None) -> list[int]:
    """Start the runs of `targets` (bot, task); the ids of those that started."""
    from runner.store import Actor

    deployment = app.deployment
    actor = Actor(actor_name)
    run_ids = []
    for bot_name, task_name in targets:
        run = run_task(app.store, deployment, app.clock, bot_name, task_name,
                       trigger=Trigger.MANUAL, actor=actor, browsers=browsers)
        if run is not None:
            run_ids.append(run.id)
    return run_ids


def extras(app: App, bots: list[str], run_ids: list[int], *, browsers: Any) -> dict[str, Any]:
    """Bot-specific summaries for `extra` (e.g. refunds at risk), from each bot's `summarize`."""
    return {name: _summarize(app, name, run_ids, browsers) for name in bots
            if app.deployment.bots[name].bot.summarize is not None}


def _summarize(app: App, name: str, run_ids: list[int], provider: Any) -> dict[str, Any]:
    from runner.item import RunSummary
    from runner.logs import get_logger
    from runner.sessions import LazySessions
    from runner.store import Actor

    runtime = app.deployment.bots[name]
    assert runtime.bot.summarize is not None
    items = app.store.list_items(Actor.worker("summary"), bot=name, run_ids=run_ids, limit=None)
    with LazySessions(provider, f"{name}-summary", f"no task of {name} uses a browser") as sessions:
        context = RunSummary(items, run_ids, bot=name, task="summary", as_of=app.clock.as_of(),
                             settings=runtime.settings, log=get_logger(bot=name),
                             systems=app.deployment.systems, open_browser=sessions.open)
        return dict(runtime.bot.summarize(context))


@click.command("run")
@click.argument("bot", required=False)
@click.option("--all", "run_all", is_flag=True, help="Run every enabled bot's tasks.")
@click.option("--task", default=None, help="Only this task.")
@click.option("--wait", is_flag=True,
              help="Work the items here until every one has ended or stopped; the tasks in the "
                   "order of their schedules' time of day, each worked to the end first.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def run_command(
    app: App, bot: str | None, run_all: bool, task: str | None, wait: bool, as_json: bool
) -> None:
    """Run a bot's tasks now."""
    actor = app.actor()
    require(actor, Action.RUN_BOTS)
    app.start_logging()
    report = run_and_report(app, bot, run_all, task, actor.name, wait=wait)
    runs = ", ".join(map(str, report["runs"])) or "none"
    echo_report(report, as_json, f"today {report['today']}; runs {runs}")


def run_and_report(app: App, bot: str | None, run_all: bool, task: str | None, actor_name: str, *,
                   wait: bool) -> dict[str, Any]:
    """Start the tasks' runs, work their items here when `wait`, and summarise
    (per bot: done, exceptions by code; failed runs).

    With `wait`, the tasks run in rounds in the order of their schedules' time of day, each
    round worked to the end (`in_schedule_order`); without it, every run starts at once.
    """
    provider = browser_provider(app)  # one browser for collectors, items and summaries
    try:
        targets = task_targets(app, bot, run_all, task)
        run_ids: list[int] = []
        for batch in (in_schedule_order(app, targets) if wait else [targets]):
            started = start_tasks(app, batch, actor_name, browsers=provider)
            run_ids += started
            if wait and started:
                work_until_settled(app.store, app.deployment, app.clock, started, browsers=provider,
                                   bots=sorted({app.store.get_run(r).bot for r in started}))
        bots = sorted({app.store.get_run(r).bot for r in run_ids} or ([bot] if bot else []))
        runs = [app.store.get_run(r) for r in run_ids]
        report: dict[str, Any] = {
            "today": app.clock.as_of().isoformat(),
            "runs": run_ids,
            "bots": summary(app.store, bots, run_ids=run_ids),
            "failed_runs": [{"id": r.id, "bot": r.bot, "task": r.task, "error": r.error}
                            for r in runs if r.error],
        }
        extra = extras(app, bots, run_ids, browsers=provider)
        if extra:
            report["extra"] = extra
        return report
    finally:
        if provider is not None:
            provider.close()


def in_schedule_order(app: App, targets: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """`targets` in rounds by the time of day their schedules fire, as a working day runs them.

    A task that reads what another wrote runs after it (refund_claims' `decisions` at 07:30
    on the claims its `absences` made at 06:30); each round is worked to the end before the
    next starts. Tasks on an interval or without a schedule are in the first round.
    """
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from runner.calendar import load_calendar
    from runner.scheduler import fire_times

    zone = ZoneInfo(app.config.timezone)
    calendar = load_calendar(app.config.calendar)
    midnight = datetime.combine(app.clock.as_of(), time(), tzinfo=zone)
    rounds: dict[time, list[tuple[str, str]]] = {}
    for bot_name, task_name in targets:
        bot_config = app.config.bots.get(bot_name)
        spec = bot_config.tasks.get(task_name) if bot_config is not None else None
        cron = spec is not None and spec.schedule is not None and spec.schedule.cron is not None
        fires = fire_times(spec, midnight, 1, zone, calendar) if spec is not None and cron else []
        at = fires[0].time() if fires else time()
        rounds.setdefault(at, []).append((bot_name, task_name))
    return [rounds[at] for at in sorted(rounds)]


def echo_report(report: dict[str, Any], as_json: bool, heading: str) -> bool:
    """A run's report: the JSON alone, or `heading`, the counts per bot and the failed runs.
    True when the JSON was printed (the caller adds nothing after it)."""
    if as_json:
        echo(json.dumps(report, indent=2, ensure_ascii=False))
        return True
    echo(heading)
    _echo_counts(report["bots"])
    for run in report["failed_runs"]:
        echo(f"  run {run['id']} {run['bot']}/{run['task']} FAILED: {run['error']}", err=True)
    return False


def _echo_counts(bots: dict[str, dict[str, Any]]) -> None:
    for name, counts in bots.items():
        codes = ", ".join(f"{c} {n}" for c, n in counts["business_exceptions"].items()) or "none"
        echo(f"  {name:<22} done {counts['done']:>4} (acted {counts['acted']:>4}), "
                   f"system exceptions {counts['system_exceptions']}; business exceptions: {codes}")


def start_workers(app: App, concurrency: int) -> list[Worker]:
    return [Worker(app.store, app.deployment, app.clock) for _ in range(concurrency)]


def run_workers(app: App, workers: list[Worker], *, until_idle: bool = False) -> None:
    """Each worker on its own thread with its own browser; returns when all have stopped."""

    failures: list[WorkerFailed] = []

    def work(worker: Worker) -> None:
        provider = browser_provider(app)
        worker.browsers = provider
        try:
            worker.run(idle_exit=until_idle)
        except WorkerFailed as failed:  # logged by the worker; the others stop too
            failures.append(failed)
            for other in workers:
                other.stop()
        finally:
            if provider is not None:
                provider.close()

    threads = [threading.Thread(target=work, args=(w,), name=f"worker-{i}") for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        for thread in threads:
            thread.join(timeout=0.5)
    if failures:
        raise failures[0]  # one line on stderr and exit 1 (runner.cli), never exit 0


@click.command("worker")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None,
              help="Worker threads in this process (default: worker.concurrency).")
@click.option("--until-idle", is_flag=True, help="Stop when no item is ready (e.g. from cron).")
@pass_app
def worker_command(app: App, concurrency: int | None, until_idle: bool) -> None:
    """A worker process only (scale-out): claims and performs items until SIGTERM.

    It runs as a service user: `--as USER` (default the OS user), who must exist in the store.
    """
    app.start_logging(to_stderr=False)
    service_user = app.service_actor()
    workers = start_workers(app, concurrency or app.config.worker.concurrency)
    echo(f"rpa worker: {len(workers)} thread(s) on {app.store.dialect} as {service_user.name}; "
         "SIGTERM stops", err=True)
    with graceful_stop(workers):
        run_workers(app, workers, until_idle=until_idle)


@click.command("serve")
@click.option("--concurrency", type=click.IntRange(1, 64), default=None)
@click.option("--host", default=None, help="The console's address (default: console.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="The console's port (default: console.port, 8000); 0 picks a free one.")
@click.option("--no-console", is_flag=True, help="Scheduler and workers only.")
@pass_app
def serve_command(app: App, concurrency: int | None, host: str | None, port: int | None,
                  no_console: bool) -> None:
    """Scheduler, workers and the web console in one process (the embedded default).

    It runs as a service user: `--as USER` (default the OS user), who must exist in the store.
    """

    app.start_logging()
    app.service_actor()
    console = None if no_console else start_console(app, host, port)
    scheduler = start_scheduler(app)
    workers = start_workers(app, concurrency or app.config.worker.concurrency)
    echo(f"rpa serve: scheduler with {len(scheduler.next_fire_times())} schedule(s), "
               f"{len(workers)} worker(s); SIGTERM stops", err=True)
    try:
        with graceful_stop(workers):
            run_workers(app, workers)
    finally:
        scheduler.shutdown(wait=False)
        if console is not None:
            console[1]()


def start_console(app: App, host: str | None, port: int | None,
                  on_ready: Callable[[str], None] | None = None) -> tuple[str, Callable[[], None]] | None:
    """The console served beside the scheduler and workers: its URL and the function that
    stops it. `on_ready(url)` is called once it listens (default: print `console: URL`). A
    port it cannot take is said on stderr and the robots run on without it (None)."""
    from runner.cli.console import announce, prepare, where
    from runner.console.serving import console_url, serve_in_thread

    host, port = where(app, host, port)
    try:
        console_app, sock = prepare(app, host, port)
    except OSError as error:
        echo(f"console: cannot listen on {host}:{port} ({error.strerror or error}); "
             "serving the robots without it", err=True)
        return None
    url = console_url(host, sock.getsockname()[1])
    return url, serve_in_thread(console_app, sock, host=host, on_ready=on_ready or announce)


COMMANDS = [run_command, worker_command, serve_command]
