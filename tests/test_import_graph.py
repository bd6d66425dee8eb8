"""The dependency rules of the layout, checked on the real import graph (grimp).

Arrows point one way: `bots → hr, systems, runner`; `systems → hr, runner`; `sandbox → hr`;
`runner` imports nothing above it. A bot, a page object, the sandbox and the examples use
only the public `runner` API (`from runner import …`), never its private modules. The
workshop (`harness`: benchmarks and the bot test kit) and `demo` sit on top and may import
everything; nothing in the product imports them. Inside `runner` there is no import loop.
Test modules (`tests/`, `bots/*/tests/`) are outside the rules.
"""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("runner", "hr", "systems", "bots", "sandbox", "harness", "demo", "examples")
PUBLIC_RUNNER = "runner"

# importer package -> the packages it may import (besides itself); "runner" means the
# public API only, "runner.*" the whole framework.
ALLOWED: dict[str, set[str]] = {
    "runner": set(),
    "hr": set(),
    "systems": {"hr", "runner"},
    "bots": {"hr", "systems", "runner"},
    "sandbox": {"hr", "runner"},
    "examples": {"runner"},
    "harness": {"runner.*", "hr", "systems", "bots", "sandbox"},
    "demo": {"runner.*", "hr", "systems", "bots", "sandbox", "harness"},
}


def real_graph() -> grimp.ImportGraph:
    """The graph of the tree as it is (a fresh one: the tests below add arrows to theirs)."""
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def _top(module: str) -> str:
    return module.split(".")[0]


def _is_test(module: str) -> bool:
    return ".tests" in f".{module}" or module.split(".")[-1].startswith("test_")


def forbidden_arrows(graph: grimp.ImportGraph) -> list[str]:
    """Every import that breaks a rule above, as 'importer -> imported (line N)'."""
    found = []
    for importer in sorted(graph.modules):
        if _is_test(importer):
            continue
        source = _top(importer)
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            target = _top(imported)
            if target == source:
                if source == "bots" and importer.split(".")[1] != imported.split(".")[1]:
                    found.append(_arrow(graph, importer, imported, "one bot imports another"))
                continue
            allowed = ALLOWED[source]
            if target == "runner" and "runner.*" in allowed:
                continue
            if target == "runner" and "runner" in allowed:
                if imported != PUBLIC_RUNNER:
                    found.append(_arrow(graph, importer, imported, "a private runner module"))
                continue
            if target not in allowed:
                found.append(_arrow(graph, importer, imported, f"{source} may not import {target}"))
    return found


def runner_loops(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import loops among `runner`'s modules (strongly connected components, Tarjan)."""
    modules = sorted(m for m in graph.modules if _top(m) == "runner")
    edges = {m: sorted(t for t in graph.find_modules_directly_imported_by(m) if _top(t) == "runner")
             for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return loops


def _arrow(graph: grimp.ImportGraph, importer: str, imported: str, why: str) -> str:
    lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
    return f"{importer} -> {imported} (line {', '.join(map(str, lines)) or '?'}): {why}"


def test_no_import_breaks_the_layout() -> None:
    assert forbidden_arrows(real_graph()) == []


def test_runner_has_no_import_loop() -> None:
    assert runner_loops(real_graph()) == []


@pytest.mark.parametrize(("importer", "imported", "why"), [
    ("runner.worker", "hr.cpr", "runner may not import hr"),
    ("runner.cli.admin", "harness.bench.queue", "runner may not import harness"),
    ("hr.money", "runner", "hr may not import runner"),
    ("systems.base", "runner.browser", "a private runner module"),
    ("sandbox.web", "runner.store", "a private runner module"),
    ("sandbox.web", "systems.base", "sandbox may not import systems"),
    ("bots.refund_claims.bot", "sandbox.dataset", "bots may not import sandbox"),
    ("bots.refund_claims.bot", "harness.testing", "bots may not import harness"),
    ("bots.refund_claims.bot", "bots.sixth_holiday_week.rules", "one bot imports another"),
])
def test_a_forbidden_arrow_is_found(importer: str, imported: str, why: str) -> None:
    graph = real_graph()
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="import x")
    assert any(f"{importer} -> {imported}" in found and why in found for found in forbidden_arrows(graph))


def test_an_import_loop_in_runner_is_found() -> None:
    graph = real_graph()
    graph.add_import(importer="runner.config", imported="runner.scheduler", line_number=1,
                     line_contents="from runner.scheduler import x")
    assert ["runner.config", "runner.scheduler"] in runner_loops(graph)


def test_tests_and_the_workshop_may_use_everything() -> None:
    graph = real_graph()
    graph.add_import(importer="harness.bench.flow", imported="runner.browser", line_number=1,
                     line_contents="from runner.browser import BrowserPool")
    graph.add_import(importer="demo.cli", imported="runner.cli.app", line_number=1,
                     line_contents="from runner.cli.app import App")
    assert forbidden_arrows(graph) == []
