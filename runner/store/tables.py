"""The store's tables (SQLAlchemy Core); Alembic migrations create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from runner.store.types import UtcDateTime

metadata = MetaData()

work_items = Table(
    "work_items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bot", String(64), nullable=False),
    Column("task", String(64), nullable=False),
    Column("reference", String(200), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("priority", Integer, nullable=False, default=0),
    Column("due", Date, nullable=True),
    Column("state", String(32), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False, default=3),
    Column("not_before", UtcDateTime(), nullable=True),
    Column("lease_owner", String(120), nullable=True),
    Column("lease_expires", UtcDateTime(), nullable=True),
    Column("run_id", Integer, nullable=True),
    Column("today", Date, nullable=True),
    Column("result", JSON, nullable=True),
    Column("error_kind", String(16), nullable=True),
    Column("error_code", String(80), nullable=True),
    Column("error_message", Text, nullable=True),
    Column("visible_to", String(32), nullable=True),
    Column("assigned_to", String(120), nullable=True),  # the person working the exception
    Column("has_checkpoints", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("bot", "reference", name="uq_work_items_bot_reference"),
)
Index("ix_work_items_claim", work_items.c.state, work_items.c.priority.desc(), work_items.c.id)
Index("ix_work_items_bot_state", work_items.c.bot, work_items.c.state)
Index("ix_work_items_run", work_items.c.run_id)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("work_items.id"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("receipt", JSON, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("item_id", "name", name="uq_checkpoints_item_name"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bot", String(64), nullable=False),
    Column("task", String(64), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("run_key", String(200), nullable=True, unique=True),
    Column("state", String(16), nullable=False),
    Column("today", Date, nullable=True),
    Column("actor", String(120), nullable=False),
    Column("enqueued", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bot", String(64), nullable=True),
    Column("kind", String(64), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("acked_by", String(120), nullable=True),
    Column("acked_at", UtcDateTime(), nullable=True),
)

users = Table(
    "users",
    metadata,
    Column("name", String(120), primary_key=True),
    Column("roles", JSON, nullable=False),
    Column("password_hash", String(200), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

schedule_changes = Table(  # an operator's skip of one firing, or a one-off run
    "schedule_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bot", String(64), nullable=False),
    Column("task", String(64), nullable=False),
    Column("kind", String(8), nullable=False),  # "skip" or "extra"
    Column("at", UtcDateTime(), nullable=False),  # the firing skipped, or when the extra run starts
    Column("actor", String(120), nullable=False),
    Column("reason", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)
Index("ix_schedule_changes_at", schedule_changes.c.at)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(120), ForeignKey("users.name"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(120), nullable=False),  # as typed: also names that do not exist
    Column("at", UtcDateTime(), nullable=False),
    Column("ok", Boolean, nullable=False),
)
Index("ix_login_attempts_name_at", login_attempts.c.user_name, login_attempts.c.at)

# Console sessions logged out before their cookie expired, by the hash of the session id, so
# every console replica refuses a copy of the cookie; rows go once the cookie could not be
# used anyway (`expires`).
ended_sessions = Table(
    "ended_sessions",
    metadata,
    Column("sid_hash", String(64), primary_key=True),
    Column("user_name", String(120), nullable=False),
    Column("expires", UtcDateTime(), nullable=False),
)
Index("ix_ended_sessions_expires", ended_sessions.c.expires)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(40), nullable=False),
    Column("item_id", Integer, nullable=True),
    Column("bot", String(64), nullable=True),
    Column("reason", Text, nullable=True),
    Column("details", JSON, nullable=True),
)
Index("ix_audit_item", audit.c.item_id)

bot_states = Table(
    "bot_states",
    metadata,
    Column("bot", String(64), primary_key=True),
    Column("paused", Boolean, nullable=False, default=False),
    Column("reason", Text, nullable=True),
    Column("paused_at", UtcDateTime(), nullable=True),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("probe_item_id", Integer, nullable=True),
    Column("circuit_open", Boolean, nullable=False, default=False),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("work_items.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("path", Text, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("size", Integer, nullable=False, default=0),
    Column("created_at", UtcDateTime(), nullable=False),
)
Index("ix_artifacts_item", artifacts.c.item_id)

