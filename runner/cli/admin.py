"""`rpa config|bots|runs|alerts|users|decide|bench|retention`: the operator's other commands."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from runner.bot import Bot, all_roles
from runner.cli.app import LIMIT, RECORD_ID, App, echo
from runner.config import check_bots, load_config
from runner.errors import ConfigError, InputError, NotFound, TechnicalError
from runner.inputs import DEFAULT_MAX_INPUT_BYTES, USER_NAME, read_json
from runner.logs import read_log_lines
from runner.permissions import Action, actions_of, require
from runner.redact import redact

pass_app = click.make_pass_decorator(App)
BENCHMARKS_GROUP = "rpa.benchmarks"


def echo_json(value: Any) -> None:
    echo(json.dumps(redact(value), indent=2, ensure_ascii=False, default=str))


# -- config ---------------------------------------------------------------------


@click.group("config")
def config_group() -> None:
    """The deployment file."""


@config_group.command("check")
@click.argument("file", required=False)
@pass_app
def config_check(app: App, file: str | None) -> None:
    """Validate orchestrator.yaml: one line per problem, exit 2 on any."""
    path = file or app.config_path
    config = load_config(path)
    problems = check_bots(config, {n: {t.name for t in b.tasks} for n, b in app.bots.items()})
    if problems:
        raise ConfigError(path, problems)
    app.config_path = path
    app.__dict__["config"] = config
    _ = app.deployment  # validates each bot's settings against its model
    config.store.database_url()  # RPA_DATABASE_URL too, when it is set
    enabled = sorted(name for name, bot in config.bots.items() if bot.enabled)
    if not enabled:
        echo(f"rpa: warning: {path}: no bot is enabled; the deployment will do nothing", err=True)
    echo(f"{path}: ok ({len(enabled)} bot(s) enabled: {', '.join(enabled) or 'none'})")


# -- bots -------------------------------------------------------------------------


@click.group("bots")
def bots_group() -> None:
    """Bots, their tasks and schedules; pause and resume."""


@bots_group.command("ls")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def bots_ls(app: App, as_json: bool) -> None:
    states = app.store.bot_states()
    rows: list[dict[str, Any]] = []
    for name, bot in sorted(app.bots.items()):
        bot_config = app.config.bots.get(name)
        state = states.get(name)
        tasks = []
        for task in bot.tasks:
            spec = bot_config.tasks.get(task.name) if bot_config else None
            schedule = spec.schedule.model_dump(exclude_none=True) if spec and spec.schedule else None
            tasks.append({"name": task.name, "schedule": schedule,
                          "only_on": spec.only_on.value if spec and spec.only_on else None})
        rows.append({
            "name": name, "version": bot.version, "enabled": bool(bot_config and bot_config.enabled),
            "paused": bool(state and state.paused), "reason": state.reason if state else None,
            "tasks": tasks,
        })
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        status = "paused" if row["paused"] else ("enabled" if row["enabled"] else "disabled")
        reason = f" ({row['reason']})" if row["reason"] else ""
        echo(f"{row['name']} {row['version']}: {status}{reason}")
        for task in row["tasks"]:
            echo(f"  {task['name']}: {json.dumps(task['schedule'])} {task['only_on'] or ''}")


def _installed(app: App, bot: str) -> Bot:
    """The installed bot of that name; NotFound naming the installed ones."""
    if bot not in app.bots:
        raise NotFound(f"no bot {bot!r}; installed: {', '.join(sorted(app.bots))}")
    return app.bots[bot]


def _set_paused(app: App, bot: str, paused: bool, reason: str | None) -> None:
    _installed(app, bot)
    app.store.set_paused(app.actor(), bot, paused, reason)
    echo(f"{bot} {'paused' if paused else 'resumed'}")


@bots_group.command("pause")
@click.argument("bot")
@click.option("--reason", default=None)
@pass_app
def bots_pause(app: App, bot: str, reason: str | None) -> None:
    _set_paused(app, bot, True, reason)


@bots_group.command("resume")
@click.argument("bot")
@pass_app
def bots_resume(app: App, bot: str) -> None:
    _set_paused(app, bot, False, None)


def _moment(value: str, zone: str) -> datetime:
    """An ISO date and time; without an offset it is the business timezone's wall clock."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date and time (YYYY-MM-DDTHH:MM)",
                                 param_hint="'--at'") from None
    return moment.replace(tzinfo=ZoneInfo(zone)) if moment.tzinfo is None else moment


