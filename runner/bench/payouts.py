"""`rpa bench payouts`: sixth_holiday_week and refund_claims end to end against the sandbox.

Method. A sandbox is seeded (the generator's population, plus `items` payout requests
and `items` claimable sickness absences cloned from its planted ones, each on its own
monthly-paid employment) and served by a child process, so its request handling does
not share a GIL with the browsers. For each bot, `items` items are performed three ways:

- reference, "bare page-object flow": the bot's own performer with the same page-object
  calls, one browser context per item, but no runner: no store, no lease, no
  checkpoints, no decision kept (a stand-in item runs each step at once);
- the runner, one worker process (`python -m sandbox.testing ...`, a real `Worker`
  with its own Chromium on a SQLite store), and
- the runner, four worker processes on the same store.

Every worker launches Chromium before the clock starts; a phase is timed from the
common start to the last item ended. Figures: items per minute (all workers) and per
worker, for each bot; the ratio is runner over bare with one worker (sixth_holiday_week).
The yearly peak: Copenhagen has about 45,000 employments; 20 % ask for a payout (9,000
sixth_holiday_week items); its duration is extrapolated linearly from the measured
sixth_holiday_week rate with one and with four workers: 9,000 / rate (an assumption: the
rate of a short run holds for the peak; the store and the sandbox are not modelled at that
size). Memory: peak RSS of this process (RUSAGE_SELF, with the bare flow's Chromium driver
threads) and of the largest waited-for child (RUSAGE_CHILDREN; Linux reports the maximum,
not a sum). Run on a quiet machine: the figures scale with free cores.

`runner` loads no bot, system or sandbox at import: they are imported inside `run()`.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

AS_OF = date(2024, 11, 18)
EMPLOYEES = 300
SEED = 5
PEAK_EMPLOYMENTS = 45_000
PEAK_SHARE = 0.20
SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")
BOTS = {"sixth_holiday_week": "requests", "refund_claims": "absences"}
OPEN_STATES = ("new", "deferred", "in_progress")


def systems_for(base: str) -> dict[str, Any]:
    """The sandbox's systems as a worker reaches them (user robot, password sandbox)."""
    from runner import SystemAccess

    return {name: SystemAccess(name, f"{base}/{name}", "robot", "sandbox") for name in SYSTEMS}


def open_items(store: Any, bot: str) -> int:
    """Items of `bot` not yet ended: new, deferred, or leased by a worker."""
    counts = store.count_by_state()
    return sum(counts.get((bot, state), 0) for state in OPEN_STATES)


# -- the bare page-object flow ------------------------------------------------------------


class BareItem:
    """What a performer reads from an item, with no runner behind it: each step runs at once."""

    def __init__(self, task: str, reference: str, payload: Any, today: date, settings: Any,
                 browser: Any, systems: Mapping[str, Any]) -> None:
        self.task, self.reference, self.payload = task, reference, payload
        self.today, self.settings, self.browser = today, settings, browser
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


def _performer(bot_name: str) -> tuple[Any, Callable[[Any], Any], Any, Any]:
    """(bot, performer, payload model, settings) of the benchmarked task."""
    import importlib

    module = importlib.import_module(f"bots.{bot_name}.bot")
    bot = module.bot
    task = next(t for t in bot.tasks if t.name == BOTS[bot_name])
    return bot, task.process, task.payload, bot.settings.model_validate({})


