"""`rpa bench console` serves a filled store with a real `rpa console` and reports every page
on SQLite and PostgreSQL beside its raw query: JSON alone on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PAGES = {"overview", "queue", "queue_bot_code", "item", "exceptions"}


@pytest.mark.postgres
@pytest.mark.slow
def test_console_benchmark_reports_each_page_beside_its_raw_query() -> None:
    rpa = Path(sys.executable).with_name("rpa")
    done = subprocess.run([str(rpa), "bench", "console", "--items", "400", "--exceptions", "40", "--json"],
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["name"] == "console" and report["items"] == 400 and report["exceptions"] == 40
    for side in ("sqlite", "postgres"):
        figures = report["figures"][side]
        assert set(figures["pages"]) == PAGES
        for name, page in figures["pages"].items():
            raw = report["reference"]["figures"][side][name]
            assert 0 < page["p50_ms"] <= page["p95_ms"]
            assert page["ratio_p50"] == round(page["p50_ms"] / max(raw["p50_ms"], 0.1), 1)
        assert figures["healthz"]["p50_ms"] > 0
    assert len(report["load_average"]) == 3
