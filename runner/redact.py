"""Masking of CPR-shaped numbers wherever the runner shows or logs text.

The runner knows only a CPR number's shape (hr/cpr.py knows the rest): ten digits,
optionally split between the sixth and seventh digit, not inside a longer run of
digits, whose first four digits can be a day (01–31, or 61–91 for substitute numbers)
and a month. Such a number is shown as `DDMMYY-XXXX`; masking a few other numbers by
mistake is the accepted price.

People split the number with whatever their keyboard or word processor gives them, so
the split is up to three characters of any dash, space (no-break, narrow, thin, tab,
a line break…), `.` or `/`; full-width digits (０–９, from East Asian input methods)
count as digits. hr.cpr keeps the same pattern for free text (hr may not import the
runner); tests/runner/test_privacy.py holds both to one table.
"""

from __future__ import annotations

import re
from typing import Any

from structlog.processors import format_exc_info
from structlog.typing import EventDict, WrappedLogger

__all__ = ["mask_cprs", "redact", "redact_processor"]

_DAY = "0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01]"
_MONTH = "0[1-9]|1[0-2]"
# Hyphen-minus, soft hyphen, the dashes U+2010–2015, minus sign, small and full-width
# hyphen-minus; ASCII whitespace, no-break, Ogham, the spaces U+2000–200B, narrow
# no-break, medium mathematical, word joiner, ideographic, zero-width no-break; the
# full stop and the solidus, also full-width.
_SEPARATOR = (
    "[-\u00ad\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
    " \t\n\r\f\v\u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
    "./\uff0e\uff0f]"
)
_MAX_SEPARATORS = 3  # "070761 – 4285" and a double space are splits people write
# Written so the engine can skip ahead on a plain character class: the first digit is
# matched before the lookbehinds check that no digit precedes it and that the first two
# digits are a day. Most lines hold no six digits in a row and skip the full pattern.
_CPR = re.compile(
    rf"([0-36-9](?<![0-9][0-9])[0-9](?<={_DAY})(?:{_MONTH})[0-9][0-9])"
    rf"{_SEPARATOR}{{0,{_MAX_SEPARATORS}}}[0-9][0-9][0-9][0-9](?![0-9])"
)
_SIX_DIGITS = re.compile("[0-9][0-9][0-9][0-9][0-9][0-9]")
_WIDE_DIGIT = re.compile("[\uff10-\uff19]")
_TO_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_MASK = r"\1-XXXX"
_SHORTEST_CPR = 10


def mask_cprs(text: str) -> str:
    """Return `text` with every CPR-shaped number shown as `DDMMYY-XXXX`."""
    if len(text) < _SHORTEST_CPR:
        return text
    # isascii() is a fast C scan; most log lines are ASCII and hold no full-width digit.
    if not text.isascii() and _WIDE_DIGIT.search(text) is not None:
        return _mask_with_wide_digits(text)
    if _SIX_DIGITS.search(text) is None:
        return text
    return _CPR.sub(_MASK, text)


def _mask_with_wide_digits(text: str) -> str:
    # The translation maps one character to one, so a match's span in the ASCII copy is
    # its span in the text; the kept birth date is shown in ASCII digits.
    ascii_digits = text.translate(_TO_ASCII_DIGITS)
    pieces: list[str] = []
    end = 0
    for match in _CPR.finditer(ascii_digits):
        pieces += [text[end : match.start()], match[1], "-XXXX"]
        end = match.end()
    pieces.append(text[end:])
    return "".join(pieces)


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