def bare_phase(bot_name: str, base: str, jobs: list[tuple[str, dict[str, Any]]], threads: int) -> float:
    """Seconds for `jobs` (reference, payload) through the bot's performer without the runner."""
    from runner import BusinessError
    from runner.browser import BrowserPool

    _bot, perform, model, settings = _performer(bot_name)
    systems = systems_for(base)
    gate = threading.Barrier(threads + 1, timeout=600)

    def work(index: int) -> None:
        pool = BrowserPool(traces=False)
        try:
            pool.session("warm-up").close()
            gate.wait()
            for reference, payload in jobs[index::threads]:
                session = pool.session(reference)
                try:
                    item = BareItem(BOTS[bot_name], reference, model.model_validate(payload), AS_OF,
                                    settings, session.context, systems)
                    with contextlib.suppress(BusinessError):  # an exception ends a bare item too
                        perform(item)
                finally:
                    session.close()
        except BaseException:
            gate.abort()
            raise
        finally:
            pool.close()

    with ThreadPoolExecutor(threads) as executor:
        futures = [executor.submit(work, i) for i in range(threads)]
        gate.wait()
        began = time.perf_counter()
        for future in futures:
            future.result()
        return time.perf_counter() - began


def runner_phase(bot_name: str, base: str, jobs: list[tuple[str, dict[str, Any]]], workers: int,
                 folder: Path) -> tuple[float, dict[str, int]]:
    """Seconds for `jobs` enqueued on a fresh store and worked by `workers` worker processes."""
    from runner.store import NewItem
    from runner.testing import make_store
    from sandbox.testing import let_go, start_worker

    store = make_store(folder / f"store-{bot_name}-{workers}")
    store.enqueue(NewItem(bot_name, BOTS[bot_name], reference, payload, max_attempts=6)
                  for reference, payload in jobs)
    processes = [start_worker(f"bots.{bot_name}.bot:bot", store.url, base, folder / "workers", f"w{n}",
                              today=AS_OF, go=True, log_level="info")
                 for n in range(workers)]
    began = time.perf_counter()
    let_go(processes)
    for process in processes:
        process.wait(timeout=3600)
    elapsed = time.perf_counter() - began
    states: dict[str, int] = {}
    for (bot, state), count in store.count_by_state().items():
        if bot == bot_name:
            states[state] = count
    store.close()
    return elapsed, states


# -- the data -----------------------------------------------------------------------------


def seed(folder: Path, items: int) -> tuple[Path, dict[str, list[tuple[str, dict[str, Any]]]]]:
    """The sandbox database and, per bot, `items` jobs for each of the three phases."""
    import copy
    import random

    from bots.refund_claims import rules as refund_rules
    from bots.refund_claims.models import Settings as RefundSettings
    from bots.sixth_holiday_week import rules as holiday_rules
    from bots.sixth_holiday_week.models import Settings as HolidaySettings
    from hr.cpr import generate_cpr
    from sandbox import dataset, generator

    data = generator.generate(EMPLOYEES, seed=SEED)
    employments = {e["employment_id"]: e for e in data["employments"]}
    template_case = next(  # a plain payout of all unused hours, lettered by Digital Post
        c for c in data["cases"] if c["type"] == "holiday6_payout_request" and c["hours"] is None
        and employments[c["employment_id"]]["digital_post"]
        and holiday_rules.decide_request(employments[c["employment_id"]], c, AS_OF,
                                         HolidaySettings())["outcome"] == "payout")
    template_absence = next(  # a claim reported in time: claim and claimed_until, no report, no message
        a for a in data["absences"]
        if (d := refund_rules.decide_absence(employments.get(a["employment_id"]), a, AS_OF,
                                             RefundSettings()))["outcome"] == "claim"
        and not d["report_now"] and not d["warnings"] and a["type"] == "sickness")
    template_employment = employments[template_case["employment_id"]]
    rng = random.Random(SEED)
    jobs: dict[str, list[tuple[str, dict[str, Any]]]] = {bot: [] for bot in BOTS}
    last_year = AS_OF.year - 1
    for n in range(items * 3):
        employment = copy.deepcopy(template_employment)
        employment["employment_id"] = f"E9{n:05d}"
        employment["cpr"] = generate_cpr(rng, date(rng.randint(1960, 2000), rng.randint(1, 12),
                                                  rng.randint(1, 28)))
        employment["end_date"] = None
        employment["digital_post"] = True
        employment["holiday6"] = [{"earning_year": last_year, "earned_hours": employment["weekly_hours"],
                                   "taken_hours": 0.0, "paid_hours": 0.0, "transferred_hours": 0.0}]
        data["employments"].append(employment)
        case = {**template_case, "case_id": f"SP-BENCH-{n:05d}", "employment_id": employment["employment_id"],
                "unit": employment["unit"], "hours": None, "earning_year": last_year}
        data["cases"].append(case)
        absence = {**template_absence, "absence_id": f"F9{n:05d}",
                   "employment_id": employment["employment_id"]}
        data["absences"].append(absence)
        if n == 0:
            decision = refund_rules.decide_absence(employment, absence, AS_OF, RefundSettings())
            assert decision["outcome"] == "claim", decision
        jobs["sixth_holiday_week"].append((case["case_id"], {"case_id": case["case_id"]}))
        jobs["refund_claims"].append((f"{absence['absence_id']}:claim",
                                      {"absence_id": absence["absence_id"], "kind": "claim",
                                       "claim_to": None}))
    db = folder / "sandbox.db"
    dataset.load(db, data)
    return db, jobs


