"""Artifacts linked from items (screenshots, traces, letters); the files themselves are on disk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select

from runner.permissions import Action, allowed
from runner.store.records import Actor, ArtifactRecord
from runner.store.sql.base import SqlBase
from runner.store.sql.queue import visible_item
from runner.store.sql.rows import artifact_record
from runner.store.tables import artifacts


class SqlArtifacts(SqlBase):
    """Record, list (traces only for those who may read them) and purge artifacts."""

    def add_artifact(self, item_id: int, *, kind: str, path: str, attempt: int, size: int) -> None:
        with self._tx() as conn:
            conn.execute(
                insert(artifacts).values(item_id=item_id, kind=kind, path=path, attempt=attempt,
                                         size=size, created_at=self._now())
            )

    def list_artifacts(self, actor: Actor, item_id: int) -> list[ArtifactRecord]:
        """Artifacts of an item the actor may see; traces only for ops and admin."""
        query = select(artifacts).where(artifacts.c.item_id == item_id).order_by(artifacts.c.id)
        if not allowed(actor, Action.READ_TRACES):
            query = query.where(artifacts.c.kind != "trace")
        with self._tx() as conn:
            visible_item(conn, actor, item_id)
            return [artifact_record(row) for row in conn.execute(query)]

    def expired_artifacts(self, before: datetime) -> list[ArtifactRecord]:
        query = select(artifacts).where(artifacts.c.created_at < before)
        with self._tx() as conn:
            return [artifact_record(row) for row in conn.execute(query)]

    def delete_artifacts(self, ids: Sequence[int]) -> None:
        with self._tx() as conn:
            conn.execute(delete(artifacts).where(artifacts.c.id.in_(list(ids))))
