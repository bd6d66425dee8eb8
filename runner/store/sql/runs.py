"""Runs: one execution of a task, keyed per firing so that replicas never start it twice."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from runner.errors import NotFound
from runner.redact import redact_text
from runner.states import Trigger
from runner.store.records import Actor, RunRecord
from runner.store.sql.base import SqlBase
from runner.store.sql.rows import run_record
from runner.store.tables import runs


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
