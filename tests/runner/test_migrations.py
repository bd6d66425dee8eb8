"""The Alembic migrations build exactly the schema runner/store/tables.py declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from runner.store import Store
from runner.store.tables import metadata


def test_the_migrated_schema_is_the_declared_one(store: Store) -> None:
    engine = store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
