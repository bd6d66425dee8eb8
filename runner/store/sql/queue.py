"""The queue as an actor sees it, and a person's actions on exceptions (retry, resolve, reject)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, case, delete, func, or_, select, update

from runner.errors import InvalidTransition, NotFound
from runner.permissions import Action, require
from runner.states import State
from runner.store.records import Actor, DueCounts, WorkItemRecord
from runner.store.sql.base import CLOSED, DECISION, EXCEPTIONS, SqlBase
from runner.store.sql.rows import item_checkpoints, item_record
from runner.store.tables import checkpoints, work_items


def visible_to(actor: Actor) -> Any:
    """The items an actor may see: restricted ones only with their role; the system sees all."""
    if actor.system:
        return work_items.c.id.is_not(None)
    roles = sorted(actor.roles)
    return or_(work_items.c.visible_to.is_(None), work_items.c.visible_to.in_(roles))


def visible_item(conn: Connection, actor: Actor, item_id: int) -> Row[Any]:
    """An item's row; NotFound also when the actor may not see it."""
    row = conn.execute(
        select(work_items).where(work_items.c.id == item_id, visible_to(actor))
    ).one_or_none()
    if row is None:
        raise NotFound(f"no work item {item_id}")
    return row


class SqlQueue(SqlBase):
    """Reading items (filtered by what the actor may see) and handling exceptions (ops)."""

    def list_items(
        self,
        actor: Actor,
        *,
        bot: str | None = None,
        task: str | None = None,
        states: Collection[State] | None = None,
        code: str | None = None,
        reference: str | None = None,
        reference_prefix: str | None = None,
        search: str | None = None,
        run_ids: Collection[int] | None = None,
        assignee: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_id: int | None = None,
        limit: int | None = 1000,
        offset: int = 0,
    ) -> list[WorkItemRecord]:
        wi = work_items.c
        query = select(work_items).where(visible_to(actor))
        if bot:
            query = query.where(wi.bot == bot)
        if task:
            query = query.where(wi.task == task)
        if states:
            query = query.where(wi.state.in_([s.value for s in states]))
        if code:
            query = query.where(wi.error_code == code)
        if reference:
            query = query.where(wi.reference == reference)
        if reference_prefix:
            query = query.where(wi.reference.startswith(reference_prefix, autoescape=True))
        if search:
            query = query.where(or_(wi.reference.contains(search), wi.error_code.contains(search)))
        if run_ids is not None:
            query = query.where(wi.run_id.in_(list(run_ids)))
        if assignee:
            query = query.where(wi.assigned_to == assignee)
        if since is not None:
            query = query.where(wi.updated_at >= since)
        if until is not None:
            query = query.where(wi.updated_at < until)
        if after_id is not None:  # keyset: the page after the last id shown
            query = query.where(wi.id > after_id)
        query = query.order_by(wi.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._tx() as conn:
            return [item_record(row) for row in conn.execute(query)]

    def get_item(self, actor: Actor, item_id: int) -> WorkItemRecord:
        """One item with its checkpoints; NotFound also when the actor may not see it."""
        with self._tx() as conn:
            row = visible_item(conn, actor, item_id)
            marks = tuple(item_checkpoints(conn, item_id).values())
        return item_record(row, marks)

    def count_by_state(self, *, run_ids: Collection[int] | None = None) -> dict[tuple[str, str], int]:
        """(bot, state) → count, for traffic lights and `--wait`."""
        wi = work_items.c
        query = select(wi.bot, wi.state, func.count()).group_by(wi.bot, wi.state)
        if run_ids is not None:
            query = query.where(wi.run_id.in_(list(run_ids)))
        with self._tx() as conn:
            return {(row[0], row[1]): int(row[2]) for row in conn.execute(query)}

    def outcomes(self, *, run_ids: Collection[int] | None = None) -> list[tuple[str, str, str | None, bool]]:
        """(bot, state, code, acted) per item, for run summaries."""
        wi = work_items.c
        query = select(wi.bot, wi.state, wi.error_code, wi.result)
        if run_ids is not None:
            query = query.where(wi.run_id.in_(list(run_ids)))
        with self._tx() as conn:
            return [
                (row.bot, row.state, row.error_code, bool((row.result or {}).get("acted")))
                for row in conn.execute(query)
            ]

    def due_counts(self, as_of: date, *, soon_days: int = 1) -> dict[str, DueCounts]:
        wi = work_items.c
        soon_until = as_of + timedelta(days=soon_days)
        overdue = func.sum(case((wi.due < as_of, 1), else_=0))
        due_soon = func.sum(case((wi.due >= as_of, 1), else_=0))
        query = (select(wi.bot, overdue, due_soon)
                 .where(wi.due.is_not(None), wi.due <= soon_until, wi.state.not_in(CLOSED))
                 .group_by(wi.bot))
        with self._tx() as conn:
            return {row[0]: DueCounts(int(row[1]), int(row[2])) for row in conn.execute(query)}

    # -- a person's actions on exceptions -------------------------------------

    def _exception_row(self, conn: Connection, actor: Actor, item_id: int) -> Row[Any]:
        require(actor, Action.HANDLE_EXCEPTIONS)
        row = visible_item(conn, actor, item_id)
        if row.state not in EXCEPTIONS:
            raise InvalidTransition(f"item {item_id} is {row.state}, not in the exception queue")
        return row

    def retry_item(
        self,
        actor: Actor,
        item_id: int,
        *,
        reason: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> WorkItemRecord:
        """Send an exception back to the queue, optionally with a corrected payload."""
        with self._tx() as conn:
            row = self._exception_row(conn, actor, item_id)
            values: dict[str, Any] = {
                "state": State.NEW.value, "attempts": 0, "not_before": None, "assigned_to": None,
                "error_kind": None, "error_code": None, "error_message": None,
                "updated_at": self._now(),
            }
            details: dict[str, Any] = {"from_state": row.state, "code": row.error_code}
            if payload is not None:
                values["payload"] = payload
                values["today"] = None  # a new decision is taken with a new business date
                details.update(old_payload=row.payload, new_payload=payload)
                conn.execute(
                    delete(checkpoints).where(
                        checkpoints.c.item_id == item_id, checkpoints.c.name == DECISION
                    )
                )
            conn.execute(update(work_items).where(work_items.c.id == item_id).values(**values))
            self._audit(conn, actor, "retry", item_id=item_id, bot=row.bot, reason=reason,
                        details=details)
        return self.get_item(actor, item_id)

    def assign_item(self, actor: Actor, item_id: int, *, to: str | None) -> WorkItemRecord:
        """Assign an exception to a person (`to=None`: release it); ops, audited."""
        with self._tx() as conn:
            row = self._exception_row(conn, actor, item_id)
            conn.execute(update(work_items).where(work_items.c.id == item_id)
                         .values(assigned_to=to, updated_at=self._now()))
            self._audit(conn, actor, "assign" if to else "release", item_id=item_id, bot=row.bot,
                        details={"from": row.assigned_to, "to": to})
        return self.get_item(actor, item_id)

    def close_item(self, actor: Actor, item_id: int, *, state: State, text: str) -> WorkItemRecord:
        """Resolve (done by hand; `text` is the note) or reject (`text` is the reason)."""
        if state not in (State.RESOLVED, State.REJECTED):
            raise ValueError("close_item takes RESOLVED or REJECTED")
        if not text or not text.strip():
            needed = "a note" if state is State.RESOLVED else "a reason"
            raise InvalidTransition(f"{state.value} needs {needed}")
        with self._tx() as conn:
            row = self._exception_row(conn, actor, item_id)
            conn.execute(
                update(work_items)
                .where(work_items.c.id == item_id)
                .values(state=state.value, updated_at=self._now())
            )
            action = "resolve" if state is State.RESOLVED else "reject"
            self._audit(conn, actor, action, item_id=item_id, bot=row.bot, reason=text.strip(),
                        details={"from_state": row.state, "code": row.error_code})
        return self.get_item(actor, item_id)
