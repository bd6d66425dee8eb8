"""A payload model's validation errors as Danish messages, one per form field.

A message never repeats the value a person typed: it could be a CPR number. That is why a
validator's own message (`value_error`, which may quote the value) gives the generic one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from pydantic import ValidationError
from pydantic_core import ErrorDetails

__all__ = [
    "INVALID",
    "NOT_A_DATE",
    "NOT_A_NUMBER",
    "NOT_JSON",
    "REQUIRED",
    "UNKNOWN_CHOICE",
    "WHOLE_FORM",
    "api_errors",
    "danish_message",
    "form_errors",
]

LOCALE = "da_DK"
WHOLE_FORM = "__all__"  # the key of an error about the payload as a whole

REQUIRED = "Skal udfyldes"
NOT_A_NUMBER = "Skal være et tal"
NOT_A_WHOLE_NUMBER = "Skal være et helt tal"
NOT_A_DATE = "Skal være en dato (åååå-mm-dd)"
NOT_A_TIME = "Skal være et tidspunkt (åååå-mm-dd tt:mm)"
NOT_JSON = "Skal være gyldig JSON"
UNKNOWN_CHOICE = "Ukendt værdi"
INVALID = "Ugyldig værdi"

_FIXED: dict[str, str] = {
    "missing": REQUIRED,
    "int_parsing": NOT_A_WHOLE_NUMBER,
    "int_type": NOT_A_WHOLE_NUMBER,
    "int_from_float": NOT_A_WHOLE_NUMBER,
    "float_parsing": NOT_A_NUMBER,
    "float_type": NOT_A_NUMBER,
    "decimal_parsing": NOT_A_NUMBER,
    "decimal_type": NOT_A_NUMBER,
    "finite_number": "Skal være et endeligt tal",
    "date_parsing": NOT_A_DATE,
    "date_type": NOT_A_DATE,
    "date_from_datetime_parsing": NOT_A_DATE,
    "date_from_datetime_inexact": NOT_A_DATE,
    "datetime_parsing": NOT_A_TIME,
    "datetime_type": NOT_A_TIME,
    "datetime_from_date_parsing": NOT_A_TIME,
    "bool_parsing": "Skal være ja eller nej",
    "bool_type": "Skal være ja eller nej",
    "string_type": "Skal være tekst",
    "string_pattern_mismatch": "Har ikke det rigtige format",
    "literal_error": UNKNOWN_CHOICE,
    "enum": UNKNOWN_CHOICE,
    "json_invalid": NOT_JSON,
    "extra_forbidden": "Ukendt felt",
    "dict_type": "Har ikke den rigtige form",
    "list_type": "Har ikke den rigtige form",
    "model_type": "Har ikke den rigtige form",
    "model_attributes_type": "Har ikke den rigtige form",
}


def _bound(value: Any) -> str:
    if isinstance(value, date):
        return format_date(value, "d. MMMM y", locale=LOCALE)
    return str(format_decimal(Decimal(str(value)), locale=LOCALE, decimal_quantization=False))


def _too_short(ctx: Mapping[str, Any]) -> str:
    length = ctx["min_length"]
    return REQUIRED if length == 1 else f"Skal være mindst {length} tegn"


# error type -> the bound's key in the context, the words for a number, for a date
_BOUNDS: dict[str, tuple[str, str, str]] = {
    "greater_than_equal": ("ge", "Skal være mindst", "Må tidligst være"),
    "less_than_equal": ("le", "Må højst være", "Må senest være"),
    "greater_than": ("gt", "Skal være større end", "Skal være efter"),
    "less_than": ("lt", "Skal være mindre end", "Skal være før"),
}


def _beyond(kind: str, ctx: Mapping[str, Any]) -> str:
    key, for_number, for_date = _BOUNDS[kind]
    bound = ctx[key]
    if isinstance(bound, str):  # pydantic gives a date's bound as ISO text
        bound = date.fromisoformat(bound)
    return f"{for_date if isinstance(bound, date) else for_number} {_bound(bound)}"


_WITH_CONTEXT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "string_too_short": _too_short,
    "string_too_long": lambda ctx: f"Må højst være {ctx['max_length']} tegn",
    "too_short": lambda ctx: f"Skal have mindst {ctx['min_length']} elementer",
    "too_long": lambda ctx: f"Må højst have {ctx['max_length']} elementer",
    "decimal_max_places": lambda ctx: f"Må højst have {ctx['decimal_places']} decimaler",
    "decimal_max_digits": lambda ctx: f"Må højst have {ctx['max_digits']} cifre",
    "decimal_whole_digits": lambda ctx: f"Må højst have {ctx['whole_digits']} cifre før kommaet",
}


def danish_message(error: ErrorDetails) -> str:
    """One pydantic error in Danish; `INVALID` for a type without words of its own."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    try:
        if kind in _BOUNDS:
            return _beyond(kind, ctx)
        if kind in _WITH_CONTEXT:
            return _WITH_CONTEXT[kind](ctx)
    except (KeyError, ArithmeticError, ValueError):
        return INVALID
    return _FIXED.get(kind, INVALID)


def form_errors(invalid: ValidationError, field_names: Mapping[str, str]) -> dict[str, str]:
    """The first error of each field, keyed by field name (`field_names`: key in the data →
    field name); deeper than the field, the path goes first: "0.amount: Skal være et tal"."""
    errors: dict[str, str] = {}
    for error in invalid.errors():
        loc = error["loc"]
        name = field_names.get(str(loc[0]), str(loc[0])) if loc else WHOLE_FORM
        inside = ".".join(str(part) for part in loc[1:])
        message = danish_message(error)
        errors.setdefault(name, f"{inside}: {message}" if inside else message)
    return errors


def api_errors(invalid: ValidationError) -> list[dict[str, Any]]:
    """The errors as the API's 422 answers them: `[{"loc": [...], "msg": Danish}]`."""
    return [{"loc": list(error["loc"]), "msg": danish_message(error)} for error in invalid.errors()]
