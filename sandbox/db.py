"""The sandbox's own SQLite database: one table per kind of record.

Source records keep their contract shape in a JSON ``data`` column beside a few
indexed columns; what bots write gets its own typed table.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    select,
)

metadata = MetaData()

meta = Table("meta", metadata, Column("key", String, primary_key=True), Column("value", JSON))

units = Table(
    "units", metadata, Column("unit", String, primary_key=True), Column("data", JSON, nullable=False)
)

employments = Table(
    "employments",
    metadata,
    Column("employment_id", String, primary_key=True),
    Column("cpr", String, index=True, nullable=False),
    Column("name", String, nullable=False),
    Column("unit", String, index=True, nullable=False),
    Column("pay", String, nullable=False),
    Column("search", Text, nullable=False),
    Column("data", JSON, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("case_id", String, primary_key=True),
    Column("type", String, index=True, nullable=False),
    Column("unit", String, nullable=False),
    Column("status", String, nullable=False, default="Åben"),
    Column("reply", Text),
    Column("reference", String),
    Column("search", Text, nullable=False),
    Column("data", JSON, nullable=False),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String, index=True, nullable=False),
    Column("kind", String, nullable=False),  # reply | status
    Column("status", String),
    Column("text", Text),
    Column("reference", String, nullable=False),
    Column("date", String, nullable=False),
)

absences = Table(
    "absences",
    metadata,
    Column("absence_id", String, primary_key=True),
    Column("employment_id", String, index=True, nullable=False),
    Column("reference", String),
    Column("data", JSON, nullable=False),
)

attest_mail = Table(
    "attest_mail",
    metadata,
    Column("message_id", String, primary_key=True),
    Column("folder", String, nullable=False, default="Indbakke"),
    Column("reference", String),
    Column("processed_date", String),
    Column("pdf", LargeBinary),  # given bytes (pdf_base64); otherwise rendered on demand
    Column("data", JSON, nullable=False),
)

payroll_lines = Table(
    "payroll_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employment_id", String, index=True, nullable=False),
    Column("wage_type", String, nullable=False),
    Column("period", String, nullable=False),
    Column("amount", Float, nullable=False),
    Column("hours", Float),
    Column("earning_year", Integer),
    Column("text", Text),
    Column("pensionable", Boolean),
    Column("reference", String, index=True, nullable=False),
    Column("registered_date", String, nullable=False),
)

terminations = Table(
    "terminations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employment_id", String, index=True, nullable=False),
    Column("last_day", String, nullable=False),
    Column("reference", String, nullable=False),
    Column("registered_date", String, nullable=False),
)

letters = Table(
    "letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employment_id", String, index=True, nullable=False),
    Column("subject", String, nullable=False),
    Column("text", Text, nullable=False),
    Column("pdf", LargeBinary),
    Column("sent", String, nullable=False),
    Column("reference", String, index=True, nullable=False),
)

journal = Table(
    "journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("employment_id", String, index=True, nullable=False),
    Column("kind", String, nullable=False),  # document | note
    Column("title", String, nullable=False),
    Column("doc_type", String),
    Column("access", String, nullable=False),
    Column("text", Text),
    Column("pdf", LargeBinary),
    Column("reference", String, index=True, nullable=False),
    Column("journal_date", String, nullable=False),
)

refund_submissions = Table(
    "refund_submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("absence_id", String, index=True, nullable=False),
    Column("kind", String, nullable=False),  # report | claim
    Column("authority", String, nullable=False),
    Column("claim_from", String),
    Column("claim_to", String),
    Column("hours", Float),
    Column("max_refund", Float),
    Column("decision", String),
    Column("paid", Float),
    Column("reference", String, index=True, nullable=False),
    Column("submitted_date", String, nullable=False),
)

manager_messages = Table(
    "manager_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("unit", String, index=True, nullable=False),
    Column("subject", String, nullable=False),
    Column("text", Text, nullable=False),
    Column("reference", String, index=True, nullable=False),
    Column("sent_date", String, nullable=False),
)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def make_engine(db_path: str | Path) -> Engine:
    """An engine on the sandbox's SQLite file (created with its tables if missing)."""
    path = Path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 10},
        pool_size=8,
        max_overflow=8,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    metadata.create_all(engine)
    return engine


def reset(conn: Connection) -> None:
    """Empty every table (a fresh seed replaces the whole state)."""
    for table in reversed(metadata.sorted_tables):
        conn.execute(table.delete())


def insert(conn: Connection, table: Table, **values: object) -> int:
    """Add one row to a table numbered by ``id``; the new row's number."""
    return int(conn.execute(table.insert().values(**values)).inserted_primary_key[0])


def get_meta(conn: Connection, key: str, default: object = None) -> object:
    value = conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()
    return default if value is None else value


def set_meta(conn: Connection, key: str, value: object) -> None:
    conn.execute(meta.delete().where(meta.c.key == key))
    conn.execute(meta.insert().values(key=key, value=value))