def _change_schedule(app: App, bot: str, task: str, kind: str, at: datetime, reason: str | None) -> None:
    if task not in {t.name for t in _installed(app, bot).tasks}:
        raise NotFound(f"bot {bot!r} has no task {task!r}")
    if kind == "skip":
        _check_is_a_firing(app, bot, task, at)
    change = app.store.change_schedule(app.actor(), bot=bot, task=task, kind=kind, at=at, reason=reason)
    what = "firing skipped" if kind == "skip" else "one-off run added"
    echo(f"{bot}/{task}: {what} at {change.at.astimezone(ZoneInfo(app.config.timezone)):%Y-%m-%d %H:%M %Z}")


def _check_is_a_firing(app: App, bot: str, task: str, at: datetime) -> None:
    """A skip names one scheduled firing: a time the schedule does not fire at would skip nothing."""
    from runner.calendar import load_calendar
    from runner.scheduler import fire_times

    spec = app.config.bots[bot].tasks.get(task) if bot in app.config.bots else None
    if spec is None or spec.schedule is None:
        raise InputError("--at", f"{bot}/{task} has no schedule in {app.config_path}; "
                                 "there is no firing to skip")
    zone = ZoneInfo(app.config.timezone)
    calendar = load_calendar(app.config.calendar)
    if at not in fire_times(spec, at, 1, zone, calendar):
        coming = fire_times(spec, datetime.now(zone), 3, zone, calendar)
        shown = ", ".join(f"{t.astimezone(zone):%Y-%m-%dT%H:%M}" for t in coming) or "none"
        raise InputError("--at", f"{bot}/{task} does not fire at {at.astimezone(zone):%Y-%m-%dT%H:%M}; "
                                 f"its next firings: {shown}")


@bots_group.command("skip")
@click.argument("bot")
@click.argument("task")
@click.option("--at", "at", required=True, metavar="DATETIME",
              help="The scheduled firing to skip, e.g. 2024-12-02T06:30 (Copenhagen time).")
@click.option("--reason", default=None)
@pass_app
def bots_skip(app: App, bot: str, task: str, at: str, reason: str | None) -> None:
    """Skip one scheduled firing of a task (only that one; the schedule stays)."""
    _change_schedule(app, bot, task, "skip", _moment(at, app.config.timezone), reason)


@bots_group.command("once")
@click.argument("bot")
@click.argument("task")
@click.option("--at", "at", required=True, metavar="DATETIME",
              help="When the extra run starts, e.g. 2024-12-02T14:00 (Copenhagen time).")
@click.option("--reason", default=None)
@pass_app
def bots_once(app: App, bot: str, task: str, at: str, reason: str | None) -> None:
    """Add one extra run of a task at a time (`rpa serve` starts it then)."""
    _change_schedule(app, bot, task, "extra", _moment(at, app.config.timezone), reason)


# -- runs and alerts -----------------------------------------------------------------


def run_row(run: Any) -> dict[str, Any]:
    return {
        "id": run.id, "bot": run.bot, "task": run.task, "trigger": run.trigger.value,
        "state": run.state, "today": run.as_of, "enqueued": run.enqueued, "error": run.error,
        "started_at": run.started_at, "finished_at": run.finished_at,
    }


@click.group("runs")
def runs_group() -> None:
    """Run history and logs."""


@runs_group.command("ls")
@click.option("--bot", default=None)
@click.option("--limit", type=LIMIT, default=50)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def runs_ls(app: App, bot: str | None, limit: int, as_json: bool) -> None:
    app.actor()
    rows = [run_row(run) for run in app.store.list_runs(bot=bot, limit=limit)]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        echo(f"{row['id']:>5} {row['bot']}/{row['task']} {row['trigger']} {row['state']} "
                   f"enqueued {row['enqueued']} started {row['started_at']:%Y-%m-%d %H:%M:%S}")


