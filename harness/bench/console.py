"""`rpa bench console`: the console's pages over a full store, beside one raw SQL query each.

A store of `items` work items (`exceptions` of them waiting for a person, the rest done or
waiting) is written straight into the tables, on SQLite and on the local PostgreSQL; a real
`rpa console` process serves it; a logged-in client (a cookie session, as a browser has)
fetches the overview, a queue page unfiltered and filtered by bot + code, an item page and the
exception list, `rounds` times each; p50 and p95 per page. The reference, in the same run, is
the same page's data read with one raw SQL query through the same driver; beside it, `healthz`
is what an HTTP round trip to that console costs with no data at all (the floor of any page).

PostgreSQL: `RPA_BENCH_POSTGRES` (default `postgresql+psycopg://postgres@127.0.0.1:5432/postgres`)
names a server where the benchmark may create and drop the database `rpa_bench_console`;
`--json` reports `"postgres": null` with the reason when it cannot.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_VARIABLE = "RPA_BENCH_POSTGRES"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE = "rpa_bench_console"
USER, PASSWORD = "bench", "benchmark-adgangskode-1"
TARGET_P50_MS, TARGET_P95_MS, TARGET_RATIO = 100.0, 250.0, 5.0
# The bots and tasks the demo deploys, with the codes their exceptions carry.
TASKS = {
    ("termination_letters", "resignations"): ("EMPLOYEE_NOT_FOUND", "NOTICE_TOO_SHORT"),
    ("one_off_supplements", "cases"): ("AMOUNT_OUT_OF_RANGE", "EMPLOYEE_NOT_FOUND"),
    ("sixth_holiday_week", "payouts"): ("NO_BALANCE", "ALREADY_PAID"),
    ("refund_claims", "claims"): ("DEADLINE_PASSED", "NOT_ELIGIBLE"),
}
FILTER_BOT, FILTER_CODE = "one_off_supplements", "AMOUNT_OUT_OF_RANGE"
EXCEPTION_STATES = ("business_exception", "system_exception")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _cpr(n: int) -> str:
    day, month, year = 1 + n % 28, 1 + n % 12, 50 + n % 50
    return f"{day:02d}{month:02d}{year:02d}{n % 10_000:04d}"


def _rows(items: int, exceptions: int, now: datetime) -> Iterator[dict[str, Any]]:
    """Work items as the tables hold them: `exceptions` waiting for a person, spread evenly
    over the ids, a few waiting or deferred, the rest done over the last 30 days."""
    chosen = random.Random(11)
    tasks = list(TASKS)
    every = max(1, items // max(1, exceptions))
    made = 0
    for n in range(items):
        bot, task = tasks[n % len(tasks)]
        created = now - timedelta(minutes=(items - n) * 30 * 24 * 60 / items)
        state, code, kind, message = "done", None, None, None
        if n % every == every - 1 and made < exceptions:
            bot, task = tasks[made % len(tasks)]  # every bot has its share of the exceptions
            made += 1
            state = EXCEPTION_STATES[0] if n % 5 else EXCEPTION_STATES[1]
            code = chosen.choice(TASKS[(bot, task)]) if state == EXCEPTION_STATES[0] else "TIMEOUT"
            kind = "business" if state == EXCEPTION_STATES[0] else "system"
            message = f"Sagen for {_cpr(n)} kunne ikke behandles ({code})."
        elif n % 997 == 0:
            state = "new"
        yield {
            "bot": bot, "task": task, "reference": f"{task}-{n:07d}",
            "payload": {"cpr": _cpr(n), "case_id": f"SAG-{n:07d}", "amount": 1000 + n % 40_000,
                        "note": "Tillæg for ekstra vagter i november"},
            "priority": 0, "due": (now + timedelta(days=n % 40 - 5)).date(), "state": state,
            "attempts": 1 if state != "new" else 0, "max_attempts": 3, "today": date(2026, 11, 30),
            "result": {"decision": "pay"} if state == "done" else None,
            "error_kind": kind, "error_code": code, "error_message": message,
            "visible_to": None, "assigned_to": None, "has_checkpoints": False,
            "created_at": created, "updated_at": created + timedelta(minutes=3),
        }


def _fill(url: str, items: int, exceptions: int) -> None:
    from runner.store import open_store
    from runner.store.tables import audit, runs, work_items

    store = open_store(url)
    store.migrate()
    store.close()
    engine = sa.create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        batch: list[dict[str, Any]] = []
        for row in _rows(items, exceptions, now):
            batch.append(row)
            if len(batch) == 5_000:
                connection.execute(work_items.insert(), batch)
                batch = []
        if batch:
            connection.execute(work_items.insert(), batch)
        connection.execute(runs.insert(), [
            {"bot": bot, "task": task, "state": "finished", "trigger": "schedule", "actor": "scheduler",
             "enqueued": 250, "started_at": now - timedelta(hours=h),
             "finished_at": now - timedelta(hours=h, minutes=-4)}
            for h in range(1, 400) for bot, task in TASKS])
        connection.execute(audit.insert(), [
            {"at": now - timedelta(minutes=m), "actor": "ops-bruger", "action": "retry",
             "item_id": 1 + m * 7 % items, "bot": FILTER_BOT, "reason": "Rettet beløb", "details": None}
            for m in range(2_000)])
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()


def _config(folder: Path) -> Path:
    """The shipped orchestrator.yaml, its relative paths (store, logs, key) in `folder`."""
    config = folder / "orchestrator.yaml"
    shutil.copy(ROOT / "orchestrator.yaml", config)
    return config


@contextmanager
def _console(config: Path, url: str) -> Iterator[str]:
    """A real `rpa console` process on a free port over `url`, with one logged-in user."""
    env = {**os.environ, "RPA_DATABASE_URL": url, "RPA_CONFIG": str(config)}
    rpa = [str(Path(sys.executable).with_name("rpa"))]
    subprocess.run([*rpa, "users", "add", USER, "--role", "ops", "--role", "operator",
                    "--role", "admin"], env=env, check=True, capture_output=True)
    subprocess.run([*rpa, "--as", USER, "users", "passwd", USER, "--password-stdin"], env=env,
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    server = subprocess.Popen([*rpa, "console", "--port", "0"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line.startswith("console: "):
            raise RuntimeError(f"rpa console did not start: {line!r}")
        yield line.removeprefix("console: ").strip().rstrip("/")
    finally:
        server.terminate()
        server.wait(timeout=30)


def _logged_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    form = client.get("/login")
    found = CSRF.search(form.text)
    assert found, "the login page has no CSRF token"
    answer = client.post("/login", data={"username": USER, "password": PASSWORD,
                                         "csrf_token": found.group(1)})
    assert answer.status_code == 303, answer.text
    return client


def _raw_queries(url: str, item_id: int) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each page's data in one raw SQL query (the reference)."""
    columns = "id, bot, task, reference, state, attempts, error_code, due, updated_at"
    exceptions = "('business_exception', 'system_exception')"
    return {
        "overview": ("SELECT bot, state, count(*) FROM work_items GROUP BY bot, state", {}),
        "queue": (f"SELECT {columns} FROM work_items ORDER BY id LIMIT 50", {}),
        "queue_bot_code": (f"SELECT {columns} FROM work_items WHERE bot = :bot AND error_code = :code "
                           "ORDER BY id LIMIT 50", {"bot": FILTER_BOT, "code": FILTER_CODE}),
        "item": ("SELECT * FROM work_items WHERE id = :id", {"id": item_id}),
        "exceptions": (f"SELECT {columns} FROM work_items WHERE state IN {exceptions} "
                       "ORDER BY id LIMIT 50", {}),
    }


