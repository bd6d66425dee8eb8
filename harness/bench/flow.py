"""`rpa bench flow`: one typical item flow through the page objects, beside a bare
Playwright script doing the same clicks.

The flow: open an employment (logging in on a fresh context, as a worker's item does),
read the monthly salary and the 6th-week balances, register a payroll line (verify the
reference first, then fill and submit the form), read the receipt. Both sides run with
1 and with 4 browser contexts (4 threads, each with its own `BrowserPool`), tracing off
and on. The sandbox is seeded in a temporary folder and served by a child process, so
its request handling does not share this process's GIL with the browsers' threads.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

EMPLOYEES = 150
SEED = 3
PERIOD = "2024-12"
PAGE_SAMPLES = 25  # GETs per client when timing the sandbox's pages

Flow = Callable[[Any, str, str, str], str]  # (context, base url, employment id, reference) -> receipt


def page_object_flow(context: Any, url: str, employment_id: str, reference: str) -> str:
    from runner import SystemAccess
    from systems import Payroll

    payroll = Payroll(context, SystemAccess("payroll", f"{url}/payroll", "robot", "sandbox"))
    employment = payroll.employment(employment_id)
    assert employment is not None and employment.monthly_salary is not None
    _unused = sum(balance.unused_hours for balance in employment.holiday6)
    receipt = payroll.register_line(employment_id, wage_type="Engangsvederlag", period=PERIOD,
                                    amount=employment.monthly_salary / 100, text="Benchmark",
                                    pensionable=True, reference=reference)
    return receipt.receipt_id


def bare_flow(context: Any, url: str, employment_id: str, reference: str) -> str:
    """The same visits and clicks, written straight against Playwright."""
    page = context.new_page()
    page.set_default_timeout(5_000)
    employment_url = f"{url}/payroll/employments/{employment_id}"
    page.goto(employment_url)
    if "/login" in page.url:
        page.get_by_test_id("input-username").fill("robot")
        page.get_by_test_id("input-password").fill("sandbox")
        with page.expect_navigation():
            page.get_by_test_id("login-submit").click()
    salary = float(page.get_by_test_id("value-monthly_salary").get_attribute("data-value") or 0)
    balances = page.get_by_test_id("holiday6-table").get_by_test_id("cell-unused_hours")
    _unused = sum(float(cell.get_attribute("data-value") or 0) for cell in balances.all())
    page.goto(employment_url)  # verify before acting, on a fresh page, as the page object does
    lines = page.get_by_test_id("payroll-lines-table").get_by_test_id("cell-reference")
    if reference in [cell.get_attribute("data-value") for cell in lines.all()]:
        return "already done"
    form = page.get_by_test_id("payroll-line-form")
    form.get_by_test_id("input-wage_type").select_option("Engangsvederlag")
    form.get_by_test_id("input-period").fill(PERIOD)
    form.get_by_test_id("input-amount").fill(f"{salary / 100:.2f}")
    form.get_by_test_id("input-text").fill("Benchmark")
    form.get_by_test_id("input-pensionable").select_option("ja")
    form.get_by_test_id("input-reference").fill(reference)
    with page.expect_navigation():
        form.get_by_test_id("payroll-line-form-submit").click()
    return str(page.get_by_test_id("receipt-id").inner_text())


Phase = tuple[Flow, int, bool, list[tuple[str, str]]]  # flow, contexts, tracing, jobs


def _worker(index: int, url: str, phases: list[Phase], gate: threading.Barrier) -> None:
    """One thread with its own Chromium; takes its share of every phase that uses it."""
    from runner.browser import BrowserPool

    pool = BrowserPool(traces=False)
    try:
        pool.session("warm-up").close()  # launch Chromium before any clock starts
        for flow, contexts, tracing, jobs in phases:
            pool.traces = tracing
            gate.wait()  # start
            for employment_id, reference in jobs[index::contexts] if index < contexts else []:
                session = pool.session(reference)
                try:
                    receipt = flow(session.context, url, employment_id, reference)
                    assert receipt.startswith("PL-"), receipt
                finally:
                    session.close()
            gate.wait()  # end
    except BaseException:
        gate.abort()  # free the other threads; the error surfaces from this thread's future
        raise
    finally:
        pool.close()


def run_phases(url: str, phases: list[Phase], threads: int = 4) -> list[float]:
    """Flows per minute of each phase, timed from its common start to its last flow."""
    gate = threading.Barrier(threads + 1, timeout=600)
    rates = []
    with ThreadPoolExecutor(threads) as executor:
        futures = [executor.submit(_worker, i, url, phases, gate) for i in range(threads)]
        try:
            for _flow, _contexts, _tracing, jobs in phases:
                gate.wait()
                began = time.perf_counter()
                gate.wait()
                rates.append(round(len(jobs) / (time.perf_counter() - began) * 60, 1))
        except threading.BrokenBarrierError:
            pass  # a worker failed: its future says why
        for future in futures:
            future.result()
    return rates


def median_page_ms(url: str, employment_ids: list[str], clients: int) -> float:
    """The sandbox's median time for an employment page, `clients` logged-in clients at once."""
    import httpx

    def client_times(offset: int) -> list[float]:
        times = []
        with httpx.Client(base_url=url, timeout=30) as client:
            client.post("/payroll/login", data={"username": "robot", "password": "sandbox", "next": ""})
            for n in range(PAGE_SAMPLES):
                employment_id = employment_ids[(offset + n) % len(employment_ids)]
                began = time.perf_counter()
                response = client.get(f"/payroll/employments/{employment_id}")
                times.append((time.perf_counter() - began) * 1000)
                response.raise_for_status()
        return times

    with ThreadPoolExecutor(clients) as executor:
        samples = [t for times in executor.map(client_times, range(0, clients * 7, 7)) for t in times]
    return round(statistics.median(samples), 1)


