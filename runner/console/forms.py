"""The "retry with corrected data" form, generated from a task's pydantic payload model.

Pure: `fields_of` says which input each field of the model gets, `read_form` turns the
submitted strings back into a payload the model accepts (or Danish errors by field), and
`changes` lists what a person changed, for the audit trail.

An optional field (`X | None`) may be emptied: empty is None. A required field left empty
is "Skal udfyldes". A field with a default left empty takes its default. Nested models,
lists and dicts are one text field holding JSON ("json").
"""

from __future__ import annotations

import json
import math
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from runner.console.form_errors import NOT_JSON, REQUIRED, UNKNOWN_CHOICE, WHOLE_FORM, form_errors

__all__ = ["Change", "FormField", "Kind", "changes", "fields_of", "read_form"]

Kind = Literal["text", "number", "date", "checkbox", "select", "json"]
Change = tuple[str, Any, Any]
Payload = dict[str, Any]

NOT_GIVEN = "Ikke angivet"
YES, NO = "Ja", "Nej"
_FALSE = frozenset({"", "false", "0", "off"})  # a checkbox's value that still means unticked


@dataclass(frozen=True)
class FormField:
    """One input of the form: what to render, and the current value as the input's string.

    `options` are (value, label) pairs of a select; `step`, `min` and `max` a number's or a
    date's attributes, as strings; `help` the field's description when it is not the label.
    """

    name: str
    label: str
    kind: Kind
    required: bool
    value: str
    options: tuple[tuple[str, str], ...] = ()
    step: str | None = None
    min: str | None = None
    max: str | None = None
    help: str | None = None

    @property
    def checked(self) -> bool:
        """A checkbox that is ticked."""
        return self.kind == "checkbox" and self.value == "true"


@dataclass(frozen=True)
class _Shape:
    """What a model field's annotation means for its input."""

    kind: Kind
    nullable: bool
    python: Any
    constraints: tuple[Any, ...]
    choices: Mapping[str, Any] = field(default_factory=dict)  # a select's value -> the model's


def fields_of(model: type[BaseModel], values: Mapping[str, Any]) -> list[FormField]:
    """One input per field of `model`, in its order, filled from `values` (a stored payload)."""
    return [_form_field(name, info, values) for name, info in model.model_fields.items()]


def read_form(model: type[BaseModel], form: Mapping[str, str]) -> tuple[Payload | None, dict[str, str]]:
    """The payload (JSON-ready, validated by `model`) and no errors; or None and the errors by
    field name, in Danish. Keys in `form` that are no field (a CSRF token) are ignored."""
    data: Payload = {}
    errors: dict[str, str] = {}
    keys: dict[str, str] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        keys[key] = name
        try:
            given, value = _read(_shape(info), _required(info), form.get(name))
        except _Unreadable as unreadable:
            errors[name] = unreadable.message
            continue
        if given:
            data[key] = value
    try:
        payload = model.model_validate(data)
    except ValidationError as invalid:
        errors = {**form_errors(invalid, keys), **errors}
    if errors:
        order = {name: n for n, name in enumerate([WHOLE_FORM, *model.model_fields])}
        return None, dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))
    return payload.model_dump(mode="json"), {}


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """The fields whose value differs, as (name, old, new); a missing key is None."""
    names = [*old, *(name for name in new if name not in old)]
    return [(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)]


# -- one field's input ---------------------------------------------------------------------------


def _form_field(name: str, info: FieldInfo, values: Mapping[str, Any]) -> FormField:
    shape = _shape(info)
    value = values[name] if name in values else _default(info)
    label = info.title or info.description or name.replace("_", " ")
    low, high = _limits(shape)
    return FormField(
        name=name,
        label=label,
        kind=shape.kind,
        required=_required(info),
        value=_as_input(shape, value),
        options=_options(shape),
        step=_step(shape),
        min=low,
        max=high,
        help=info.description if info.description and info.description != label else None,
    )


def _required(info: FieldInfo) -> bool:
    return info.is_required() and not _shape(info).nullable


def _default(info: FieldInfo) -> Any:
    if info.is_required():
        return None
    return info.get_default(call_default_factory=True)