def _pages(item_id: int) -> dict[str, str]:
    states = "&".join(f"state={state}" for state in EXCEPTION_STATES)
    return {
        "overview": "/",
        "queue": "/queue",
        "queue_bot_code": f"/queue?bot={FILTER_BOT}&code={FILTER_CODE}",
        "item": f"/items/{item_id}",
        "exceptions": f"/queue?{states}",
    }


def _timed(work: Callable[[], None], rounds: int) -> dict[str, float]:
    work()  # warm: templates compiled, caches filled, as on a console in use
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, round(0.95 * len(times)) - 1)], 1)}


def _measure(config: Path, url: str, rounds: int) -> dict[str, Any]:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        item_id = connection.execute(sa.text(
            "SELECT min(id) FROM work_items WHERE bot = :bot AND error_code = :code"),
            {"bot": FILTER_BOT, "code": FILTER_CODE}).scalar_one()
    pages: dict[str, Any] = {}
    with _console(config, url) as base, contextlib.closing(_logged_in(base)) as client:
        queries = _raw_queries(url, item_id)
        for page, path in _pages(item_id).items():
            def fetch(path: str = path) -> None:
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)

            sql, params = queries[page]

            def query(sql: str = sql, params: dict[str, Any] = params) -> None:
                with engine.connect() as connection:
                    connection.execute(sa.text(sql), params).fetchall()

            figures = _timed(fetch, rounds)
            raw = _timed(query, rounds)
            ratio = round(figures["p50_ms"] / max(raw["p50_ms"], 0.1), 1)
            pages[page] = {"path": path, **figures, "raw_sql": raw, "ratio_p50": ratio,
                           "meets_target": figures["p50_ms"] < TARGET_P50_MS
                           and figures["p95_ms"] < TARGET_P95_MS and ratio <= TARGET_RATIO}
        def healthz() -> None:
            client.get("/healthz").raise_for_status()

        floor = _timed(healthz, rounds)
    engine.dispose()
    return {"pages": pages, "healthz": floor}