def _seed(folder: Path) -> tuple[Path, list[str]]:
    from sandbox import dataset, generator

    data = generator.generate(EMPLOYEES, seed=SEED)
    db = folder / "sandbox.db"
    dataset.load(db, data)
    ids = [e["employment_id"] for e in data["employments"]
           if e["pay"] == "monthly" and e["end_date"] is None and e.get("monthly_salary")]
    return db, ids


def serve_child(db: Path) -> tuple[str, subprocess.Popen[str]]:
    """The sandbox over `db` in a child process (its own core); its URL and the process."""
    command = [sys.executable, "-m", "harness.bench.flow", "serve", str(db)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    return child.stdout.readline().strip(), child


def _label(contexts: int, tracing: bool) -> str:
    return f"{contexts}ctx" + ("_tracing" if tracing else "")


def _figures(rates: dict[str, float], items: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"items": items}
    figures.update({f"flows_per_min_{label}": rate for label, rate in rates.items()})
    for contexts in ("1ctx", "4ctx"):
        off, on = rates[contexts], rates[f"{contexts}_tracing"]
        figures[f"tracing_cost_pct_{contexts}"] = round((off - on) / off * 100, 1)
    return figures


def run(items: int = 20) -> dict[str, Any]:
    """Both sides, `items` flows per configuration; the ratio is page objects over bare (1 context)."""
    sides: dict[str, Flow] = {"po": page_object_flow, "bare": bare_flow}
    configs = [(contexts, tracing) for tracing in (False, True) for contexts in (1, 4)]
    with tempfile.TemporaryDirectory(prefix="rpa-bench-flow-") as folder:
        db, ids = _seed(Path(folder))
        url, child = serve_child(db)
        try:
            phases: list[Phase] = []
            keys = []
            for contexts, tracing in configs:
                for side, flow in sides.items():  # alternate sides, so load drifts hit both
                    label = _label(contexts, tracing)
                    jobs = [(ids[n % len(ids)], f"bench-{side}-{label}-{n}") for n in range(items)]
                    phases.append((flow, contexts, tracing, jobs))
                    keys.append((side, label))
            rates = run_phases(url, phases)
            pages = {"sandbox_median_page_ms_1client": median_page_ms(url, ids, 1),
                     "sandbox_median_page_ms_4clients": median_page_ms(url, ids, 4)}
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(timeout=30)
    by_side: dict[str, dict[str, float]] = {"po": {}, "bare": {}}
    for (side, label), rate in zip(keys, rates, strict=True):
        by_side[side][label] = rate
    ours, bare = _figures(by_side["po"], items), _figures(by_side["bare"], items)
    for label in by_side["po"]:
        ours[f"ratio_{label}"] = round(by_side["po"][label] / by_side["bare"][label], 2)
    ours.update(pages)
    return {
        "name": "flow",
        "items": items,
        "flow": "open employment, read salary and 6th-week balance, register a payroll line, read receipt",
        "figures": ours,
        "reference": {"name": "bare playwright script", "figures": bare},
        "ratio": ours["ratio_1ctx"],
    }


def _serve_until_stdin_closes(db: str) -> None:
    from sandbox.server import serve_in_thread

    url, stop = serve_in_thread(db, port=0)
    print(url, flush=True)
    sys.stdin.read()
    stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        _serve_until_stdin_closes(sys.argv[2])
    else:
        import json

        count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
        print(json.dumps(run(count), indent=2))
