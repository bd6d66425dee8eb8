"""One masked JSON event per line: every path into the log file masks CPR numbers."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import structlog

from hr.cpr import CPR_SHAPE
from runner.logs import (
    LOG_FILE_NAME,
    bind_item_context,
    configure_logging,
    get_logger,
    read_log_lines,
    reset_logging,
)

# Any ten digits, split or not, that are not part of a longer run: an unmasked CPR shape.
UNMASKED = CPR_SHAPE
CPR, CPR_HYPHEN, CPR_SPACE, SUBSTITUTE = "0707614285", "150589-4010", "150589 4010", "670761-4285"


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "logs"
    configure_logging(directory, "debug")
    yield directory
    reset_logging()


def log_text(log_dir: Path) -> str:
    return (log_dir / LOG_FILE_NAME).read_text(encoding="utf-8")


def events(log_dir: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log_text(log_dir).splitlines()]


@dataclass
class Employee:
    name: str
    cpr: str


def test_no_cpr_reaches_the_log_file_on_any_path(log_dir: Path) -> None:
    log = get_logger(employee_cpr=CPR)
    with bind_item_context(7, "termination_letters", "resignations", f"case-{CPR}", 1):
        log.info(f"lookup_failed_for_{CPR}")
        log.info("nested", data={"person": {"cpr": CPR_HYPHEN, "ids": [CPR_SPACE, 3]}})
        log.info("cpr_as_key", **{CPR: "value"})
        log.info("objects", employee=Employee("Ib", SUBSTITUTE), as_int=1507894010)
        log.bind(bound=CPR_HYPHEN).warning("bound_later")
        try:
            raise LookupError(f"no employee {CPR} in Lønsystem")
        except LookupError:
            log.exception("item_failed")
    library = logging.getLogger("apscheduler.executors.default")
    library.warning("job for %s missed", CPR_HYPHEN)
    try:
        raise RuntimeError(f"traceback text {SUBSTITUTE}")
    except RuntimeError:
        library.error("job crashed", exc_info=True)

    text = log_text(log_dir)

    assert UNMASKED.findall(text) == []
    for masked in ("070761-XXXX", "150589-XXXX", "670761-XXXX"):
        assert masked in text
    logged = {event["event"]: event for event in events(log_dir)}
    assert set(logged) >= {
        "lookup_failed_for_070761-XXXX",
        "nested",
        "cpr_as_key",
        "objects",
        "bound_later",
        "item_failed",
        "job for 150589-XXXX missed",
        "job crashed",
    }
    failed = logged["item_failed"]
    assert failed["reference"] == "case-070761-XXXX"
    assert failed["employee_cpr"] == "070761-XXXX"
    assert "LookupError: no employee 070761-XXXX in Lønsystem" in str(failed["exception"])
    assert "Traceback" in str(logged["job crashed"]["exception"])
    assert logged["job crashed"]["logger"] == "apscheduler.executors.default"


def test_events_carry_level_timestamp_and_item_context(log_dir: Path) -> None:
    with bind_item_context(7, "hello", "greet", "ref-1", 2):
        get_logger().info("payroll_line_registered", period="2024-11")

    (event,) = events(log_dir)
    assert event["event"] == "payroll_line_registered"
    assert event["level"] == "info"
    assert str(event["timestamp"]).endswith("Z")
    assert (event["run_id"], event["bot"], event["task"], event["reference"]) == (
        7,
        "hello",
        "greet",
        "ref-1",
    )
    assert event["attempt"] == 2


def test_item_context_is_cleared_after_the_item(log_dir: Path) -> None:
    log = get_logger()
    structlog.contextvars.bind_contextvars(worker="w1")
    try:
        with bind_item_context(7, "hello", "greet", "ref-1", 1):
            log.info("inside")
        log.info("after")
    finally:
        structlog.contextvars.clear_contextvars()

    inside, after = events(log_dir)
    assert inside["reference"] == "ref-1"
    assert "reference" not in after and "run_id" not in after
    assert after["worker"] == "w1"


def test_level_filters_events_and_library_records_below_warning(tmp_path: Path) -> None:
    configure_logging(tmp_path, "info")
    try:
        log = get_logger()
        log.debug("hidden")
        log.info("shown")
        logging.getLogger("uvicorn.error").info("library_info_hidden")
        logging.getLogger("uvicorn.error").warning("library_warning_shown")
    finally:
        reset_logging()

    assert [event["event"] for event in events(tmp_path)] == ["shown", "library_warning_shown"]


def test_reconfigure_redirects_loggers_already_in_use(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    log = structlog.get_logger("runner.example")
    configure_logging(first, "info")
    try:
        log.info("to_first")
        log.debug("dropped")
        configure_logging(second, "debug")
        log.debug("to_second")
        configure_logging(second, "debug")
        logging.getLogger("some.library").warning("once")
    finally:
        reset_logging()

    assert [event["event"] for event in events(first)] == ["to_first"]
    assert [event["event"] for event in events(second)] == ["to_second", "once"]


def test_also_writes_to_a_stream(tmp_path: Path) -> None:
    stream = io.StringIO()
    configure_logging(tmp_path, stream=stream)
    try:
        get_logger().info("run_started", note=CPR)
    finally:
        reset_logging()

    assert stream.getvalue() == log_text(tmp_path)
    assert json.loads(stream.getvalue())["note"] == "070761-XXXX"


def test_unconfigured_logging_is_masked_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    reset_logging()
    try:
        get_logger().warning("not_configured", cpr=CPR)
    finally:
        reset_logging()

    assert json.loads(capsys.readouterr().err)["cpr"] == "070761-XXXX"


def test_unknown_level_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="verbose"):
        configure_logging(tmp_path, "verbose")


def test_read_log_lines_filters_by_run_and_item(log_dir: Path) -> None:
    log = get_logger()
    with bind_item_context(1, "bot", "task", f"case-{CPR}", 1):
        log.info("first_item")
    with bind_item_context(1, "bot", "task", "other", 1):
        log.info("second_item")
    with bind_item_context(2, "bot", "task", f"case-{CPR}", 1):
        log.info("other_run")

    def names(run_id: int | None = None, item_reference: str | None = None) -> list[object]:
        return [event["event"] for event in read_log_lines(log_dir, run_id, item_reference)]

    assert names() == ["first_item", "second_item", "other_run"]
    assert names(run_id=1) == ["first_item", "second_item"]
    assert names(item_reference=f"case-{CPR}") == ["first_item", "other_run"]
    assert names(run_id=1, item_reference=f"case-{CPR}") == ["first_item"]


def test_read_log_lines_masks_again_and_skips_torn_lines(tmp_path: Path) -> None:
    with (tmp_path / LOG_FILE_NAME).open("w", encoding="utf-8") as file:
        file.write(json.dumps({"event": f"written_unmasked {CPR}", "run_id": 1}) + "\n")
        file.write('{"event": "cut sho\n')
        file.write("[1, 2]\n")

    assert list(read_log_lines(tmp_path)) == [{"event": "written_unmasked 070761-XXXX", "run_id": 1}]
    assert list(read_log_lines(tmp_path / "missing")) == []


def test_importing_the_module_configures_nothing() -> None:
    code = (
        "import logging, structlog, runner.logs, runner.alerts, runner.exceptions, runner.worker; "
        "assert not structlog.is_configured(); "
        "assert not logging.getLogger().handlers"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)


def test_a_broken_library_record_is_reported_masked(
    log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only our handler: pytest's own capture handler on the root would raise instead.
    (ours,) = [h for h in logging.getLogger().handlers if type(h).__module__ == "runner.logs"]
    library = logging.getLogger("some.broken.library")
    library.propagate = False
    library.addHandler(ours)
    try:
        library.warning("two %s %s", CPR)  # too few arguments
    finally:
        library.removeHandler(ours)
        library.propagate = True

    err = capsys.readouterr().err
    assert "logging error in some.broken.library" in err
    assert UNMASKED.findall(err) == []


def test_a_module_logger_used_before_configure_writes_masked_json_to_stderr_only() -> None:
    # `rpa exceptions retry` once printed structlog's default console line to stdout.
    code = (
        "from runner.exceptions import log; "
        f"log.info('item_retried_by_person', actor='ib', note='for {CPR_HYPHEN}')"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )

    assert done.stdout == ""
    event = json.loads(done.stderr)
    assert (event["event"], event["note"]) == ("item_retried_by_person", "for 150589-XXXX")


def test_project_modules_log_through_the_redacting_logger() -> None:
    # structlog.get_logger at import time binds to structlog's unmasked stdout defaults
    # when used before configure_logging; runner.logs.module_logger does not.
    root = Path(__file__).resolve().parents[2]
    packages = ("runner", "hr", "systems", "bots", "sandbox", "examples")
    offenders = [
        str(path.relative_to(root))
        for package in packages
        for path in (root / package).rglob("*.py")
        if "structlog.get_logger(" in path.read_text(encoding="utf-8")
        and path != root / "runner" / "logs.py"
    ]
    assert offenders == []


def test_a_thread_that_dies_is_shown_and_logged_masked(tmp_path: Path) -> None:
    code = "\n".join([
        "import threading, pathlib, runner.logs as logs",
        f"logs.configure_logging(pathlib.Path({str(tmp_path)!r}))",
        "def beat():",
        f"    raise LookupError('no employee {CPR_SPACE}')",
        "thread = threading.Thread(target=beat, name='heartbeat')",
        "thread.start()",
        "thread.join()",
    ])
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )

    assert "Exception in thread heartbeat" in done.stderr
    assert "LookupError: no employee 150589-XXXX" in done.stderr
    assert UNMASKED.findall(done.stderr) == []
    (event,) = [e for e in events(tmp_path) if e["event"] == "thread_crashed"]
    assert event["thread"] == "heartbeat"
    assert "150589-XXXX" in str(event["exception"])
    assert UNMASKED.findall(log_text(tmp_path)) == []