def _shape(info: FieldInfo) -> _Shape:
    python, nullable, constraints = _unwrap(info.annotation)
    constraints = (*info.metadata, *constraints)
    if python is bool:
        if nullable:
            return _Shape("select", True, bool, constraints, {"true": True, "false": False})
        return _Shape("checkbox", False, bool, constraints)
    if get_origin(python) is Literal:
        return _Shape("select", nullable, python, constraints, {str(v): v for v in get_args(python)})
    if isinstance(python, type):
        if issubclass(python, Enum):
            return _Shape("select", nullable, python, constraints, {str(m.value): m.value for m in python})
        if issubclass(python, int | float | Decimal):
            return _Shape("number", nullable, python, constraints)
        if issubclass(python, date) and not issubclass(python, datetime):
            return _Shape("date", nullable, python, constraints)
        if issubclass(python, BaseModel | list | dict | tuple | set | frozenset):
            return _Shape("json", nullable, python, constraints)
        return _Shape("text", nullable, python, constraints)
    if python is Any or get_origin(python) in (list, dict, tuple, set, frozenset):
        return _Shape("json", nullable, python, constraints)
    return _Shape("text", nullable, python, constraints)  # a union of several types: the model decides


def _unwrap(annotation: Any) -> tuple[Any, bool, tuple[Any, ...]]:
    """The annotation without `None` and `Annotated`: (type, whether None is allowed, constraints)."""
    nullable = False
    constraints: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                constraints.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        elif origin in (Union, types.UnionType):
            args = get_args(annotation)
            rest = [arg for arg in args if arg is not type(None)]
            nullable = nullable or len(rest) < len(args)
            if len(rest) != 1:
                return Union[tuple(rest)], nullable, tuple(constraints)  # noqa: UP007  # built from a list
            annotation = rest[0]
        else:
            return annotation, nullable, tuple(constraints)


def _as_input(shape: _Shape, value: Any) -> str:
    if value is None:
        return ""
    if shape.kind == "json":
        return json.dumps(to_jsonable_python(value), ensure_ascii=False, indent=2)
    if shape.kind == "checkbox":
        return "true" if value is True else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _options(shape: _Shape) -> tuple[tuple[str, str], ...]:
    if shape.kind != "select":
        return ()
    labels = {"true": YES, "false": NO} if shape.python is bool else {}
    options = tuple((value, labels.get(value, value)) for value in shape.choices)
    return (("", NOT_GIVEN), *options) if shape.nullable else options


def _step(shape: _Shape) -> str | None:
    if shape.kind != "number":
        return None
    if issubclass(shape.python, int):
        return "1"
    if issubclass(shape.python, float):
        return "any"
    places = next((c.decimal_places for c in shape.constraints
                   if getattr(c, "decimal_places", None) is not None), 2)
    return format(Decimal(1).scaleb(-places), "f")


def _limits(shape: _Shape) -> tuple[str | None, str | None]:
    """The inclusive bounds an input can state (an int's exclusive ones become inclusive)."""
    if shape.kind not in ("number", "date"):
        return None, None
    low = high = None
    whole = shape.kind == "number" and issubclass(shape.python, int)
    for constraint in shape.constraints:
        if isinstance(constraint, annotated_types.Ge):
            low = _bound(constraint.ge)
        elif isinstance(constraint, annotated_types.Le):
            high = _bound(constraint.le)
        elif isinstance(constraint, annotated_types.Gt) and whole:
            low = _bound(math.floor(_number(constraint.gt)) + 1)
        elif isinstance(constraint, annotated_types.Lt) and whole:
            high = _bound(math.ceil(_number(constraint.lt)) - 1)
    return low, high


def _number(value: Any) -> Decimal:
    return Decimal(str(value))


def _bound(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return format(Decimal(str(value)), "f")


# -- reading the submitted strings -----------------------------------------------------------------


class _Unreadable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _read(shape: _Shape, required: bool, raw: str | None) -> tuple[bool, Any]:
    """(False, None) when the field is left to its default, else (True, the value for the model)."""
    if shape.kind == "checkbox":
        return True, raw is not None and raw.strip().lower() not in _FALSE
    text = (raw or "").strip()
    if not text:
        if shape.nullable:
            return True, None
        if required:
            raise _Unreadable(REQUIRED)
        return False, None
    if shape.kind == "select":
        if text not in shape.choices:
            raise _Unreadable(UNKNOWN_CHOICE)
        return True, shape.choices[text]
    if shape.kind == "number" and "," in text and "." not in text:
        return True, text.replace(",", ".")  # a Danish decimal comma
    if shape.kind == "json":
        return True, _json(text)
    return True, text


def _json(text: str) -> Any:
    def refuse(constant: str) -> Any:
        raise ValueError(constant)  # NaN and Infinity are no JSON

    try:
        return json.loads(text, parse_constant=refuse)
    except (ValueError, RecursionError):
        raise _Unreadable(NOT_JSON) from None
