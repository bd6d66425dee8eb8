"""`rpa bench payouts`: sixth_holiday_week and refund_claims end to end against the sandbox.

Method. The sandbox is seeded at Copenhagen's size: the generator's population, filled up
to 45,000 employments with clones of a monthly-paid employment that has a 6th-week
balance, and given payout requests and claimable sickness absences on those clones (a
plain payout of all unused hours lettered by Digital Post; a claim reported in time). It
is served by a child process, so its request handling shares no GIL with the browsers.

- Per bot, `items` items twice: the reference, the "bare page-object flow" (the bot's
  own performer with the same page-object calls, one browser context per item, in this
  process, but no runner: no store, lease, checkpoint or kept decision), and the runner
  with one worker process (`python -m harness.testing ...`, a real `Worker` with its own
  Chromium on a SQLite store). The ratio is runner over bare for sixth_holiday_week.
- The yearly peak: 45,000 employments x 20 % = 9,000 sixth_holiday_week items. We measure
  `peak_items` (1,000) with one and with four worker processes, and extrapolate linearly:
  9,000 / rate. The run's first and second halves are timed apart, so a rate that falls
  as the store and the sandbox fill up shows.

Every worker launches Chromium before the clock starts; a phase is timed from the common
start to the last item ended. Memory: the proportional set size (PSS, which shares
Chromium's common pages out fairly) of each worker process with its Playwright driver and
Chromium, sampled every two seconds: the peak of one worker and of all workers together,
and the sandbox server's peak. The figures scale with free cores: run on a quiet machine.

`runner` loads no bot, system or sandbox at import: they are imported inside `run()`.
"""

from __future__ import annotations

import contextlib
import copy
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from harness.bench.flow import serve_child

AS_OF = date(2024, 11, 18)
EMPLOYEES = 300  # the generator's own population, planted cases and all
SEED = 5
PEAK_EMPLOYMENTS = 45_000
PEAK_SHARE = 0.20
PEAK_WORKERS = (1, 4)
BOTS = {"sixth_holiday_week": "requests", "refund_claims": "absences"}
OPEN_STATES = ("new", "deferred", "in_progress")
SAMPLE_S = 2.0
PHASE_TIMEOUT_S = 6 * 3600.0

Jobs = list[tuple[str, dict[str, Any]]]


def open_items(store: Any, bot: str) -> int:
    """Items of `bot` not yet ended: new, deferred, or leased by a worker."""
    counts = store.count_by_state()
    return sum(counts.get((bot, state), 0) for state in OPEN_STATES)


# -- the bare page-object flow ------------------------------------------------------------


class BareItem:
    """What a performer reads from an item, with no runner behind it: each step runs at once."""

    def __init__(self, task: str, reference: str, payload: Any, as_of: date, settings: Any,
                 browser: Any, systems: Mapping[str, Any]) -> None:
        self.task, self.reference, self.payload = task, reference, payload
        self.as_of, self.settings, self.browser = as_of, settings, browser
        self._systems = systems

    def system(self, name: str) -> Any:
        return self._systems[name]

    def decision(self, decide: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
        return dict(decide())

    def step(self, name: str, action: Callable[[], Mapping[str, Any] | None]) -> dict[str, Any]:
        del name
        return dict(action() or {})

    def save_artifact(self, kind: str, filename: str, data: bytes) -> None:
        del kind, filename, data


def bare_phase(bot_name: str, base: str, jobs: Jobs) -> float:
    """Seconds for `jobs` (reference, payload) through the bot's performer without the runner."""
    import importlib

    from harness.testing import systems_at
    from runner import BusinessError
    from runner.browser import BrowserPool

    bot = importlib.import_module(f"bots.{bot_name}.bot").bot
    task = bot.task(BOTS[bot_name])
    settings, systems = bot.settings.model_validate({}), systems_at(base)
    pool = BrowserPool(traces=False)
    try:
        pool.session("warm-up").close()  # Chromium runs before the clock starts
        began = time.perf_counter()
        for reference, payload in jobs:
            session = pool.session(reference)
            try:
                item = BareItem(task.name, reference, task.payload.model_validate(payload), AS_OF,
                                settings, session.context, systems)
                with contextlib.suppress(BusinessError):  # an exception ends a bare item too
                    task.process(item)
            finally:
                session.close()
        return time.perf_counter() - began
    finally:
        pool.close()


# -- the runner ---------------------------------------------------------------------------


class MemorySampler:
    """Peak PSS of process trees (a worker with its driver and Chromium), sampled in a thread."""

    def __init__(self, roots: Mapping[str, int]) -> None:
        self.roots = dict(roots)
        self.peak: dict[str, float] = dict.fromkeys(self.roots, 0.0)
        self.peak_total = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="memory-sampler")

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while True:
            sizes = {name: tree_pss_mb(pid) for name, pid in self.roots.items()}
            for name, size in sizes.items():
                self.peak[name] = max(self.peak[name], size)
            self.peak_total = max(self.peak_total, sum(sizes.values()))
            if self._stop.wait(SAMPLE_S):
                return


