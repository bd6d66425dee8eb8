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
    "CPR_IN_TEXT",
    "CPR_SHAPE",
    "DEFAULT_EXEMPT_BIRTH_DATES",
    "MAX_SEPARATORS",
    "SEPARATOR",
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
# One number as a field holds it: ten digits, at most one '-' or ' ' after the sixth.
_FORMAT = re.compile(r"([0-9]{6})[- ]?([0-9]{4})")

# How people write a CPR number in free text, the one definition in the tree: ten
# digits, not inside a longer run of digits, split between the sixth and seventh digit
# by up to three characters of any dash, space (no-break, narrow, thin, tab, a line
# break...), `.` or `/`, with whatever their keyboard or word processor gives them;
# full-width digits (０–９, from East Asian input methods) count as digits.
_DAY = "0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01]"  # 61–91: substitute numbers
_MONTH = "0[1-9]|1[0-2]"
# Hyphen-minus, soft hyphen, the dashes U+2010–2015, minus sign, small and full-width
# hyphen-minus; ASCII whitespace, no-break, Ogham, the spaces U+2000–200B, narrow
# no-break, medium mathematical, word joiner, ideographic, zero-width no-break; the
# full stop and the solidus, also full-width. Written with escapes, which Python's re
# and JavaScript read alike.
SEPARATOR = (
    r"[-\u00ad\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
    r" \t\n\r\f\v\u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
    r"./\uff0e\uff0f]"
)
MAX_SEPARATORS = 3  # "070761 – 4285" and a double space are splits people write
_WIDE_OR_ASCII_DIGIT = r"[0-9\uff10-\uff19]"
#: What masking masks (in ASCII digits): the first four digits can be a day and a month.
#: Written so the engine can skip ahead on a plain character class: the first digit is
#: matched before the lookbehinds check that no digit precedes it and that the first two
#: digits are a day. Group 1 is the birth date, which stays shown.
CPR_IN_TEXT = re.compile(
    rf"([0-36-9](?<![0-9][0-9])[0-9](?<={_DAY})(?:{_MONTH})[0-9][0-9])"
    rf"{SEPARATOR}{{0,{MAX_SEPARATORS}}}[0-9][0-9][0-9][0-9](?![0-9])"
)
#: Anything written like one, whatever its digits (ASCII or full-width) say: what a
#: screenshot covers (JavaScript-compatible, for Playwright) and what a test looks for.
CPR_SHAPE = re.compile(
    rf"(?<!{_WIDE_OR_ASCII_DIGIT}){_WIDE_OR_ASCII_DIGIT}{{6}}"
    rf"{SEPARATOR}{{0,{MAX_SEPARATORS}}}{_WIDE_OR_ASCII_DIGIT}{{4}}(?!{_WIDE_OR_ASCII_DIGIT})"
)
_SIX_DIGITS = re.compile("[0-9][0-9][0-9][0-9][0-9][0-9]")
_WIDE_DIGIT = re.compile("[\uff10-\uff19]")
_TO_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_MASK = r"\1-XXXX"
_SHORTEST = 10
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
    """Mask every CPR-shaped number in free text as `DDMMYY-XXXX` (see `CPR_IN_TEXT`).

    Masking a few other numbers by mistake is the accepted price.
    """
    if len(text) < _SHORTEST:
        return text
    # isascii() is a fast C scan; most text is ASCII and holds no full-width digit.
    if not text.isascii() and _WIDE_DIGIT.search(text) is not None:
        return _mask_with_wide_digits(text)
    if _SIX_DIGITS.search(text) is None:  # most lines: no six digits in a row
        return text
    return CPR_IN_TEXT.sub(_MASK, text)


def _mask_with_wide_digits(text: str) -> str:
    # The translation maps one character to one, so a match's span in the ASCII copy is
    # its span in the text; the kept birth date is shown in ASCII digits.
    ascii_digits = text.translate(_TO_ASCII_DIGITS)
    pieces: list[str] = []
    end = 0
    for match in CPR_IN_TEXT.finditer(ascii_digits):
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
