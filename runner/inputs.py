"""The one reader of what a person hands the `rpa` command: files and database URLs.

Every file the CLI takes (`--input`, `--payload`, `--from`, the config file) and every
database URL (`RPA_DATABASE_URL`, `store.url`) is read here, so each kind of bad input
ends in one `InputError` naming the file or variable and what is wrong (exit 2), before
anything is changed: not found, not a file, too big, not UTF-8, not JSON (with line and
column), the wrong top-level type, nested too deeply, a number out of range, a URL that
does not parse or whose driver is not shipped.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import sys
from typing import Any, NoReturn

from runner.errors import InputError

__all__ = [
    "DEFAULT_MAX_INPUT_BYTES",
    "MAX_DEPTH",
    "MAX_NUMBER",
    "STDIN",
    "USER_NAME",
    "check_depth",
    "database_url",
    "parse_json",
    "read_bytes",
    "read_json",
    "read_text",
    "user_name",
]

DEFAULT_MAX_INPUT_BYTES = 10_000_000
#: Deeper than any real case, shallow enough that no recursive reader (json, redact,
#: pydantic) comes near Python's recursion limit.
MAX_DEPTH = 100
#: Beyond 2**53 (about 9.0e15) a float no longer holds every whole number; no amount,
#: hour count, percentage or id of this domain comes near 1e15.
MAX_NUMBER = 10**15
STDIN = "-"
#: Drivers we ship (SQLAlchemy backend+dbapi); `postgresql://` means psycopg 3 here.
SHIPPED_DRIVERS = {"sqlite": "sqlite", "sqlite+pysqlite": "sqlite",
                   "postgresql": "postgresql+psycopg", "postgresql+psycopg": "postgresql+psycopg"}

_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[][{}]')
_TYPE_NAMES = {dict: "a JSON object", list: "a JSON list", str: "a string", bool: "true or false",
               int: "a number", float: "a number", type(None): "null"}


def read_bytes(path: str | os.PathLike[str], *, limit: int = DEFAULT_MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file (or stdin for `-`), at most `limit` of them."""
    name = os.fspath(path)
    data = sys.stdin.buffer.read(limit + 1) if name == STDIN else _read_file(name, limit)
    if len(data) > limit:
        raise InputError(name, f"is larger than the limit of {limit:,} bytes")
    return data


def _read_file(name: str, limit: int) -> bytes:
    try:
        info = os.stat(name)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(name, "is a directory, not a file")
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise InputError(name, f"is {info.st_size:,} bytes, larger than the limit of {limit:,}")
        with open(name, "rb") as file:
            return file.read(limit + 1)
    except FileNotFoundError:
        raise InputError(name, "not found") from None
    except OSError as error:
        raise InputError(name, f"cannot be read: {error.strerror or error}") from None


def read_text(path: str | os.PathLike[str], *, limit: int = DEFAULT_MAX_INPUT_BYTES) -> str:
    """The file's text, which must be UTF-8 (a UTF-8 byte order mark is dropped)."""
    name = os.fspath(path)
    return decode_utf8(read_bytes(name, limit=limit), name)


def decode_utf8(data: bytes, source: str) -> str:
    """`data` as UTF-8 text; InputError naming `source` and the first bad byte otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, "is UTF-16, not UTF-8; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise InputError(source, f"is not UTF-8: byte 0x{byte:02x} on line {line} "
                                 f"(offset {error.start}); save it as UTF-8") from None


def read_json(path: str | os.PathLike[str], *, limit: int = DEFAULT_MAX_INPUT_BYTES,
              expect: type | tuple[type, ...] = dict) -> Any:
    """The JSON value in the file, checked as `parse_json` does."""
    name = os.fspath(path)
    return parse_json(read_text(name, limit=limit), name, expect=expect)


def parse_json(text: str, source: str, *, expect: type | tuple[type, ...] = dict) -> Any:
    """`text` as JSON whose top level is an `expect` (default an object).

    Refused, naming `source` and where: invalid JSON (line and column), nesting deeper
    than MAX_DEPTH, NaN/Infinity, numbers beyond ±MAX_NUMBER.
    """
    text = text.removeprefix("\ufeff")  # a byte order mark is no content
    if not text.strip():
        raise InputError(source, f"is empty; expected {_expected(expect)}")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InputError(source, f"not valid JSON: line {error.lineno} column {error.colno}: "
                                 f"{error.msg}") from None
    except _OutOfRange as error:
        raise InputError(source, f"{_where(text, error.literal)}: {error}") from None
    except (RecursionError, ValueError):  # nested past the C parser's limit; 4,300+ digits
        _locate_problem(text, source)
    if not _within_bounds(value):
        _locate_problem(text, source)
    if not isinstance(value, expect) or (isinstance(value, bool) and bool not in _as_tuple(expect)):
        raise InputError(source, f"expected {_expected(expect)} at the top level, got "
                                 f"{_TYPE_NAMES.get(type(value), type(value).__name__)}")
    return value


def _within_bounds(value: Any) -> bool:
    """No container deeper than MAX_DEPTH, no number beyond ±MAX_NUMBER (iterative: any depth)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return False
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else [node]
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
            elif not _number_in_range(child):
                return False
    return True