def _postgres_url() -> tuple[str | None, str | None]:
    server = os.environ.get(POSTGRES_VARIABLE, POSTGRES_DEFAULT)
    try:
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE}"))
            connection.execute(sa.text(f"CREATE DATABASE {DATABASE}"))
        admin.dispose()
    except sa.exc.OperationalError as error:
        return None, f"{server}: {str(error).splitlines()[0]}"
    return sa.make_url(server).set(database=DATABASE).render_as_string(hide_password=False), None


def _drop_postgres() -> None:
    server = os.environ.get(POSTGRES_VARIABLE, POSTGRES_DEFAULT)
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
    admin.dispose()


def run(items: int = 100_000, exceptions: int = 5_000, rounds: int = 60) -> dict[str, Any]:
    """Both databases at `items` items with `exceptions` exceptions; `rounds` fetches a page."""
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="rpa-bench-console-") as folder:
        config = _config(Path(folder))
        sqlite_url = f"sqlite:///{Path(folder) / 'var' / 'rpa.db'}"
        (Path(folder) / "var").mkdir()
        started = time.perf_counter()
        _fill(sqlite_url, items, exceptions)
        figures["sqlite"] = {"fill_s": round(time.perf_counter() - started, 1),
                             **_measure(config, sqlite_url, rounds)}
        postgres_url, why_not = _postgres_url()
        if postgres_url is None:
            figures["postgres"] = None
            figures["postgres_skipped"] = why_not
        else:
            try:
                started = time.perf_counter()
                _fill(postgres_url, items, exceptions)
                figures["postgres"] = {"fill_s": round(time.perf_counter() - started, 1),
                                       **_measure(config, postgres_url, rounds)}
            finally:
                _drop_postgres()
    pages = [page for side in ("sqlite", "postgres") if figures.get(side)
             for page in figures[side]["pages"].values()]
    return {
        "name": "console",
        "items": items,
        "exceptions": exceptions,
        "rounds": rounds,
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "targets": {"p50_ms": TARGET_P50_MS, "p95_ms": TARGET_P95_MS, "ratio_p50": TARGET_RATIO},
        "figures": figures,
        "reference": {"name": "the same page's data by one raw SQL query (same driver)",
                      "figures": {side: {page: f["raw_sql"] for page, f in figures[side]["pages"].items()}
                                  for side in ("sqlite", "postgres") if figures.get(side)}},
        "ratio": max((page["ratio_p50"] for page in pages), default=None),
        "all_meet_target": all(page["meets_target"] for page in pages),
    }
