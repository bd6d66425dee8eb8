"""`rpa bench letters`: the bots' letters rendered per second on one core, beside reportlab
drawing the same page raw; and the letter bots end to end against a seeded sandbox.

Letters: `items` letters made by the bots' own letter functions
(`termination_letters.letters.resignation_letter` and `hourly_letter`,
`one_off_supplements.letters.supplement_letter`, in turn, for the sandbox's
employments) and rendered with `hr.pdf.render_letter`, as the bots do. The reference
draws each letter's very page with bare canvas calls: the same fonts, sizes, strings,
positions and rule, recorded once from our rendering beforehand (no templating, no
line splitting, no formatting). Both sides run single-threaded and interleaved in
rounds, timed in process CPU time (one core, whatever else the machine runs) and in
wall time; the ratio is ours over raw in CPU time (target >= 0.8).

End to end: each bot's collectors, then one worker with one Chromium working every item
against a freshly seeded sandbox served by a child process (as `rpa bench flow` does);
items per minute per worker, beside `rpa bench flow`'s bare Playwright flow (and its
page-object flow) with one context, run here through that module's own functions.

bots, hr, systems and sandbox are imported inside the functions: importing `runner`
loads no bot.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

AS_OF = date(2024, 11, 18)
ROUNDS = 5  # ours and raw alternate, so load drifts hit both sides
E2E_EMPLOYEES = 200
E2E = (  # bot module, tasks collected, dataset seed (as the bots' end-to-end tests)
    ("bots.termination_letters.bot", ("resignations", "hourly_sweep"), 11),
    ("bots.one_off_supplements.bot", ("cases",), 12),
)
REASON = "Ekstraordinær indsats i forbindelse med omlægning af vagtplanen"
FLOWS = 20  # bare and page-object flows for the reference figure

Op = tuple[Any, ...]


# -- letters ----------------------------------------------------------------------------------------


def letter_makers(count: int) -> list[Callable[[], Any]]:
    """`count` calls of the bots' letter functions, in turn, for the sandbox's employments."""
    from bots.one_off_supplements import letters as supplement
    from bots.termination_letters import letters as termination
    from hr.calendar import Period
    from sandbox import generator

    employments = [e for e in generator.generate(E2E_EMPLOYEES, seed=11)["employments"] if e.get("unit")]
    makers: list[Callable[[], Any]] = []
    for n in range(count):
        employment, reference = employments[n % len(employments)], f"bench-{n}"
        if n % 3 == 0:
            makers.append(partial(termination.resignation_letter, employment, received=AS_OF,
                                  last_day=date(2024, 12, 31), basis="notice", as_of=AS_OF,
                                  reference=reference))
        elif n % 3 == 1:
            makers.append(partial(termination.hourly_letter, employment, last_day=AS_OF - timedelta(days=95),
                                  as_of=AS_OF, reference=reference))
        else:
            amount = Decimal(1500 + 25 * n)
            makers.append(partial(supplement.supplement_letter, employment, amount=amount, reason=REASON,
                                  period=Period(2024, 12), pensionable=bool(n % 2),
                                  pension_amount=amount * Decimal("0.12"), as_of=AS_OF, reference=reference))
    return makers


def record_page(letter: Any) -> tuple[list[Op], str, str]:
    """The canvas calls our renderer makes for `letter`: fonts, strings, positions, rules, pages."""
    from unittest import mock

    from reportlab.pdfgen.canvas import Canvas

    import hr.pdf

    ops: list[Op] = []

    class Recording(Canvas):  # type: ignore[misc]  # reportlab is untyped
        def setFont(self, name: str, size: float, leading: float | None = None) -> None:
            ops.append(("font", name, size))
            super().setFont(name, size, leading)

        def drawString(self, x: float, y: float, text: str, *args: Any, **kwargs: Any) -> None:
            ops.append(("text", x, y, text))
            super().drawString(x, y, text, *args, **kwargs)

        def drawRightString(self, x: float, y: float, text: str, *args: Any, **kwargs: Any) -> None:
            ops.append(("right", x, y, text))
            super().drawRightString(x, y, text, *args, **kwargs)

        def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
            ops.append(("line", x1, y1, x2, y2))
            super().line(x1, y1, x2, y2)

        def showPage(self) -> None:
            ops.append(("page",))
            super().showPage()

    with mock.patch.object(hr.pdf, "Canvas", Recording):
        hr.pdf.render_letter(letter)
    author = letter.sender.splitlines()[0] if letter.sender else ""
    return ops, letter.subject, author


def raw_page(ops: list[Op], title: str, author: str, regular_font: str) -> bytes:
    """The same page drawn with bare reportlab canvas calls."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True, pageCompression=0, initialFontName=regular_font)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setLineWidth(0.5)
    for op in ops:
        if op[0] == "text":
            canvas.drawString(op[1], op[2], op[3])
        elif op[0] == "font":
            canvas.setFont(op[1], op[2])
        elif op[0] == "right":
            canvas.drawRightString(op[1], op[2], op[3])
        elif op[0] == "line":
            canvas.line(*op[1:])
        else:
            canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def letter_figures(items: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ours (letter function + render_letter) and raw (replayed canvas calls), `items` letters each."""
    from hr.fonts import reportlab_fonts
    from hr.pdf import render_letter

    makers = letter_makers(items)
    regular = reportlab_fonts("sans").regular
    recorded = [record_page(make()) for make in makers]
    render_letter(makers[0]())  # fonts loaded and registered before any clock starts
    raw_page(*recorded[0], regular)
    times = {"ours": [0.0, 0.0], "raw": [0.0, 0.0]}  # cpu, wall
    sizes = {"ours": 0, "raw": 0}
    chunks = [range(start, items, ROUNDS) for start in range(ROUNDS)]
    for chunk in chunks:
        for side in ("ours", "raw"):
            cpu, wall = time.process_time(), time.perf_counter()
            if side == "ours":
                pdfs = [render_letter(makers[n]()) for n in chunk]
            else:
                pdfs = [raw_page(*recorded[n], regular) for n in chunk]
            times[side][0] += time.process_time() - cpu
            times[side][1] += time.perf_counter() - wall
            sizes[side] += sum(len(pdf) for pdf in pdfs)
    characters = sum(len(op[-1]) for ops, _, _ in recorded for op in ops if op[0] in ("text", "right"))
    pages = sum(1 for ops, _, _ in recorded for op in ops if op[0] == "page")  # save() ends the last

    def figures(side: str) -> dict[str, Any]:
        cpu, wall = times[side]
        return {
            "letters": items,
            "pages": pages,
            "characters_per_letter": round(characters / items),
            "letters_per_s_1_core": round(items / cpu, 1),
            "letters_per_s_wall": round(items / wall, 1),
            "ms_per_letter_cpu": round(cpu / items * 1000, 2),
            "pdf_kb_avg": round(sizes[side] / items / 1024, 1),
        }

    return figures("ours"), figures("raw")


# -- end to end ---------------------------------------------------------------------------------------


def bot_figures(module: str, tasks: tuple[str, ...], seed: int, folder: Path) -> dict[str, Any]:
    """Collect, then one worker (one Chromium) works every item against a seeded sandbox."""
    import importlib

    from harness.bench.flow import serve_child
    from runner import SystemAccess
    from runner.browser import BrowserPool
    from runner.clock import SystemClock
    from runner.deployment import WorkerSettings, deploy
    from runner.orchestrator import run_task
    from runner.states import Trigger
    from runner.store import Actor, open_store
    from runner.worker import Worker
    from sandbox import dataset, generator

    folder.mkdir(parents=True)
    db = folder / "sandbox.db"
    dataset.load(db, generator.generate(E2E_EMPLOYEES, seed=seed))
    url, child = serve_child(db)
    bot = importlib.import_module(module).bot
    systems = {name: SystemAccess(name, f"{url}/{name}", "robot", "sandbox")
               for name in ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")}
    deployment = deploy({bot.name: bot}, systems=systems, artifacts_dir=folder / "artifacts", traces=False,
                        worker=WorkerSettings(poll_s=0.05, heartbeat_s=30, reaper_s=60))
    store = open_store(f"sqlite:///{folder / 'rpa.db'}")
    store.migrate()
    browsers = BrowserPool(traces=False)
    clock = SystemClock(AS_OF)
    try:
        browsers.session("warm-up").close()  # Chromium launched before any clock starts
        began = time.perf_counter()
        for task in tasks:
            run = run_task(store, deployment, clock, bot.name, task, trigger=Trigger.MANUAL,
                           actor=Actor.scheduler(), browsers=browsers)
            assert run is not None and not run.error, f"{bot.name}.{task} collector: {run and run.error}"
        collected = time.perf_counter()
        worked = Worker(store, deployment, clock, browsers=browsers).run(idle_exit=True)
        finished = time.perf_counter()
        states: dict[str, int] = {}
        for (name, state), n in store.count_by_state().items():
            if name == bot.name:
                states[state] = states.get(state, 0) + n
    finally:
        browsers.close()
        store.close()
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    return {
        "items": worked,
        "states": states,
        "collect_s": round(collected - began, 2),
        "items_per_min_per_worker": round(worked / (finished - collected) * 60, 1),
        "s_per_item": round((finished - collected) / max(worked, 1), 2),
    }


def flow_figures(folder: Path) -> dict[str, Any]:
    """`rpa bench flow`'s bare Playwright flow and page-object flow, one worker, one context."""
    from harness.bench import flow

    db, ids = flow._seed(folder)
    url, child = flow.serve_child(db)
    try:
        phases: list[flow.Phase] = [
            (flow.bare_flow, 1, False, [(ids[n % len(ids)], f"bench-bare-{n}") for n in range(FLOWS)]),
            (flow.page_object_flow, 1, False, [(ids[n % len(ids)], f"bench-po-{n}") for n in range(FLOWS)]),
        ]
        bare, page_objects = flow.run_phases(url, phases, threads=1)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    return {"flows": FLOWS, "bare_flow_per_min_1_worker": bare,
            "page_object_flow_per_min_1_worker": page_objects}


def run(items: int = 500) -> dict[str, Any]:
    """`items` letters on each side; each letter bot end to end; the ratio is ours over raw (CPU)."""
    from runner.logs import configure_logging, reset_logging

    ours, raw = letter_figures(max(items, ROUNDS))
    with tempfile.TemporaryDirectory(prefix="rpa-bench-letters-") as name:
        folder = Path(name)
        configure_logging(folder / "logs", "info")
        try:
            e2e: dict[str, Any] = {
                module.split(".")[1]: bot_figures(module, tasks, seed, folder / module.split(".")[1])
                for module, tasks, seed in E2E
            }
            e2e["sandbox_flow"] = flow_figures(folder)
        finally:
            reset_logging()
    ours["end_to_end"] = e2e
    return {
        "name": "letters",
        "items": ours["letters"],
        "letters": "resignation, hourly and supplement letters in turn; render_letter (uncompressed)",
        "figures": ours,
        "reference": {"name": "reportlab raw page", "figures": raw},
        "ratio": round(ours["letters_per_s_1_core"] / raw["letters_per_s_1_core"], 2),
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 500), indent=2))
