"""`rpa bench queue` gives its figures beside huey's: name, figures, reference, ratio."""

from __future__ import annotations

import json

from click.testing import CliRunner

from runner.cli import cli


def test_queue_benchmark_reports_ours_beside_huey() -> None:
    result = CliRunner().invoke(cli, ["bench", "queue", "--items", "300", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["name"] == "queue"
    assert report["figures"]["items"] == report["reference"]["figures"]["items"] == 300
    assert report["figures"]["items_per_s"] > 0 and report["figures"]["peak_rss_mb"] > 0
    assert report["reference"]["name"].startswith("huey")
    expected = report["figures"]["items_per_s"] / report["reference"]["figures"]["items_per_s"]
    assert abs(report["ratio"] - expected) < 0.01


def test_unknown_benchmark_names_the_shipped_ones() -> None:
    result = CliRunner().invoke(cli, ["bench", "nope"])
    assert result.exit_code == 2 and "queue" in result.output
