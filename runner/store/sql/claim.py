"""The claim: the one statement pair that leases waiting items, for workers and probes alike.

Both dialects run the same SQL but for the lock: PostgreSQL takes the candidate rows with
`FOR UPDATE SKIP LOCKED`, so workers on many machines never take the same item; on SQLite
every transaction already holds the single writer lock (`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from runner.states import State
from runner.store.records import WorkItemRecord
from runner.store.sql.base import WAITING
from runner.store.sql.rows import item_record
from runner.store.tables import work_items


def lease_held_by(worker_id: Any) -> Any:
    """Items in progress whose lease `worker_id` (a value or a bound parameter) holds: every
    write on an item in progress is made under it, so a worker that lost its lease writes nothing."""
    return and_(work_items.c.lease_owner == worker_id, work_items.c.state == State.IN_PROGRESS.value)


def claim_items(
    conn: Connection,
    *,
    dialect: str,
    worker_id: str,
    now: datetime,
    limit: int,
    lease_s: float,
    as_of: date,
    bots: Collection[str] | None = None,
    exclude_bots: Collection[str] = (),
) -> list[WorkItemRecord]:
    """Lease up to `limit` waiting items, highest priority first; counts an attempt each."""
    wi = work_items.c
    # One indexed walk per waiting state (state, priority DESC, id): an OR of the two
    # states would make the database sort every waiting item on every claim.
    waiting = [
        and_(wi.state == State.NEW.value, or_(wi.not_before.is_(None), wi.not_before <= now)),
        and_(wi.state == State.DEFERRED.value, wi.not_before <= now),
    ]
    found: list[tuple[int, int]] = []
    for ready in waiting:
        candidates = select(wi.id, wi.priority).where(ready)
        if bots is not None:
            candidates = candidates.where(wi.bot.in_(list(bots)))
        if exclude_bots:
            candidates = candidates.where(wi.bot.not_in(list(exclude_bots)))
        candidates = candidates.order_by(wi.priority.desc(), wi.id).limit(limit)
        if dialect == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        found.extend((row.id, row.priority) for row in conn.execute(candidates))
    chosen = [item_id for item_id, _ in sorted(found, key=lambda f: (-f[1], f[0]))[:limit]]
    if not chosen:
        return []
    rows = conn.execute(_lease(chosen, worker_id, now, lease_s, as_of)).all()
    return sorted((item_record(row) for row in rows), key=lambda r: (-r.priority, r.id))


def _lease(ids: list[int], worker_id: str, now: datetime, lease_s: float, as_of: date) -> Any:
    wi = work_items.c
    return (
        update(work_items)
        .where(wi.id.in_(ids), wi.state.in_(WAITING))
        .values(
            state=State.IN_PROGRESS.value,
            attempts=wi.attempts + 1,
            lease_owner=worker_id,
            lease_expires=now + timedelta(seconds=lease_s),
            not_before=None,
            today=func.coalesce(wi.today, as_of),
            updated_at=now,
        )
        .returning(*work_items.c)
    )
