"""A Core statement compiled once and sent to the SQLite driver directly.

For the one write on every item's path (runner.store.sql.items): the SQL is SQLAlchemy's
own compilation of the statement, and each value goes through the column type's own bind
processing, so what is written is what SQLAlchemy would write and reads back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_GIVEN = object()


class DriverStatement:
    """`sql` with `?` placeholders; `parameters(values)` fills them from the named values
    (the statement's `bindparam`s) and the statement's own literals."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler) or compiled.positiontup is None:
            raise ValueError(f"{dialect.name} does not take positional parameters")
        self.sql = compiled.string
        self._slots: list[tuple[str, Callable[[Any], Any] | None, Any]] = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            process = bind.type.bind_processor(dialect)
            # A `bindparam` without a value is given per call; any other is the statement's own.
            fixed = _GIVEN if bind.required else (process(bind.value) if process else bind.value)
            self._slots.append((name, process, fixed))

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            fixed if fixed is not _GIVEN else (process(values[name]) if process else values[name])
            for name, process, fixed in self._slots
        )
