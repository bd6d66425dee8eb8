"""Structured logging: one masked JSON event per line in `var/logs/rpa.jsonl`.

`configure_logging` is called once by the command line (and again by tests). Loggers
are cached on first use, so a reconfigure swaps what they share, the output and the
level, instead of the loggers themselves. Nothing happens at import time.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO, cast

import structlog
from structlog.contextvars import bound_contextvars, merge_contextvars
from structlog.typing import EventDict, FilteringBoundLogger, Processor, WrappedLogger

from runner.files import open_private_append
from runner.redact import redact, redact_processor, redact_text

__all__ = [
    "LOG_FILE_NAME",
    "bind_item_context",
    "capture_logs",
    "configure_logging",
    "ensure_configured",
    "get_logger",
    "module_logger",
    "read_log_lines",
    "reset_logging",
]

LOG_FILE_NAME = "rpa.jsonl"

_LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}
_STDLIB_LEVEL = logging.WARNING


class _Sink:
    """The one wrapped logger every structlog logger writes its rendered lines to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.file: BinaryIO | None = None
        self.stream: TextIO | None = None
        self.min_level = _LEVELS["info"]

    def msg(self, line: str) -> None:
        with self._lock:
            if self.file is not None:
                # One write per line on an O_APPEND file: lines of several processes
                # sharing the file do not interleave.
                self.file.write(line.encode("utf-8") + b"\n")
            if self.stream is not None:
                self.stream.write(line + "\n")
                self.stream.flush()
            elif self.file is None:
                # Not configured for output: still masked JSON, never lost.
                sys.stderr.write(line + "\n")

    debug = info = warning = warn = error = critical = exception = fatal = log = msg

    def close(self) -> None:
        with self._lock:
            if self.file is not None:
                self.file.close()
            self.file = None
            self.stream = None


class _StdlibHandler(logging.Handler):
    """Sends records of the stdlib `logging` tree (libraries) through structlog."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._forward(record)
        except Exception as error:  # a handler must never break the program that logs
            # Not handleError: it prints the record's arguments unmasked.
            if logging.raiseExceptions:
                sys.stderr.write(redact_text(f"--- logging error in {record.name}: {error!r}\n"))

    def _forward(self, record: logging.LogRecord) -> None:
        level = max(_STDLIB_LEVEL, min(logging.CRITICAL, record.levelno // 10 * 10))
        log = get_logger().bind(logger=record.name)
        if record.exc_info:
            log.log(level, record.getMessage(), exc_info=record.exc_info)
        else:
            log.log(level, record.getMessage())


_sink = _Sink()
_handler = _StdlibHandler(level=_STDLIB_LEVEL)
_processors: list[Processor] = []


def configure_logging(
    log_dir: Path | None,
    level: str = "info",
    *,
    stream: TextIO | None = None,
    cache: bool = True,
) -> None:
    """Send masked JSON events at `level` and above to `log_dir/rpa.jsonl` and/or `stream`.

    With neither a directory nor a stream, events go to stderr. Safe to call again.
    `cache=False` suits test suites that also use `structlog.testing.capture_logs`,
    which cannot see loggers cached earlier.
    """
    min_level = _level_number(level)
    _sink.close()
    if log_dir is not None:
        _sink.file = open_private_append(log_dir / LOG_FILE_NAME)  # 0600 in a 0700 folder
    _sink.stream = stream
    _sink.min_level = min_level
    # Mutated in place: loggers cached before a reconfigure share this very list.
    _processors[:] = [
        _drop_below_level,
        merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_processor,
        _json_renderer(),
    ]
    structlog.configure(
        processors=_processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        context_class=dict,
        logger_factory=_sink_factory,
        cache_logger_on_first_use=cache,
    )
    _route_stdlib_logging()


def reset_logging() -> None:
    """Close the log file, detach from stdlib `logging` and threads, restore structlog's defaults."""
    _sink.close()
    logging.getLogger().removeHandler(_handler)
    if threading.excepthook is _thread_crashed:
        threading.excepthook = threading.__excepthook__
    structlog.reset_defaults()


def ensure_configured() -> None:
    """Masked JSON to stderr when nobody configured logging (never structlog's unmasked defaults)."""
    if not structlog.is_configured():
        configure_logging(None)


def get_logger(**initial: Any) -> FilteringBoundLogger:
    """Return a logger with `initial` context bound.

    If logging was never configured, events go masked to stderr rather than through
    structlog's unmasked defaults.
    """
    ensure_configured()
    return cast(FilteringBoundLogger, structlog.get_logger(**initial))