def _number_in_range(value: Any) -> bool:
    if type(value) is float:
        return math.isfinite(value) and -MAX_NUMBER <= value <= MAX_NUMBER
    return type(value) is not int or -MAX_NUMBER <= value <= MAX_NUMBER


def _locate_problem(text: str, source: str) -> NoReturn:
    """The slow second reading of a file `_within_bounds` refused: say where, with line and column."""
    check_depth(text, source)
    try:
        json.loads(text, parse_constant=_refuse_constant, parse_int=_bounded_int, parse_float=_bounded_float)
    except _OutOfRange as error:
        raise InputError(source, f"{_where(text, error.literal)}: {error}") from None
    raise InputError(source, f"nested deeper than {MAX_DEPTH} levels or holds a number beyond ±1e15")


class _OutOfRange(ValueError):
    def __init__(self, literal: str, problem: str) -> None:
        super().__init__(problem)
        self.literal = literal


def _refuse_constant(literal: str) -> Any:
    raise _OutOfRange(literal, f"{literal} is not a number JSON allows")


def _bounded_int(literal: str) -> int:
    # Checked on the literal: int() of 4,300 digits or more raises before any bound could.
    if len(literal.lstrip("-")) > len(str(MAX_NUMBER)):
        raise _OutOfRange(literal, f"number {_short(literal)} is out of range (at most ±1e15)")
    value = int(literal)
    if abs(value) > MAX_NUMBER:
        raise _OutOfRange(literal, f"number {_short(literal)} is out of range (at most ±1e15)")
    return value


def _bounded_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise _OutOfRange(literal, f"number {_short(literal)} is out of range (at most ±1e15)")
    return value


def _short(literal: str) -> str:
    return literal if len(literal) <= 24 else f"{literal[:12]}…({len(literal)} characters)"


def check_depth(text: str, source: str) -> None:
    """InputError when `text` (JSON, or YAML in flow style) nests brackets deeper than MAX_DEPTH."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise InputError(source, f"{_position(text, match.start())}: nested deeper than "
                                         f"{MAX_DEPTH} levels")
        elif token in "]}":
            depth -= 1


def _where(text: str, literal: str) -> str:
    # the literal as a value, not inside a string or a longer number
    found = re.search(rf'(?<![\w.+"-]){re.escape(literal)}(?![\w.+"-])', text)
    return _position(text, found.start()) if found else "(file)"


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line} column {column}"


def _as_tuple(expect: type | tuple[type, ...]) -> tuple[type, ...]:
    return expect if isinstance(expect, tuple) else (expect,)


def _expected(expect: type | tuple[type, ...]) -> str:
    return " or ".join(dict.fromkeys(_TYPE_NAMES.get(kind, kind.__name__) for kind in _as_tuple(expect)))


# -- database URLs -----------------------------------------------------------------------------


def database_url(url: str, source: str) -> str:
    """`url` checked to parse and to name a driver we ship; `postgresql://` becomes psycopg 3.

    `source` names where it came from (`RPA_DATABASE_URL`, `store.url`); the error never
    shows the URL's password.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    expected = "expected sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE"
    if not url.strip():
        raise InputError(source, f"is empty; {expected}")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise InputError(source, f"does not parse as a database URL; {expected}") from None
    driver = SHIPPED_DRIVERS.get(parsed.drivername)
    if driver is None:
        raise InputError(source, f"driver {parsed.drivername!r} is not shipped; {expected}")
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


# -- user names --------------------------------------------------------------------------------

USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


def user_name(name: str, source: str = "user name") -> str:
    """`name` if it is a valid user name: 1–64 letters, digits, `.`, `_`, `@`, `-`, not
    starting with a sign; no whitespace or control character, so `rpa users ls` shows
    one line per user."""
    if USER_NAME.fullmatch(name) is None:
        shown = repr(name) if len(name) <= 70 else repr(name[:64] + "…")
        raise InputError(source, f"{shown} is not a valid user name; expected 1 to 64 letters, digits, "
                                 "'.', '_', '@' or '-', starting with a letter or digit")
    return name


ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def role_name(role: str, source: str = "role") -> str:
    """`role` if it is a valid role name: 1–40 lower-case letters, digits and `_`, starting
    with a letter (the framework's own roles and those bots declare)."""
    if ROLE_NAME.fullmatch(role) is None:
        shown = repr(role) if len(role) <= 50 else repr(role[:40] + "…")
        raise InputError(source, f"{shown} is not a valid role; expected 1 to 40 lower-case letters, "
                                 "digits or '_', starting with a letter")
    return role