@runs_group.command("show")
@click.argument("run_id", type=RECORD_ID)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def runs_show(app: App, run_id: int, as_json: bool) -> None:
    """A run and its log (masked)."""
    app.actor()
    run = run_row(app.store.get_run(run_id))
    lines = list(read_log_lines(Path(app.config.logging.dir), run_id=run_id))
    if as_json:
        echo_json({**run, "log": lines})
        return
    echo(json.dumps(redact(run), default=str, ensure_ascii=False))
    for line in lines:
        echo(json.dumps(line, ensure_ascii=False))


@click.group("alerts")
def alerts_group() -> None:
    """Alerts raised by the runner."""


@alerts_group.command("ls")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def alerts_ls(app: App, as_json: bool) -> None:
    app.actor()
    rows = [{"id": a.id, "bot": a.bot, "kind": a.kind, "message": a.message, "created_at": a.created_at}
            for a in app.store.list_alerts()]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        echo(f"{row['id']:>4} {row['created_at']:%Y-%m-%d %H:%M} {row['kind']} "
                   f"{row['bot'] or ''}: {row['message']}")


# -- users ----------------------------------------------------------------------------


@click.group("users")
def users_group() -> None:
    """Users and their roles."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, metavar="ROLE",
              help="operator, ops, process_owner, admin, or a role an installed bot declares "
                   "(rpa users roles); repeat for several.")
@pass_app
def users_add(app: App, name: str, roles: tuple[str, ...]) -> None:
    """Add a user (or set their roles). The first user may be added by anyone; then admins only."""
    known = all_roles(app.bots.values())
    for role in roles:
        if role not in known:
            raise click.BadParameter(f"{role!r} is not one of {', '.join(map(repr, known))}",
                                     param_hint="'--role'")
    actor = None if not app.store.list_users() else app.actor()
    user = app.store.add_user(actor, name, roles)
    echo(f"{user.name}: {', '.join(sorted(user.roles))}")


@users_group.command("passwd")
@click.argument("name")
@click.option("--password-stdin", "from_stdin", is_flag=True, required=True,
              help="Read the new password from standard input (one line), never from the command line.")
@pass_app
def users_passwd(app: App, name: str, from_stdin: bool) -> None:
    """Set a user's console password (the user themself, or an admin); stored as an argon2 hash."""
    from runner.passwords import hash_password

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        hashed = hash_password(password)
    except ValueError as short:
        raise InputError("stdin", str(short)) from None
    app.store.set_password(app.actor(), name, hashed)
    echo(f"{name}: password set")


@users_group.command("token")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Revoke every token of the user instead.")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def users_token(app: App, name: str, revoke: bool, as_json: bool) -> None:
    """A new API token for the user, printed once (sent as `Authorization: Bearer TOKEN`)."""
    from runner.passwords import new_token

    actor = app.actor()
    if revoke:
        count = app.store.revoke_tokens(actor, name)
        if as_json:
            echo_json({"revoked": count})
        else:
            echo(f"{name}: {count} token(s) revoked")
        return
    token, hashed = new_token()
    app.store.add_token(actor, name, hashed)
    if as_json:
        echo_json({"token": token})
    else:
        echo(token)


@users_group.command("roles")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def users_roles(app: App, as_json: bool) -> None:
    """The roles a user can be given (the framework's own, then those the installed bots
    declare), what each may do (the permission table) and who has each."""
    declared_by: dict[str, list[str]] = {}
    for bot in app.bots.values():
        for role in bot.roles:
            declared_by.setdefault(role, []).append(bot.name)
    people = app.store.list_users()
    rows: list[dict[str, Any]] = [{"role": role, "declared_by": sorted(declared_by.get(role, [])) or None,
                                   "may": [action.value for action in actions_of(frozenset({role}))],
                                   "users": sorted(u.name for u in people if role in u.roles)}
                                  for role in all_roles(app.bots.values())]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        by = f" (declared by {', '.join(row['declared_by'])})" if row["declared_by"] else ""
        echo(f"{row['role']}{by}: {', '.join(row['users']) or '-'}\n  may: {', '.join(row['may'])}")


@users_group.command("ls")
@click.option("--json", "as_json", is_flag=True)
@pass_app
def users_ls(app: App, as_json: bool) -> None:
    rows: list[dict[str, Any]] = [{"name": u.name, "roles": sorted(u.roles)}
                                  for u in app.store.list_users()]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        # a name stored before names were validated is shown quoted, never as a line of its own
        name = row["name"] if USER_NAME.fullmatch(row["name"]) else repr(row["name"])
        echo(f"{name}: {', '.join(row['roles'])}")


