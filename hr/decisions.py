"""What every bot's rules share: the decision contract's input read into typed `Facts`, the
frozen `Decision` base of what they decide, and the readers and codes of money (the contract:
docs/writing-a-bot.md, section 4)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
)

from hr.cpr import mask_cprs_in_text
from hr.money import LIMIT, payable, to_decimal

M = TypeVar("M", bound=BaseModel)
#: The dates a decision input may hold (the runner's config bounds `clock.today` alike).
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2199, 12, 31)

#: The code when Lønsystem's employment record holds a number nothing can be paid from
#: (a negative salary, zero weekly hours, a pension percentage below 0 or above 100); the
#: rules files name none, so every bot uses this one and its README says what a person does.
EMPLOYMENT_DATA_INVALID = "EMPLOYMENT_DATA_INVALID"
#: The most hours a week can hold: the bound on weekly hours wherever they are read.
HOURS_IN_A_WEEK = Decimal(168)


class Decision(BaseModel):
    """What a bot's rules decide: frozen; its JSON is `rpa decide`'s output and the item's
    stored decision. A subclass with a `field` (naming what to correct in the source system)
    has it in the JSON only when it is set."""

    model_config = ConfigDict(frozen=True)

    @model_serializer(mode="wrap")
    def _field_when_named(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if "field" in data and data["field"] is None:
            del data["field"]
        return data


class Facts(BaseModel):
    """A record as a bot's rules read it: the decide input's `employment` or `case`, or what a
    page object returned. Every field is optional, as the decision contract allows a partial
    record; `need` names one a rule needs and does not find. Fields the rules do not read are
    ignored. Dates, numbers and flags are read by the contract's readers (`parse_date`,
    `number`, a strict bool), so a mistyped value is a ValueError naming `WHERE.field`;
    whether a number can be paid from is still the rules' question (`payable_number`)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    WHERE: ClassVar[str] = "record"

    @field_validator("*", mode="before")
    @classmethod
    def _read(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        name = f"{cls.WHERE}.{info.field_name}"
        annotation = cls.model_fields[info.field_name].annotation
        if annotation == date | None:
            return parse_date(value, name)
        if annotation == Decimal | None:
            return number(value, name)
        if annotation == bool | None and not isinstance(value, bool):
            raise ValueError(f"{name}: not true/false: {value!r}")
        return value

    @classmethod
    def read(cls, given: BaseModel | Mapping[str, Any]) -> Self:
        """`given` (a record, or the input's mapping) as these facts; ValueError naming the field."""
        data = given.model_dump() if isinstance(given, BaseModel) else given
        try:
            return cls.model_validate(data)
        except ValidationError as invalid:
            problem = invalid.errors()[0]
            message = str(problem["msg"]).removeprefix("Value error, ")
            if problem["type"] != "value_error":  # pydantic's own words: name the field
                message = f"{cls.WHERE}.{'.'.join(map(str, problem['loc']))}: {message}"
            raise ValueError(message) from None

    def need(self, field: str) -> Any:
        """The value of a field the rules need; ValueError naming it when it is missing or null."""
        value = getattr(self, field)
        if value is None:
            raise ValueError(f"missing field {self.WHERE}.{field}")
        return value


class Unpayable(Exception):
    """Raised by the money readers below when a number cannot be paid from; `code` is the rules' code.

    `field` names the field (e.g. `employment.monthly_salary`), never its value: a value
    typed in the wrong field could be a CPR number.
    """

    def __init__(self, code: str, field: str) -> None:
        super().__init__(f"{code}: {field}")
        self.code, self.field = code, field


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
        print(mask_cprs_in_text(f"warning: unknown setting {key!r} ignored"), file=sys.stderr)
    return model(**{k: v for k, v in given.items() if k in model.model_fields and v is not None})


@dataclass(frozen=True)
class CaseInput(Generic[M]):
    """A `{"as_of", "employment", "case", "settings"}` decide input, read for the rules."""

    as_of: date
    case: Mapping[str, Any]
    employment: Mapping[str, Any] | None
    settings: M


def read_case_input(data: Any, settings: type[M], *, employment: bool = True) -> CaseInput[M]:
    """The decide input's parts, checked in the contract's order; ValueError naming what is wrong.

    `employment=False` leaves `input.employment` to the caller (a batch has `employments`).
    """
    if not isinstance(data, Mapping):
        raise ValueError("input must be a JSON object")
    given = settings_from(settings, data.get("settings"))
    as_of = parse_date(required(data, "as_of", "input"), "as_of")
    assert as_of is not None
    case = required(data, "case", "input")
    if not isinstance(case, Mapping):
        raise ValueError("case must be an object")
    found = None
    if employment:
        if "employment" not in data:
            raise ValueError("missing field input.employment (null when the employment does not exist)")
        found = data["employment"]
        if found is not None and not isinstance(found, Mapping):
            raise ValueError("employment must be an object or null")
    return CaseInput(as_of, case, found, given)


def required(record: Mapping[str, Any], key: str, where: str) -> Any:
    """The value of a field the rules need; ValueError naming it when it is missing or null."""
    value = record.get(key)
    if value is None:
        raise ValueError(f"missing field {where}.{key}")
    return value


def parse_date(value: Any, field: str) -> date | None:
    """An ISO date (or a date) → date; None stays None; anything else is a ValueError naming the field.

    A date outside FIRST_DATE … LAST_DATE is one too, given as text or as a date (a record's).
    """
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif not isinstance(value, str):
        raise ValueError(f"{field}: not a date: {value!r}")
    else:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{field}: not an ISO date (YYYY-MM-DD): {value!r}") from None
    if not FIRST_DATE <= parsed <= LAST_DATE:  # the rules add days and years: 9999-12-31 overflows
        raise ValueError(f"{field}: {value} is outside {FIRST_DATE} to {LAST_DATE}")
    return parsed


def number(value: Any, field: str) -> Decimal:
    """A finite number (a float via its repr) as Decimal; ValueError naming the field otherwise.

    The message does not echo the value: text typed in a number's field could be a CPR number.
    """
    try:
        return to_decimal(value)
    except (TypeError, ValueError):
        raise ValueError(f"{field}: not a finite number") from None


def payable_number(value: Any, field: str, code: str, limit: Decimal = LIMIT) -> Decimal:
    """An amount, salary or hour count the rules pay from: at least 0.01 once rounded, at most `limit`.

    ValueError when it is not a number; Unpayable(code, field) when it is negative, zero,
    rounds to 0.00 or exceeds the limit. The number is returned as given: money is
    rounded once, at the end of the computation.
    """
    result = number(value, field)
    if not payable(result, limit):
        raise Unpayable(code, field)
    return result


def percentage(value: Any, field: str, code: str) -> Decimal:
    """A percentage from 0 to 100 (0 is a real answer: no pension); Unpayable(code, field) outside."""
    result = number(value, field)
    if not Decimal(0) <= result <= Decimal(100):
        raise Unpayable(code, field)
    return result
