"""`rpa queue` and `rpa exceptions`: reading work items and working the exception queue."""

from __future__ import annotations

import json
from typing import Any

import click

from runner.cli.app import LIMIT, RECORD_ID, App, echo
from runner.errors import InputError, PayloadInvalid
from runner.exceptions import ExceptionDesk
from runner.inputs import read_json
from runner.redact import redact
from runner.states import State
from runner.store import WorkItemRecord

pass_app = click.make_pass_decorator(App)

STATE_CHOICE = click.Choice([s.value for s in State])


def print_items(records: list[WorkItemRecord], as_json: bool) -> None:
    rows = [record.summary() for record in records]
    if as_json:
        echo(json.dumps(redact(rows), indent=2, ensure_ascii=False))
        return
    if not rows:
        echo("no items")
        return
    echo(f"{'id':>6}  {'bot':<22} {'task':<18} {'state':<19} {'att':>3}  {'code':<24} reference")
    for row in rows:
        echo(f"{row['id']:>6}  {row['bot']:<22} {row['task']:<18} {row['state']:<19} "
                   f"{row['attempts']:>3}  {row['code'] or '':<24} {redact(row['reference'])}")


def item_detail(desk: ExceptionDesk, item_id: int) -> dict[str, Any]:
    record = desk.store.get_item(desk.actor, item_id)
    detail = {
        **record.summary(),
        "payload": record.payload,
        "error": {"kind": record.error.kind.value, "code": record.error.code,
                  "message": record.error.message} if record.error else None,
        "result": record.result,
        "today": record.as_of.isoformat() if record.as_of else None,
        "run_id": record.run_id,
        "checkpoints": [{"name": c.name, "attempt": c.attempt, "at": c.created_at.isoformat(),
                         "receipt": c.receipt} for c in record.checkpoints],
        "artifacts": [{"kind": a.kind, "path": a.path, "attempt": a.attempt}
                      for a in desk.store.list_artifacts(desk.actor, item_id)],
        "audit": [{"at": a.at.isoformat(), "actor": a.actor, "action": a.action, "reason": a.reason}
                  for a in desk.store.audit_trail(desk.actor, item_id=item_id)],
    }
    return redact(detail)  # type: ignore[no-any-return]


@click.group("queue")
def queue_group() -> None:
    """Work items."""


