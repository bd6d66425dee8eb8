"""The store on SQLAlchemy 2: SQLite (embedded default) and PostgreSQL (scale-out).

One module per concern, each a part of `SqlStore` over the one engine of `base.SqlBase`:

| module | protocol (runner.store.abc) | holds |
|---|---|---|
| `items` (+ `claim`, `driver`) | `ItemStore` | enqueue, claim, leases, checkpoints, an attempt's end |
| `queue` | `QueueStore` | reading items as an actor may see them; retry, resolve, reject |
| `runs` | `RunStore` | runs, one per firing |
| `users` | `UserStore` | users and roles, the audit trail |
| `credentials` | `CredentialStore` | password hashes, API tokens (hashed), failed logins |
| `breaker` | `AlertStore`, `BreakerStore` | alerts, pause and resume, the circuit breaker |
| `artifacts` | `ArtifactStore` | files linked from items |

`engine` makes the engine (durability, docs/store.md) and maps outages to
`StoreUnavailable`; `rows` turns rows into the records of runner.store.records. Both
dialects share every query; the claim differs only in PostgreSQL's `FOR UPDATE SKIP
LOCKED` (`claim`).
"""

from __future__ import annotations

from runner.store.sql.artifacts import SqlArtifacts
from runner.store.sql.base import DECISION
from runner.store.sql.breaker import SqlBotStates
from runner.store.sql.credentials import SqlCredentials
from runner.store.sql.engine import PG_CONNECT_TIMEOUT_S, SQLITE_BUSY_TIMEOUT_S, is_outage, make_engine
from runner.store.sql.items import SqlItems
from runner.store.sql.queue import SqlQueue
from runner.store.sql.runs import SqlRuns
from runner.store.sql.users import SqlUsers


class SqlStore(SqlItems, SqlQueue, SqlRuns, SqlUsers, SqlCredentials, SqlBotStates, SqlArtifacts):
    """Durable work items, runs, alerts, users, audit and bot state (runner.store.abc.Store)."""


__all__ = [
    "DECISION",
    "PG_CONNECT_TIMEOUT_S",
    "SQLITE_BUSY_TIMEOUT_S",
    "SqlStore",
    "is_outage",
    "make_engine",
]
