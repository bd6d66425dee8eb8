"""Test ordering for the whole tree (tests/ and each bot's tests/).

`make test` runs the suite on two processes (pytest-xdist, one module per process at a
time). The long modules (the demo, then the slow and browser ones) are handed out first,
so the many short ones fill in beside them instead of trailing behind them alone
(`--no-loadscope-reorder` in the Makefile keeps this order; xdist's own puts the modules
with the most tests first, which left the demo to run alone at the end). Within a module
the order is as written; a single process runs the same order.
"""

from __future__ import annotations

import pytest

# Heaviest first: which marker a module's tests carry decides when the module is handed out.
_WEIGHT_MARKERS = ("demo", "slow", "browser", "ocr", "postgres")


def _weight(item: pytest.Item) -> int:
    for rank, marker in enumerate(_WEIGHT_MARKERS):
        if item.get_closest_marker(marker) is not None:
            return rank
    return len(_WEIGHT_MARKERS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    modules: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        modules[module] = min(modules.get(module, len(_WEIGHT_MARKERS)), _weight(item))
    position = {module: index for index, module in enumerate(modules)}
    items.sort(key=lambda item: (modules[item.nodeid.split("::", 1)[0]],
                                 position[item.nodeid.split("::", 1)[0]]))