def _serve(db: Path) -> tuple[str, subprocess.Popen[str]]:
    command = [sys.executable, "-m", "runner.bench.flow", "serve", str(db)]
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    return child.stdout.readline().strip(), child


def _per_min(count: int, seconds: float) -> float:
    return round(count / seconds * 60, 1) if seconds else 0.0


def _max_rss_mb(who: int) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # Linux: kilobytes


def run(items: int = 200) -> dict[str, Any]:
    """Both bots, `items` items per phase: bare flow (1 thread), runner with 1 and 4 workers."""
    items = max(4, items)
    ours: dict[str, Any] = {"items_per_phase": items, "cores": os.cpu_count(),
                            "load_avg_1m_at_start": round(os.getloadavg()[0], 2)}
    bare: dict[str, Any] = {"items_per_phase": items}
    with tempfile.TemporaryDirectory(prefix="rpa-bench-payouts-") as name:
        folder = Path(name)
        from runner.logs import configure_logging

        configure_logging(folder / "logs", "warning")  # stdout carries the report only
        db, jobs = seed(folder, items)
        base, child = _serve(db)
        try:
            for bot_name, bot_jobs in jobs.items():
                phases = [bot_jobs[i * items:(i + 1) * items] for i in range(3)]
                seconds = bare_phase(bot_name, base, phases[0], threads=1)
                bare[f"{bot_name}_items_per_min_1worker"] = _per_min(items, seconds)
                for workers, batch in ((1, phases[1]), (4, phases[2])):
                    seconds, states = runner_phase(bot_name, base, batch, workers, folder)
                    rate = _per_min(items, seconds)
                    ours[f"{bot_name}_items_per_min_{workers}worker"] = rate
                    ours[f"{bot_name}_items_per_min_per_worker_{workers}worker"] = round(rate / workers, 1)
                    ours[f"{bot_name}_states_{workers}worker"] = states
        finally:
            assert child.stdin is not None
            child.stdin.close()
            child.wait(timeout=30)
    peak_items = int(PEAK_EMPLOYMENTS * PEAK_SHARE)
    for workers in (1, 4):
        rate = ours[f"sixth_holiday_week_items_per_min_{workers}worker"]
        hours = round(peak_items / rate / 60, 1) if rate else None
        ours[f"peak_{peak_items}_items_hours_{workers}worker"] = hours
    ours["peak_method"] = (f"{PEAK_EMPLOYMENTS} employments x {PEAK_SHARE:.0%} = {peak_items} payout items, "
                           "divided by the measured sixth_holiday_week items per minute (linear "
                           "extrapolation from this run)")
    ours["peak_rss_mb_self"] = _max_rss_mb(resource.RUSAGE_SELF)
    ours["peak_rss_mb_children"] = _max_rss_mb(resource.RUSAGE_CHILDREN)
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

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 200), indent=2))
