"""Runs: one execution of a task, keyed per firing so that replicas never start it twice."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from runner.errors import InputError, NotFound
from runner.permissions import Action, require
from runner.redact import redact_text
from runner.states import Trigger
from runner.store.records import Actor, RunRecord, ScheduleChange
from runner.store.sql.base import SqlBase
from runner.store.sql.rows import run_record
from runner.store.tables import runs, schedule_changes


class SqlRuns(SqlBase):
    """Start, finish and read runs."""

    def start_run(
        self,
        *,
        bot: str,
        task: str,
        trigger: Trigger,
        actor: Actor,
        as_of: date | None,
        run_key: str | None = None,
    ) -> RunRecord | None:
        """A new run; None when a run with the same key exists (another replica took it)."""
        values = {
            "bot": bot, "task": task, "trigger": trigger.value, "run_key": run_key,
            "state": "running", "today": as_of, "actor": actor.name, "enqueued": 0,
            "started_at": self._now(),
        }
        try:
            with self._tx() as conn:
                run_id = conn.execute(insert(runs).values(**values).returning(runs.c.id)).scalar_one()
        except IntegrityError:
            return None
        return self.get_run(run_id)

    def finish_run(self, run_id: int, *, enqueued: int, error: str | None = None) -> None:
        with self._tx() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    state="failed" if error else "finished", enqueued=enqueued,
                    error=redact_text(error) if error else None, finished_at=self._now(),
                )
            )

    def get_run(self, run_id: int) -> RunRecord:
        with self._tx() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).one_or_none()
        if row is None:
            raise NotFound(f"no run {run_id}")
        return run_record(row)

    def list_runs(self, *, bot: str | None = None, limit: int = 50) -> list[RunRecord]:
        query = select(runs).order_by(runs.c.id.desc()).limit(limit)
        if bot:
            query = query.where(runs.c.bot == bot)
        with self._tx() as conn:
            return [run_record(row) for row in conn.execute(query)]

    def last_finished_runs(self) -> dict[tuple[str, str], RunRecord]:
        latest = (select(func.max(runs.c.id)).where(runs.c.finished_at.is_not(None))
                  .group_by(runs.c.bot, runs.c.task))
        with self._tx() as conn:
            rows = conn.execute(select(runs).where(runs.c.id.in_(latest)))
            return {(row.bot, row.task): run_record(row) for row in rows}

    # -- an operator's changes beside the YAML schedule ---------------------------------------

    def change_schedule(self, actor: Actor, *, bot: str, task: str, kind: str, at: datetime,
                        reason: str | None = None) -> ScheduleChange:
        require(actor, Action.RUN_BOTS)
        if kind not in ("skip", "extra"):
            raise InputError("kind", f"{kind!r} is neither 'skip' nor 'extra'")
        with self._tx() as conn:
            change_id = conn.execute(
                insert(schedule_changes).values(bot=bot, task=task, kind=kind, at=at, actor=actor.name,
                                                reason=reason, created_at=self._now())
                .returning(schedule_changes.c.id)).scalar_one()
            self._audit(conn, actor, f"schedule_{kind}", bot=bot, reason=reason,
                        details={"task": task, "at": at.isoformat(), "change": change_id})
            row = conn.execute(select(schedule_changes).where(schedule_changes.c.id == change_id)).one()
        return _change(row)

    def schedule_changes(self, *, since: datetime | None = None,
                         bot: str | None = None) -> list[ScheduleChange]:
        query = select(schedule_changes).order_by(schedule_changes.c.at, schedule_changes.c.id)
        if since is not None:
            query = query.where(schedule_changes.c.at >= since)
        if bot is not None:
            query = query.where(schedule_changes.c.bot == bot)
        with self._tx() as conn:
            return [_change(row) for row in conn.execute(query)]

    def is_skipped(self, bot: str, task: str, fire_time: datetime) -> bool:
        sc = schedule_changes.c
        with self._tx() as conn:
            return conn.execute(select(sc.id).where(sc.bot == bot, sc.task == task, sc.kind == "skip",
                                                    sc.at == fire_time)).first() is not None


def _change(row: Any) -> ScheduleChange:
    return ScheduleChange(row.id, row.bot, row.task, row.kind, row.at, row.actor, row.reason, row.created_at)
