"""Rows to the frozen records the store returns (runner.store.records)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, select

from runner.states import ErrorKind, State, Trigger
from runner.store.records import (
    AlertRecord,
    ArtifactRecord,
    AuditRecord,
    BotStateRecord,
    Checkpoint,
    ItemError,
    RunRecord,
    UserRecord,
    WorkItemRecord,
)
from runner.store.tables import checkpoints


def item_record(row: Row[Any], marks: tuple[Checkpoint, ...] = ()) -> WorkItemRecord:
    error = (
        ItemError(ErrorKind(row.error_kind), row.error_code, row.error_message or "")
        if row.error_kind
        else None
    )
    return WorkItemRecord(
        id=row.id, bot=row.bot, task=row.task, reference=row.reference,
        payload=dict(row.payload), priority=row.priority, due=row.due, state=State(row.state),
        attempts=row.attempts, max_attempts=row.max_attempts, not_before=row.not_before,
        lease_owner=row.lease_owner, lease_expires=row.lease_expires, run_id=row.run_id,
        as_of=row.today, result=row.result, error=error, visible_to=row.visible_to,
        assigned_to=row.assigned_to,
        has_checkpoints=row.has_checkpoints,
        created_at=row.created_at, updated_at=row.updated_at, checkpoints=marks,
    )


def item_checkpoints(conn: Connection, item_id: int) -> dict[str, Checkpoint]:
    """An item's checkpoints by name, in the order they were recorded."""
    rows = conn.execute(
        select(checkpoints).where(checkpoints.c.item_id == item_id).order_by(checkpoints.c.id)
    )
    return {
        row.name: Checkpoint(row.name, dict(row.receipt), row.attempt, row.created_at)
        for row in rows
    }


def run_record(row: Row[Any]) -> RunRecord:
    return RunRecord(
        id=row.id, bot=row.bot, task=row.task, trigger=Trigger(row.trigger),
        run_key=row.run_key, state=row.state, as_of=row.today, actor=row.actor,
        enqueued=row.enqueued, error=row.error, started_at=row.started_at,
        finished_at=row.finished_at,
    )


def bot_state_record(row: Row[Any]) -> BotStateRecord:
    return BotStateRecord(
        bot=row.bot, paused=row.paused, reason=row.reason, paused_at=row.paused_at,
        consecutive_failures=row.consecutive_failures, circuit_open=row.circuit_open,
        probe_item_id=row.probe_item_id,
    )


def alert_record(row: Row[Any]) -> AlertRecord:
    return AlertRecord(row.id, row.bot, row.kind, row.message, row.created_at, row.acked_by, row.acked_at)


def user_record(row: Row[Any]) -> UserRecord:
    return UserRecord(row.name, frozenset(row.roles), row.created_at)


def audit_record(row: Row[Any]) -> AuditRecord:
    return AuditRecord(row.id, row.at, row.actor, row.action, row.item_id, row.bot, row.reason,
                       row.details)


def artifact_record(row: Row[Any]) -> ArtifactRecord:
    return ArtifactRecord(row.id, row.item_id, row.kind, row.path, row.attempt, row.size,
                          row.created_at)
