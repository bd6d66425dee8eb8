"""The store: durable work items, runs, alerts, users, audit (SQLite or PostgreSQL)."""

from runner.store.records import (
    Actor,
    AlertRecord,
    ArtifactRecord,
    AuditRecord,
    BotStateRecord,
    Checkpoint,
    ItemError,
    NewItem,
    RunRecord,
    UserRecord,
    WorkItemRecord,
)
from runner.store.sql import DECISION, SqlStore

__all__ = [
    "DECISION",
    "Actor",
    "AlertRecord",
    "ArtifactRecord",
    "AuditRecord",
    "BotStateRecord",
    "Checkpoint",
    "ItemError",
    "NewItem",
    "RunRecord",
    "SqlStore",
    "UserRecord",
    "WorkItemRecord",
]
