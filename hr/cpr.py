"""Danish CPR numbers: validation, masking and generation.

Modulus 11 (with the exempt birth dates), the century from the seventh digit, shown
masked as DDMMYY-XXXX.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = [
    "DEFAULT_EXEMPT_BIRTH_DATES",
    "CprCheck",
    "CprStatus",
    "birth_date_of",
    "check_cpr",
    "generate_cpr",
    "generate_exempt_cpr",
    "generate_substitute_cpr",
    "mask_cpr",
    "mask_cprs_in_text",
    "normalise_cpr",
]

CprStatus = Literal["valid", "invalid", "substitute", "manual"]

_EXEMPT_YEARS = (
    1960, 1962, 1964, 1965, 1966, 1967, 1969, 1970, 1974, 1975, 1978,
    *range(1980, 1993), 1994, 1995,
)  # fmt: skip
DEFAULT_EXEMPT_BIRTH_DATES: frozenset[date] = frozenset(date(y, 1, 1) for y in _EXEMPT_YEARS)

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_FORMAT = re.compile(r"([0-9]{6})[- ]?([0-9]{4})")
_DAY = r"(?:0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])"
_MONTH = r"(?:0[1-9]|1[0-2])"
# Any dash, space, `.` or `/` people split the number with, up to three of them; the
# same pattern as runner.redact (hr may not import the runner), held to one test table.
_SEPARATOR = (
    "[-\u00ad\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
    " \t\n\r\f\v\u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
    "./\uff0e\uff0f]{0,3}"
)
_IN_TEXT = re.compile(
    rf"(?<![0-9])({_DAY}{_MONTH}[0-9]{{2}}){_SEPARATOR}[0-9]{{4}}(?![0-9])"
)
# Full-width digits (０–９) count as digits; one character for one keeps the spans.
_TO_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_WIDE_DIGIT = re.compile("[\uff10-\uff19]")
_MAX_ATTEMPTS = 1000


@dataclass(frozen=True)
class CprCheck:
    """The result of validating one CPR number; `code` is the code a bot raises."""

    status: CprStatus
    code: str | None
    digits: str | None
    birth_date: date | None
    mod11_exempt: bool = False


def check_cpr(
    text: str, exempt_birth_dates: Iterable[date] = DEFAULT_EXEMPT_BIRTH_DATES
) -> CprCheck:
    """Validate a CPR number per cpr.md; surrounding whitespace is ignored."""
    digits = _digits_or_none(text)
    if digits is None:
        return CprCheck("invalid", "CPR_MALFORMED", None, None)
    if _is_substitute(digits):
        return CprCheck("substitute", "CPR_SUBSTITUTE", digits, None)
    born = _birth_date_or_none(digits)
    if born is None:
        return CprCheck("invalid", "CPR_INVALID_DATE", digits, None)
    if _mod11_holds(digits):
        return CprCheck("valid", None, digits, born)
    if born in frozenset(exempt_birth_dates):
        return CprCheck("valid", None, digits, born, mod11_exempt=True)
    return CprCheck("manual", "CPR_CHECK_MANUAL", digits, born)


def normalise_cpr(text: str) -> str:
    """Return the 10 digits of a well-formed CPR number (the date is not checked).

    Raises ValueError when the text is not 10 digits with at most one separator
    ('-' or ' ') between the sixth and seventh digit.
    """
    digits = _digits_or_none(text)
    if digits is None:
        raise ValueError("not a CPR-shaped number")
    return digits


def mask_cpr(text_or_digits: str) -> str:
    """Return `DDMMYY-XXXX` for a well-formed CPR number; ValueError otherwise."""
    return normalise_cpr(text_or_digits)[:6] + "-XXXX"


def mask_cprs_in_text(text: str) -> str:
    """Mask every CPR-shaped number in free text as `DDMMYY-XXXX`.

    The number may be split between its sixth and seventh digit by up to three dashes,
    spaces, `.` or `/`, and written in full-width digits.
    """
    if _WIDE_DIGIT.search(text) is None:
        return _IN_TEXT.sub(r"\1-XXXX", text)
    ascii_digits = text.translate(_TO_ASCII_DIGITS)
    pieces: list[str] = []
    end = 0
    for match in _IN_TEXT.finditer(ascii_digits):
        pieces += [text[end : match.start()], match[1], "-XXXX"]
        end = match.end()
    pieces.append(text[end:])
    return "".join(pieces)


def birth_date_of(digits: str) -> date:
    """Return the birth date a CPR number encodes; ValueError if it has none."""
    born = _birth_date_or_none(normalise_cpr(digits))
    if born is None:
        raise ValueError("the CPR number does not encode an existing date")
    return born


def generate_cpr(rng: random.Random, birth_date: date, female: bool | None = None) -> str:
    """Return a random CPR number for the date that satisfies modulus 11.

    The last digit is even for women and odd for men; `female=None` picks either.
    """
    for _ in range(_MAX_ATTEMPTS):
        digits = _random_digits(rng, birth_date, birth_date.day)
        check = _check_digit(digits[:9])
        if check is not None and _sex_matches(check, female):
            return digits[:9] + str(check)
    raise RuntimeError("no modulus-11 number found")  # pragma: no cover


def generate_exempt_cpr(rng: random.Random, birth_date: date) -> str:
    """Return a number for the date that FAILS modulus 11.

    It is only valid when `birth_date` is an exempt birth date.
    """
    for _ in range(_MAX_ATTEMPTS):
        digits = _random_digits(rng, birth_date, birth_date.day)
        if not _mod11_holds(digits):
            return digits
    raise RuntimeError("no number failing modulus 11 found")  # pragma: no cover


def generate_substitute_cpr(rng: random.Random, birth_date: date) -> str:
    """Return a substitute number (erstatningspersonnummer): day + 60."""
    return _random_digits(rng, birth_date, birth_date.day + 60)


def _digits_or_none(text: str) -> str | None:
    match = _FORMAT.fullmatch(text.strip())
    return match[1] + match[2] if match else None


def _is_substitute(digits: str) -> bool:
    return 61 <= int(digits[:2]) <= 91


def _birth_date_or_none(digits: str) -> date | None:
    year = _full_year(int(digits[6]), int(digits[4:6]))
    try:
        return date(year, int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return None


def _full_year(century_digit: int, yy: int) -> int:
    if century_digit <= 3:
        return 1900 + yy
    if century_digit in (4, 9):
        return (2000 if yy <= 36 else 1900) + yy
    return (2000 if yy <= 57 else 1800) + yy


def _weighted_sum(digits: str) -> int:
    return sum(w * int(d) for w, d in zip(_WEIGHTS, digits, strict=False))


def _mod11_holds(digits: str) -> bool:
    return _weighted_sum(digits) % 11 == 0


def _check_digit(first_nine: str) -> int | None:
    check = -_weighted_sum(first_nine) % 11
    return check if check < 10 else None


def _sex_matches(last_digit: int, female: bool | None) -> bool:
    return female is None or (last_digit % 2 == 0) == female


def _century_digits(year: int) -> tuple[int, ...]:
    """Digits 7 that map the year's two last digits back to the year."""
    yy = year % 100
    allowed = tuple(d for d in range(10) if _full_year(d, yy) == year)
    if not allowed:
        raise ValueError(f"no CPR century digit encodes the year {year}")
    return allowed


def _random_digits(rng: random.Random, birth_date: date, day: int) -> str:
    head = f"{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}"
    serial = f"{rng.choice(_century_digits(birth_date.year))}{rng.randrange(1000):03d}"
    return head + serial