@queue_group.command("ls")
@click.option("--bot", default=None)
@click.option("--task", default=None)
@click.option("--state", "states", type=STATE_CHOICE, multiple=True)
@click.option("--code", default=None)
@click.option("--limit", type=LIMIT, default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def queue_ls(app: App, bot: str | None, task: str | None, states: tuple[str, ...], code: str | None,
             limit: int, as_json: bool) -> None:
    """List work items (CPR numbers masked)."""
    records = app.store.list_items(app.actor(), bot=bot, task=task,
                                   states=[State(s) for s in states] or None, code=code, limit=limit)
    print_items(records, as_json)


@click.group("exceptions")
def exceptions_group() -> None:
    """The exception queue: show, retry (optionally corrected), resolve, reject."""


def _desk(app: App) -> ExceptionDesk:
    app.start_logging()  # the desk logs each action: to the masked log file, never stdout
    return ExceptionDesk(app.store, app.deployment, app.actor(), clock=app.clock)


@exceptions_group.command("ls")
@click.option("--bot", default=None)
@click.option("--code", default=None)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def exceptions_ls(app: App, bot: str | None, code: str | None, as_json: bool) -> None:
    """Items waiting for a person."""
    print_items(_desk(app).list(bot=bot, code=code), as_json)


@exceptions_group.command("show")
@click.argument("item_id", type=RECORD_ID)
@click.option("--json", "as_json", is_flag=True)
@pass_app
def exceptions_show(app: App, item_id: int, as_json: bool) -> None:
    """One item: why it stopped, its payload, checkpoints, artifacts and audit trail."""
    detail = item_detail(_desk(app), item_id)
    if as_json:
        echo(json.dumps(detail, indent=2, ensure_ascii=False))
        return
    error = detail["error"] or {}
    echo(f"item {detail['id']}  {detail['bot']}/{detail['task']}  {detail['reference']}")
    echo(f"state {detail['state']}  attempts {detail['attempts']}  due {detail['due']}")
    if error:
        echo(f"error {error['kind']} {error['code']}: {error['message']}")
    echo("payload " + json.dumps(detail["payload"], ensure_ascii=False))
    for mark in detail["checkpoints"]:
        receipt = json.dumps(mark["receipt"], ensure_ascii=False)
        echo(f"  checkpoint {mark['name']} (attempt {mark['attempt']}) {receipt}")
    for artifact in detail["artifacts"]:
        echo(f"  artifact {artifact['kind']}: {artifact['path']}")
    for entry in detail["audit"]:
        echo(f"  {entry['at']} {entry['actor']} {entry['action']}: {entry['reason'] or ''}")


def _targets(desk: ExceptionDesk, ids: tuple[int, ...], bot: str | None, code: str | None,
             every: bool) -> list[int]:
    if ids:
        return list(ids)
    if not every:
        raise click.UsageError("name item ids, or filter with --bot/--code and confirm with --all")
    return [record.id for record in desk.list(bot=bot, code=code)]


def _bulk_options(command: Any) -> Any:
    every = click.option("--all", "every", is_flag=True, help="Every exception matching the filters.")
    command = every(command)
    command = click.option("--code", default=None)(command)
    return click.option("--bot", default=None)(command)


@exceptions_group.command("retry")
@click.argument("ids", type=RECORD_ID, nargs=-1)
@click.option("--payload", "payload_file", metavar="FILE",
              help="A corrected payload (a JSON object), validated by the task's model.")
@click.option("--reason", default=None)
@_bulk_options
@pass_app
def exceptions_retry(app: App, ids: tuple[int, ...], payload_file: str | None, reason: str | None,
                     bot: str | None, code: str | None, every: bool) -> None:
    """Send items back to the queue; with --payload, with corrected data (decision taken anew)."""
    # Read before anything is done: a payload that is not a JSON object (`null` too) is refused.
    payload = read_json(payload_file, limit=app.max_input_bytes) if payload_file is not None else None
    desk = _desk(app)
    targets = _targets(desk, ids, bot, code, every)
    if payload is not None and len(targets) != 1:
        raise click.UsageError("--payload corrects one item; name exactly one id")
    for item_id in targets:
        try:
            desk.retry(item_id, payload=payload, reason=reason)
        except PayloadInvalid as invalid:  # the file is what is wrong: name it
            raise InputError(str(payload_file), f"does not fit the task's payload: {invalid}") from None
        echo(f"item {item_id} queued again")


@exceptions_group.command("resolve")
@click.argument("ids", type=RECORD_ID, nargs=-1)
@click.option("--note", required=True, help="What was done by hand.")
@_bulk_options
@pass_app
def exceptions_resolve(app: App, ids: tuple[int, ...], note: str, bot: str | None, code: str | None,
                       every: bool) -> None:
    """Mark items as done by hand."""
    desk = _desk(app)
    for item_id in _targets(desk, ids, bot, code, every):
        desk.resolve(item_id, note)
        echo(f"item {item_id} resolved")


@exceptions_group.command("reject")
@click.argument("ids", type=RECORD_ID, nargs=-1)
@click.option("--reason", required=True, help="Why it will not be done.")
@_bulk_options
@pass_app
def exceptions_reject(app: App, ids: tuple[int, ...], reason: str, bot: str | None, code: str | None,
                      every: bool) -> None:
    """Mark items as not to be done."""
    desk = _desk(app)
    for item_id in _targets(desk, ids, bot, code, every):
        desk.reject(item_id, reason)
        echo(f"item {item_id} rejected")


COMMANDS = [queue_group, exceptions_group]
