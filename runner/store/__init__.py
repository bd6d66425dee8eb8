"""The store: durable work items, runs, alerts, users, audit (SQLite or PostgreSQL).

Code names the protocols of `runner.store.abc` (`Store` or a narrow one) and opens a store
with `open_store`; `SqlStore` is the implementation behind them.
"""

from __future__ import annotations

from runner.store.abc import (
    AlertStore,
    ArtifactStore,
    BreakerStore,
    CredentialStore,
    ItemStore,
    NowSource,
    QueueStore,
    RunStore,
    Store,
    UserStore,
)
from runner.store.records import (
    Actor,
    AlertRecord,
    ArtifactRecord,
    AuditRecord,
    BotStateRecord,
    Checkpoint,
    DueCounts,
    ItemError,
    NewItem,
    RunRecord,
    UserRecord,
    WorkItemRecord,
)
from runner.store.sql import DECISION, SqlStore


def open_store(url: str, *, clock: NowSource | None = None, sqlite_synchronous: str = "normal") -> Store:
    """The store at a SQLAlchemy URL (`sqlite:///…` or `postgresql+psycopg://…`), not yet migrated."""
    return SqlStore(url, clock=clock, sqlite_synchronous=sqlite_synchronous)


__all__ = [
    "DECISION",
    "Actor",
    "AlertRecord",
    "AlertStore",
    "ArtifactRecord",
    "ArtifactStore",
    "AuditRecord",
    "BotStateRecord",
    "BreakerStore",
    "Checkpoint",
    "CredentialStore",
    "DueCounts",
    "ItemError",
    "ItemStore",
    "NewItem",
    "NowSource",
    "QueueStore",
    "RunRecord",
    "RunStore",
    "SqlStore",
    "Store",
    "UserRecord",
    "UserStore",
    "WorkItemRecord",
    "open_store",
]