def tree_pss_mb(pid: int) -> float:
    """PSS of a process and its descendants, in MB (0 when it is gone)."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_full_info().pss
    return round(total / 1e6, 1)


def runner_phase(bot_name: str, base: str, jobs: Jobs, workers: int, folder: Path,
                 sandbox_pid: int) -> dict[str, Any]:
    """`jobs` enqueued on a fresh store and worked by `workers` worker processes: times, memory."""
    from harness.testing import let_go, start_worker
    from runner.store import NewItem
    from runner.testing import make_store

    store = make_store(folder / f"store-{bot_name}-{workers}-{len(jobs)}")
    store.enqueue(NewItem(bot_name, BOTS[bot_name], reference, payload, max_attempts=6)
                  for reference, payload in jobs)
    processes = [start_worker(f"bots.{bot_name}.bot:bot", store.url, base, folder / "workers",
                              f"{bot_name}-{workers}w-{n}", as_of=AS_OF, go=True, log_level="info",
                              timeout_s=PHASE_TIMEOUT_S)
                 for n in range(workers)]
    roots = {f"w{n}": p.pid for n, p in enumerate(processes)}
    with MemorySampler({**roots, "sandbox": sandbox_pid}) as memory:
        began = time.perf_counter()
        let_go(processes)
        half_at = None
        while any(p.poll() is None for p in processes):
            if half_at is None and open_items(store, bot_name) <= len(jobs) - len(jobs) // 2:
                half_at = time.perf_counter() - began
            time.sleep(0.2)
        elapsed = time.perf_counter() - began
    states = {state: n for (bot, state), n in store.count_by_state().items() if bot == bot_name}
    store.close()
    if sum(n for state, n in states.items() if state not in OPEN_STATES) != len(jobs):
        raise RuntimeError(f"{bot_name} with {workers} worker(s) left items unfinished: {states}")
    half = len(jobs) // 2
    half_at = half_at or elapsed
    return {
        "seconds": round(elapsed, 1),
        "items_per_min": per_min(len(jobs), elapsed),
        "items_per_min_per_worker": round(per_min(len(jobs), elapsed) / workers, 1),
        "items_per_min_first_half": per_min(half, half_at),
        "items_per_min_second_half": per_min(len(jobs) - half, elapsed - half_at),
        "states": states,
        "peak_pss_mb_one_worker": max(memory.peak[name] for name in roots),
        "peak_pss_mb_all_workers": round(memory.peak_total - memory.peak["sandbox"], 1),
        "peak_pss_mb_sandbox": memory.peak["sandbox"],
    }


# -- the data -----------------------------------------------------------------------------


def seed(folder: Path, counts: Mapping[str, int]) -> tuple[Path, dict[str, Jobs]]:
    """A Copenhagen-size sandbox database and, per bot, `counts[bot]` jobs on cloned employments."""
    from bots.refund_claims import rules as refund_rules
    from bots.refund_claims.models import AbsenceDecision, AbsenceFacts, EmploymentFacts
    from bots.refund_claims.models import Settings as RefundSettings
    from bots.sixth_holiday_week import rules as holiday_rules
    from bots.sixth_holiday_week.models import CaseFacts as HolidayCase
    from bots.sixth_holiday_week.models import EmploymentFacts as HolidayEmployment
    from bots.sixth_holiday_week.models import Settings as HolidaySettings
    from hr.cpr import generate_cpr
    from sandbox import dataset, generator

    data = generator.generate(EMPLOYEES, seed=SEED)
    employments = {e["employment_id"]: e for e in data["employments"]}
    template_case = next(  # a plain payout of all unused hours, lettered by Digital Post
        c for c in data["cases"] if c["type"] == "holiday6_payout_request" and c["hours"] is None
        and employments[c["employment_id"]]["digital_post"]
        and holiday_rules.decide_request(HolidayEmployment.read(employments[c["employment_id"]]),
                                         HolidayCase.read(c), AS_OF, HolidaySettings()).outcome == "payout")

    def refund_decision(absence: dict[str, Any]) -> AbsenceDecision:
        employment = employments.get(absence["employment_id"])
        facts = EmploymentFacts.read(employment) if employment is not None else None
        return refund_rules.decide_absence(facts, AbsenceFacts.read(absence), AS_OF, RefundSettings())

    template_absence = next(  # a claim reported in time: claim and claimed_until, no report, no message
        a for a in data["absences"]
        if (d := refund_decision(a)).outcome == "claim"
        and not d.report_now and not d.warnings and a["type"] == "sickness")
    template_employment = employments[template_case["employment_id"]]
    rng = random.Random(SEED)
    jobs: dict[str, Jobs] = {bot: [] for bot in BOTS}
    last_year = AS_OF.year - 1
    for n in range(max(PEAK_EMPLOYMENTS - len(data["employments"]), *counts.values())):
        employment = copy.deepcopy(template_employment)
        employment["employment_id"] = f"E9{n:05d}"
        employment["cpr"] = generate_cpr(rng, date(rng.randint(1960, 2000), rng.randint(1, 12),
                                                  rng.randint(1, 28)))
        employment["end_date"] = None
        employment["digital_post"] = True
        employment["holiday6"] = [{"earning_year": last_year, "earned_hours": employment["weekly_hours"],
                                   "taken_hours": 0.0, "paid_hours": 0.0, "transferred_hours": 0.0}]
        data["employments"].append(employment)
        if n < counts["sixth_holiday_week"]:
            case = {**template_case, "case_id": f"SP-BENCH-{n:05d}", "hours": None,
                    "employment_id": employment["employment_id"], "unit": employment["unit"],
                    "earning_year": last_year}
            data["cases"].append(case)
            jobs["sixth_holiday_week"].append((case["case_id"], {"case_id": case["case_id"]}))
        if n < counts["refund_claims"]:
            absence = {**template_absence, "absence_id": f"F9{n:05d}",
                       "employment_id": employment["employment_id"]}
            data["absences"].append(absence)
            jobs["refund_claims"].append((f"{absence['absence_id']}:claim", {
                "absence_id": absence["absence_id"], "kind": "claim", "claim_to": None}))
    db = folder / "sandbox.db"
    dataset.load(db, data)
    return db, jobs


def per_min(count: int, seconds: float) -> float:
    return round(count / seconds * 60, 1) if seconds > 0 else 0.0


def run(items: int = 200, peak_items: int = 1000) -> dict[str, Any]:
    """Both bots, `items` items bare and with one worker; `peak_items` with one and four workers."""
    items, peak_items = max(4, items), max(4, peak_items)
    peak_total = int(PEAK_EMPLOYMENTS * PEAK_SHARE)
    ours: dict[str, Any] = {"items_per_bot": items, "peak_items_measured": peak_items,
                            "cores": os.cpu_count(), "load_avg_1m_at_start": round(os.getloadavg()[0], 2)}
    bare: dict[str, Any] = {"items_per_bot": items}
    counts = {"sixth_holiday_week": 2 * items + len(PEAK_WORKERS) * peak_items, "refund_claims": 2 * items}
    with tempfile.TemporaryDirectory(prefix="rpa-bench-payouts-") as name:
        folder = Path(name)
        from runner.logs import configure_logging

        configure_logging(folder / "logs", "warning")  # stdout carries the report only
        db, jobs = seed(folder, counts)
        ours["sandbox_employments"] = PEAK_EMPLOYMENTS
        base, child = serve_child(db)
        try:
            for bot_name, bot_jobs in jobs.items():
                bare[f"{bot_name}_items_per_min_1worker"] = per_min(items, bare_phase(
                    bot_name, base, bot_jobs[:items]))
                phase = runner_phase(bot_name, base, bot_jobs[items:2 * items], 1, folder, child.pid)
                ours[f"{bot_name}_items_per_min_1worker"] = phase["items_per_min"]
                ours[f"{bot_name}_states_1worker"] = phase["states"]
            rest = jobs["sixth_holiday_week"][2 * items:]
            for n, workers in enumerate(PEAK_WORKERS):
                phase = runner_phase("sixth_holiday_week", base, rest[n * peak_items:(n + 1) * peak_items],
                                     workers, folder, child.pid)
                ours[f"peak_run_{workers}worker"] = phase
                hours = peak_total / phase["items_per_min"] / 60 if phase["items_per_min"] else None
                ours[f"peak_{peak_total}_items_hours_{workers}worker"] = round(hours, 2) if hours else None
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(timeout=30)
    ours["peak_method"] = (
        f"{PEAK_EMPLOYMENTS} employments x {PEAK_SHARE:.0%} = {peak_total} payout requests; "
        f"{peak_items} sixth_holiday_week items measured end to end on a {PEAK_EMPLOYMENTS}-employment "
        f"sandbox with 1 and with 4 worker processes on {os.cpu_count()} cores; hours = {peak_total} / "
        "measured items per minute / 60 (linear: compare the halves' rates)")
    ours["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    ratio_key = "sixth_holiday_week_items_per_min_1worker"
    return {
        "name": "payouts",
        "items": items,
        "flow": ("sixth_holiday_week requests (case, employment, payroll line, letter, journal, case "
                 "solved) and refund_claims absences (absence, employment, claim, claimed_until)"),
        "method": __doc__.split("Method.", 1)[1].split("`runner` loads", 1)[0].strip() if __doc__ else "",
        "figures": ours,
        "reference": {"name": "bare page-object flow", "figures": bare},
        "ratio": round(ours[ratio_key] / bare[ratio_key], 2) if bare[ratio_key] else None,
    }


if __name__ == "__main__":
    import json

    arguments = [int(a) for a in sys.argv[1:3]]
    print(json.dumps(run(*arguments), indent=2))
