"""Running one function on untrusted input in a child process, with hard bounds on memory and time.

    outcome = run_bounded(read, (data,), memory_bytes=450_000_000, timeout_s=75)
    if isinstance(outcome, Failure): ...   # killed, out of memory, crashed: never raised

Explicit checks (page counts, sizes) catch the known bombs with a clear message; this
catches the rest: a font, colour profile or filter that makes a C library allocate
gigabytes or spin. The child comes from a fork server started once with the reading
libraries loaded (a child costs milliseconds, and forking never copies a worker's
threads). `RLIMIT_DATA` caps the child's heap and anonymous memory, inherited by
tesseract; the child leads its own process group, so a timeout kills tesseract too.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Failure", "run_bounded"]

_PRELOAD = ["hr.documents", "pypdf", "pypdfium2", "PIL.Image", "pytesseract"]


@dataclass(frozen=True)
class Failure:
    """Why the child gave no result: out of its time, out of memory, crashed, or raised."""

    reason: str


def run_bounded(function: Callable[..., Any], args: tuple[Any, ...], *, memory_bytes: int,
                timeout_s: float) -> Any:
    """`function(*args)` in a child process; its result, or a Failure (never an exception).

    `function` must be importable by name and its result picklable. In a daemonic
    multiprocessing worker (the attests benchmark's pool), which may not start children,
    it runs in-process, unbounded.
    """
    if multiprocessing.current_process().daemon:
        return function(*args)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([*_PRELOAD, *_main_imports()])  # used when the server starts
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, function, args, memory_bytes), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            _kill(child)
            return Failure(f"it took longer than {timeout_s:g} s")
        try:
            kind, value = receiver.recv()
        except EOFError:  # died without a word: the allocator aborted, or a signal
            _kill(child)
            return Failure(f"it needed more memory than allowed or crashed (exit {child.exitcode})")
    finally:
        receiver.close()
    child.join(5)
    if kind == "ok":
        return value
    return Failure("it needed more memory than allowed" if kind == "memory" else f"it failed ({value})")


def _main_imports() -> list[str]:
    """The modules the main script took its names from (`rpa`: runner.cli).

    Each child runs the main script again before its target (multiprocessing's spawn
    preparation; the fork server's own "__main__" preload does not prevent it): with what
    the script imports already loaded in the server that costs nothing, else it re-imports
    the whole CLI, measured 1.1 s a document.
    """
    main = sys.modules.get("__main__")
    names = {getattr(value, "__module__", None) for value in vars(main).values()} if main else set()
    return sorted(name for name in names if isinstance(name, str) and name in sys.modules
                  and name not in ("__main__", "builtins"))


def _child(sender: Any, function: Callable[..., Any], args: tuple[Any, ...], memory_bytes: int) -> None:
    os.setpgid(0, 0)
    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes))
    try:
        result: tuple[str, Any] = ("ok", function(*args))
    except MemoryError:
        result = ("memory", None)
    # the child reports whatever went wrong as a value; the parent decides what it means
    except BaseException as error:
        result = ("error", type(error).__name__)
    sender.send(result)
    sender.close()


def _kill(child: Any) -> None:
    """The child and whatever it started (tesseract), if still there; then reaped."""
    if child.pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
    child.join(5)
