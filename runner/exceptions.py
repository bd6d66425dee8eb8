"""The exception desk: what a person does with an item the robot stopped (CLI and console)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from runner.clock import Clock
from runner.deployment import Deployment
from runner.errors import PayloadInvalid, field_errors
from runner.item import PersonAction
from runner.logs import module_logger
from runner.sessions import BrowserProvider, LazySessions
from runner.states import State
from runner.store import Actor, Store, WorkItemRecord

log = module_logger("runner.exceptions")

EXCEPTION_STATES = (State.BUSINESS_EXCEPTION, State.SYSTEM_EXCEPTION)


class ExceptionDesk:
    """List, retry, resolve and reject exceptions as `actor`; every action audited."""

    def __init__(self, store: Store, deployment: Deployment, actor: Actor, *,
                 clock: Clock, browsers: BrowserProvider | None = None) -> None:
        self.store = store
        self.deployment = deployment
        self.actor = actor
        self.clock = clock
        self.browsers = browsers

    def list(self, *, bot: str | None = None, code: str | None = None,
             limit: int | None = 1000) -> list[WorkItemRecord]:
        return self.store.list_items(self.actor, bot=bot, code=code, states=EXCEPTION_STATES,
                                     limit=limit)

    def retry(self, item_id: int, *, payload: dict[str, Any] | None = None,
              reason: str | None = None) -> WorkItemRecord:
        """Queue the item again; a corrected payload must pass the task's model first."""
        if payload is not None:
            record = self.store.get_item(self.actor, item_id)
            model = self.deployment.task(record.bot, record.task).task.payload
            try:
                payload = model.model_validate(payload).model_dump(mode="json")
            except ValidationError as invalid:
                raise PayloadInvalid(field_errors(invalid)) from None
        retried = self.store.retry_item(self.actor, item_id, reason=reason, payload=payload)
        log.info("item_retried_by_person", item_id=item_id, actor=self.actor.name,
                 corrected=payload is not None)
        return retried

    def resolve(self, item_id: int, note: str) -> WorkItemRecord:
        record = self.store.close_item(self.actor, item_id, state=State.RESOLVED, text=note)
        self._hook(record, "on_resolved", note)
        return record

    def reject(self, item_id: int, reason: str) -> WorkItemRecord:
        record = self.store.close_item(self.actor, item_id, state=State.REJECTED, text=reason)
        self._hook(record, "on_rejected", reason)
        return record

    def _hook(self, record: WorkItemRecord, name: str, text: str) -> None:
        runtime = self.deployment.bots.get(record.bot)
        hook = getattr(runtime.bot, name, None) if runtime else None
        if hook is None or runtime is None:
            return
        task = runtime.tasks[record.task]
        try:
            payload = task.task.payload.model_validate(record.payload)
        except ValidationError:
            payload = None
        sessions = LazySessions(self.browsers, f"{record.bot}-{record.id}-{name}",
                                "no browser for the hook", make=self._browser_pool)
        action = PersonAction(
            record, payload, actor=self.actor, text=text, bot=record.bot, task=record.task,
            as_of=self.clock.as_of(), settings=runtime.settings, log=log,
            systems=self.deployment.systems, open_browser=sessions.open,
        )
        try:
            hook(action)
            log.info("hook_done", hook=name, item_id=record.id)
        except Exception as error:
            message = f"{record.bot} {name} hook failed for item {record.id}: {type(error).__name__}: {error}"
            self.store.add_alert(bot=record.bot, kind="hook_failed", message=message)
            log.error("hook_failed", hook=name, item_id=record.id, error=str(error))
        finally:
            sessions.close()

    def _browser_pool(self) -> BrowserProvider:
        """The pool a hook's browser comes from, made on first use (most hooks need none)."""
        if self.browsers is None:
            from runner.browser import BrowserPool

            self.browsers = BrowserPool(traces=False)
        return self.browsers
