"""Masking of personal data wherever the runner shows, logs or keeps text.

The runner knows no personal number's shape: redactors do, plugged in through the
entry-point group `rpa.redactors` (hr registers `cpr`, which masks CPR numbers as
`DDMMYY-XXXX`). Every installed redactor is applied, in the order of their names;
`use_redactors` gives the runner another list (a deployment that embeds it, a test).
With none installed, text is shown as it is.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from structlog.processors import format_exc_info
from structlog.typing import EventDict, WrappedLogger

__all__ = [
    "REDACTORS_GROUP",
    "Redactor",
    "active_redactors",
    "installed_redactors",
    "redact",
    "redact_processor",
    "redact_text",
    "use_redactors",
]

REDACTORS_GROUP = "rpa.redactors"


@runtime_checkable
class Redactor(Protocol):
    """One kind of personal data: how to mask it in text and what a screenshot covers."""

    @property
    def name(self) -> str: ...

    @property
    def screen_fields(self) -> str | None:
        """CSS of the elements a screenshot covers whatever they show (None: none)."""

    @property
    def screen_text(self) -> re.Pattern[str] | None:
        """JavaScript-compatible pattern of the text a screenshot covers (None: none)."""

    def mask(self, text: str) -> str:
        """`text` with what this redactor covers masked; unchanged when there is none."""

    def mask_escaped(self, text: str, decode: Callable[[str], str]) -> str:
        """Like `mask`, for what escapes split (HTML entities, URL and JSON escapes);
        `decode` turns a run of escapes into the text it stands for."""


_lock = threading.Lock()
_active: tuple[Redactor, ...] | None = None
_masker: Callable[[str], str] | None = None


def installed_redactors() -> tuple[Redactor, ...]:
    """Every redactor installed in the entry-point group `rpa.redactors`, by name."""
    found = sorted(entry_points(group=REDACTORS_GROUP), key=lambda entry: entry.name)
    return tuple(entry.load() for entry in found)


def use_redactors(redactors: Iterable[Redactor] | None) -> None:
    """Mask with `redactors` from now on; None goes back to the installed ones."""
    global _active, _masker
    with _lock:
        _active = None if redactors is None else tuple(redactors)
        _masker = None if _active is None else _chain(_active)


def active_redactors() -> tuple[Redactor, ...]:
    """The redactors masking now (the installed ones unless `use_redactors` said otherwise)."""
    _current_masker()
    assert _active is not None
    return _active


def redact_text(text: str) -> str:
    """`text` with everything every active redactor covers masked."""
    return (_masker or _current_masker())(text)


def _current_masker() -> Callable[[str], str]:
    global _active, _masker
    with _lock:
        if _masker is None:  # loaded on first use: nothing happens at import time
            _active = installed_redactors() if _active is None else _active
            _masker = _chain(_active)
        return _masker


def _chain(redactors: tuple[Redactor, ...]) -> Callable[[str], str]:
    if not redactors:
        return _unchanged
    if len(redactors) == 1:  # the usual case, and a hot path: every log key and value
        return redactors[0].mask
    masks = [redactor.mask for redactor in redactors]

    def all_of(text: str) -> str:
        for mask in masks:
            text = mask(text)
        return text

    return all_of


def _unchanged(text: str) -> str:
    return text


def redact(value: Any) -> Any:
    """Mask strings, also inside dicts, lists, tuples, sets and exceptions.

    An exception becomes its masked message, `str(exc)`; other types are returned as is.
    """
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {redact(key): redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, tuple):
        items = [redact(item) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, set | frozenset):
        return type(value)(redact(item) for item in value)
    if isinstance(value, BaseException):
        return redact_text(str(value))
    return value


def _redact_for_log(value: Any) -> Any:
    # An int cannot carry a separator, but its digits can still be a personal number.
    if type(value) is int:
        text = str(value)
        masked = redact_text(text)
        return value if masked == text else masked
    return redact(value)


def redact_processor(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask every key and value of the event.

    Formats a pending `exc_info` first, so the traceback text is masked too.
    """
    if event_dict.get("exc_info"):
        event_dict = format_exc_info(logger, method_name, event_dict)
    return {redact_text(key): _redact_for_log(value) for key, value in event_dict.items()}