# -- decide, bench, retention -----------------------------------------------------------


# What a bot's decide raises on input its rules cannot decide (one line naming the input, exit 2).
DECIDE_INPUT_ERRORS = (LookupError, ValueError, TypeError, AttributeError, ArithmeticError, RecursionError)


@click.command("decide")
@click.argument("bot")
@click.option("--input", "input_file", required=True, metavar="FILE",
              help="The case as JSON (the rules' decision contract); - reads stdin.")
@pass_app
def decide_command(app: App, bot: str, input_file: str) -> None:
    """The bot's rule decision for one case, as JSON; no side effects, no orchestrator.yaml."""
    plugin = app.bots.get(bot)
    if plugin is None:
        raise NotFound(f"unknown bot {bot!r}; installed: {', '.join(sorted(app.bots))}")
    if plugin.decide is None:
        raise NotFound(f"bot {bot!r} has no decide")
    # The default limit, not cli.max_input_bytes: decide never reads orchestrator.yaml.
    data = read_json(input_file, limit=DEFAULT_MAX_INPUT_BYTES)
    try:
        decision = plugin.decide(data)
    except DECIDE_INPUT_ERRORS as bad:
        raise InputError(input_file, f"cannot be decided: {one_line(bad)}") from None
    except Exception as bad:  # a bug in the rules, not in the input: still one masked line
        raise TechnicalError(f"{bot} decide failed on {input_file}: {type(bad).__name__}: "
                             f"{one_line(bad)}") from None
    echo(json.dumps(decision, indent=2, ensure_ascii=False, default=str))


def one_line(error: BaseException) -> str:
    """An exception's text on one line (pydantic's span several); its type when it has none."""
    text = " ".join(part.strip() for part in str(error).splitlines() if part.strip())
    if isinstance(error, KeyError):
        text = f"missing field {text}"
    elif isinstance(error, AttributeError | TypeError):
        text = f"a field has the wrong type ({text})"
    return text or type(error).__name__


@click.command("bench")
@click.argument("name")
@click.option("--items", type=click.IntRange(1, 10_000_000), default=None,
              help="How many items (benchmarks that take a size).")
@click.option("--peak-items", type=click.IntRange(1, 10_000_000), default=None,
              help="How many items the peak run measures (payouts: 1,000).")
@click.option("--exceptions", type=click.IntRange(0, 10_000_000), default=None,
              help="How many of the items wait as exceptions (console: 5,000).")
@click.option("--json", "as_json", is_flag=True)
def bench_command(name: str, items: int | None, peak_items: int | None, exceptions: int | None,
                  as_json: bool) -> None:
    """Run a shipped benchmark beside its reference."""
    found = {e.name: e for e in entry_points(group=BENCHMARKS_GROUP)}
    if name not in found:
        raise NotFound(f"no benchmark {name!r}; shipped: {', '.join(sorted(found))}")
    given = {"items": items, "peak_items": peak_items, "exceptions": exceptions}
    options = {key: value for key, value in given.items() if value is not None}
    report = found[name].load()(**options)
    if as_json:
        echo(json.dumps(report, indent=2))
        return
    echo(f"{report['name']}: {report['figures']}")
    echo(f"reference {report['reference']['name']}: {report['reference']['figures']}")
    echo(f"ratio {report['ratio']}")


@click.group("retention")
def retention_group() -> None:
    """Purge what the retention settings say has expired."""


@retention_group.command("run")
@pass_app
def retention_run(app: App) -> None:
    """Delete artifacts (screenshots, traces, letters) older than artifacts.retention_days."""
    actor = app.actor()
    require(actor, Action.PURGE)
    cutoff = app.clock.now() - timedelta(days=app.config.artifacts.retention_days)
    expired = app.store.expired_artifacts(cutoff)
    for artifact in expired:
        Path(artifact.path).unlink(missing_ok=True)
    app.store.delete_artifacts([a.id for a in expired])
    echo(f"purged {len(expired)} artifact(s) older than {cutoff:%Y-%m-%d}")


COMMANDS = [config_group, bots_group, runs_group, alerts_group, users_group, decide_command,
            bench_command, retention_group]