class _ModuleLogger:
    """A logger made at import time that configures the safe default on its first event.

    structlog's own lazy loggers bind to structlog's defaults when used before anyone
    configured logging: unmasked console lines on stdout. This one checks first.
    """

    __slots__ = ("_proxy",)

    def __init__(self, name: str) -> None:
        self._proxy = structlog.get_logger(name)

    def __getattr__(self, attribute: str) -> Any:
        ensure_configured()
        return getattr(self._proxy, attribute)


def module_logger(name: str) -> FilteringBoundLogger:
    """Return the logger a module keeps in `log = module_logger(__name__)`.

    Safe to create at import time: nothing is configured until its first event, and an
    event logged before `configure_logging` goes masked to stderr, never to stdout.
    """
    return cast(FilteringBoundLogger, _ModuleLogger(name))


@contextmanager
def capture_logs() -> Iterator[list[EventDict]]:
    """Every event logged inside the block, as a dict; none is written (for tests).

    structlog's own `capture_logs` misses a logger cached under an earlier
    `configure_logging` and used after `reset_logging`: it keeps that configuration's
    processor list, not the one structlog holds now. This swaps both. Not thread-safe.
    """
    from structlog.testing import LogCapture

    ensure_configured()  # a first event inside the block must not reconfigure it away
    capture = LogCapture()
    lists = [structlog.get_config()["processors"]]
    if _processors is not lists[0]:
        lists.append(_processors)
    saved = [list(processors) for processors in lists]
    for processors in lists:
        processors[:] = [capture]
    try:
        yield capture.entries
    finally:
        for processors, old in zip(lists, saved, strict=True):
            processors[:] = old


@contextmanager
def bind_item_context(
    run_id: int | None, bot: str, task: str, reference: str, attempt: int
) -> Iterator[None]:
    """Bind the run and item context to every event logged inside the block."""
    with bound_contextvars(run_id=run_id, bot=bot, task=task, reference=reference, attempt=attempt):
        yield


def read_log_lines(
    log_dir: Path, run_id: int | None = None, item_reference: str | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the logged events, masked again, optionally only of one run and/or item."""
    path = log_dir / LOG_FILE_NAME
    if not path.exists():
        return
    # References were masked when written, so compare with the masked form.
    wanted_reference = redact(item_reference)
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            event = _parse(line)
            if event is None:
                continue
            if run_id is not None and event.get("run_id") != run_id:
                continue
            if item_reference is not None and event.get("reference") != wanted_reference:
                continue
            yield cast(dict[str, Any], redact(event))


def _parse(line: str) -> dict[str, Any] | None:
    try:
        event = json.loads(line)
    except ValueError:  # a line cut short by a crash
        return None
    return event if isinstance(event, dict) else None


def _level_number(level: str) -> int:
    try:
        return _LEVELS[level.lower()]
    except KeyError:
        expected = ", ".join(_LEVELS)
        raise ValueError(f"unknown log level {level!r}; expected one of {expected}") from None


def _drop_below_level(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    # The level lives on the sink, not in the cached loggers' class, so it can change.
    if _LEVELS.get(method_name, _LEVELS["critical"]) < _sink.min_level:
        raise structlog.DropEvent
    return event_dict


def _sink_factory(*_args: Any) -> _Sink:
    return _sink


def _json_renderer() -> structlog.processors.JSONRenderer:
    orjson = _optional_module("orjson")
    if orjson is None:
        return structlog.processors.JSONRenderer(default=_fallback, ensure_ascii=False)
    # Dataclasses go through _fallback too, so their fields are masked.
    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS

    def dumps(obj: Any, default: Callable[[Any], Any]) -> str:
        return cast(str, orjson.dumps(obj, default=default, option=option).decode())

    return structlog.processors.JSONRenderer(serializer=dumps, default=_fallback)


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _fallback(obj: Any) -> Any:
    """Render what JSON cannot (datetimes, paths, objects) as masked text."""
    structlog_repr = getattr(obj, "__structlog__", None)
    return redact(structlog_repr() if callable(structlog_repr) else repr(obj))


def _route_stdlib_logging() -> None:
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    if root.level > _STDLIB_LEVEL:
        root.setLevel(_STDLIB_LEVEL)
    # Python prints a thread's uncaught exception raw to stderr, with whatever its message
    # holds (a SQL error's parameters, a page's text). A hook someone else set stays.
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = _thread_crashed


def _thread_crashed(args: threading.ExceptHookArgs) -> None:
    """A thread's uncaught exception: masked on stderr, as Python shows it, and logged."""
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    shown = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    sys.stderr.write(redact_text(f"Exception in thread {name}:\n{shown}"))
    exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
    get_logger().error("thread_crashed", thread=name, exc_info=exc_info)
