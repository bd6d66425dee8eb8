"""What every bot's `decide` shares: reading the decision contract's input (rules/README.md)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def settings_from(model: type[M], given: Mapping[str, Any] | None) -> M:
    """The defaults with `given` replacing whole values.

    Null (or missing) means the default; an unknown key is ignored with a warning on
    stderr, as the decision contract says.
    """
    if given is None:
        return model()
    if not isinstance(given, Mapping):
        raise ValueError("settings must be an object or null")
    for key in sorted(set(given) - set(model.model_fields)):
        print(f"warning: unknown setting {key!r} ignored", file=sys.stderr)
    return model(**{k: v for k, v in given.items() if k in model.model_fields and v is not None})


def required(record: Mapping[str, Any], key: str, where: str) -> Any:
    """The value of a field the rules need; ValueError naming it when it is missing or null."""
    value = record.get(key)
    if value is None:
        raise ValueError(f"missing field {where}.{key}")
    return value


def parse_date(value: Any, field: str) -> date | None:
    """An ISO date (or a date) → date; None stays None; anything else is a ValueError naming the field."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{field}: not a date: {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field}: not an ISO date (YYYY-MM-DD): {value!r}") from None
