"""Masking of CPR-shaped numbers wherever the runner shows or logs text.

The runner knows only a CPR number's shape (rules/cpr.md, "Masking"): ten digits,
optionally split `DDMMYY-SSSS` or `DDMMYY SSSS`, not inside a longer run of digits,
whose first four digits can be a day (01–31, or 61–91 for substitute numbers) and a
month. Such a number is shown as `DDMMYY-XXXX`; masking a few other numbers by
mistake is the accepted price.
"""

from __future__ import annotations

import re
from typing import Any

from structlog.processors import format_exc_info
from structlog.typing import EventDict, WrappedLogger

__all__ = ["mask_cprs", "redact", "redact_processor"]

_DAY = "0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01]"
_MONTH = "0[1-9]|1[0-2]"
# Written so the engine can skip ahead on a plain character class: the first digit is
# matched before the lookbehinds check that no digit precedes it and that the first two
# digits are a day. Most lines hold no six digits in a row and skip the full pattern.
_CPR = re.compile(
    rf"([0-36-9](?<![0-9][0-9])[0-9](?<={_DAY})(?:{_MONTH})[0-9][0-9])"
    r"[- ]?[0-9][0-9][0-9][0-9](?![0-9])"
)
_SIX_DIGITS = re.compile("[0-9][0-9][0-9][0-9][0-9][0-9]")
_MASK = r"\1-XXXX"
_SHORTEST_CPR = 10


def mask_cprs(text: str) -> str:
    """Return `text` with every CPR-shaped number shown as `DDMMYY-XXXX`."""
    if len(text) < _SHORTEST_CPR or _SIX_DIGITS.search(text) is None:
        return text
    return _CPR.sub(_MASK, text)


def redact(value: Any) -> Any:
    """Mask CPR numbers in strings, also inside dicts, lists, tuples, sets and exceptions.

    An exception becomes its masked message, `str(exc)`; other types are returned as is.
    """
    if isinstance(value, str):
        return mask_cprs(value)
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
        return mask_cprs(str(value))
    return value


def _redact_for_log(value: Any) -> Any:
    # An int cannot carry a separator, but ten CPR-shaped digits are still a CPR number.
    if type(value) is int and 1_000_000_000 <= value <= 9_999_999_999:
        masked = mask_cprs(str(value))
        return masked if "X" in masked else value
    return redact(value)


def redact_processor(logger: WrappedLogger, method_name: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask CPR numbers in every key and value of the event.

    Formats a pending `exc_info` first, so the traceback text is masked too.
    """
    if event_dict.get("exc_info"):
        event_dict = format_exc_info(logger, method_name, event_dict)
    return {mask_cprs(key): _redact_for_log(value) for key, value in event_dict.items()}
