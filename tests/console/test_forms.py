"""The "retry with corrected data" form: generated from the bots' own payload models, read back
into a payload the model accepts, or Danish errors by field that never repeat the value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bots.one_off_supplements.models import BatchRow, SupplementCase
from bots.refund_claims.models import AbsenceClaim, RefundDecision
from bots.sixth_holiday_week.models import TerminationPayout
from bots.termination_letters.models import ResignationCase
from runner.console.form_errors import WHOLE_FORM, api_errors, danish_message
from runner.console.forms import FormField, changes, fields_of, read_form

CPR = "0101901234"
ROW = {
    "case_id": "C-17", "batch_id": "B-3", "row": 4, "employment_id": "E-1001", "amount": "60000.00",
    "reason": "Ekstra vagter", "payout_period": "2024-12", "pensionable": None,
    "submitted_date": "2024-11-18", "duplicate_of": None,
}
ROW_FORM = {
    "case_id": "C-17", "batch_id": "B-3", "row": "4", "employment_id": "E-1001", "amount": "25000.00",
    "reason": "Ekstra vagter", "payout_period": "2024-12", "pensionable": "", "submitted_date": "2024-11-18",
    "duplicate_of": "",
}


def by_name(fields: list[FormField]) -> dict[str, FormField]:
    return {f.name: f for f in fields}


def as_submitted(fields: list[FormField]) -> dict[str, str]:
    """What a browser sends for the form as rendered: an unticked checkbox sends nothing."""
    return {f.name: f.value for f in fields if f.kind != "checkbox" or f.checked}


# -- the inputs ------------------------------------------------------------------------------------


def test_a_decimal_with_ge_0_is_a_number_input_with_step_and_min() -> None:
    max_refund = by_name(fields_of(RefundDecision, {}))["max_refund"]
    assert max_refund == FormField(
        name="max_refund", label="Største refusion (kr.)", kind="number", required=True, value="",
        step="0.01", min="0", max="1000000000000",
    )


def test_a_batch_rows_inputs() -> None:
    fields = fields_of(BatchRow, ROW)
    assert [f.name for f in fields] == list(BatchRow.model_fields)
    assert [(f.name, f.kind, f.required, f.value) for f in fields] == [
        ("case_id", "text", True, "C-17"),
        ("batch_id", "text", True, "B-3"),
        ("row", "number", True, "4"),
        ("employment_id", "text", True, "E-1001"),
        ("amount", "number", True, "60000.00"),
        ("reason", "text", True, "Ekstra vagter"),
        ("payout_period", "text", True, "2024-12"),
        ("pensionable", "select", False, ""),
        ("submitted_date", "date", True, "2024-11-18"),
        ("duplicate_of", "number", False, ""),
    ]
    inputs = by_name(fields)
    assert (inputs["row"].step, inputs["row"].min, inputs["row"].max) == ("1", "1", None)
    assert (inputs["amount"].min, inputs["amount"].max) == ("-1000000000000", "1000000000000")
    assert inputs["pensionable"].options == (("", "Ikke angivet"), ("true", "Ja"), ("false", "Nej"))
    assert inputs["case_id"].label == "Sagsnummer"  # the bot model's Danish title
    assert inputs["case_id"].help is None


def test_a_literal_is_a_select_of_its_values() -> None:
    kind = by_name(fields_of(AbsenceClaim, {"absence_id": "A-1", "kind": "claim"}))["kind"]
    assert (kind.kind, kind.required, kind.value) == ("select", True, "claim")
    assert kind.options == (("claim", "claim"), ("report_only", "report_only"), ("exception", "exception"))


def test_a_field_with_a_default_shows_it_and_is_not_required() -> None:
    kind = by_name(fields_of(SupplementCase, {"case_id": "C-1"}))["kind"]
    assert (kind.kind, kind.required, kind.value) == ("select", False, "single")
    assert kind.options == (("single", "single"), ("batch", "batch"), ("close", "close"))


def test_stored_values_become_the_inputs_strings() -> None:
    fields = by_name(fields_of(RefundDecision, {
        "absence_id": "A-9", "claim_from": date(2024, 11, 1), "max_refund": Decimal("1234.50"),
        "decision": "approved", "paid": 1000.5, "receipt_id": None,
    }))
    assert {name: f.value for name, f in fields.items()} == {
        "absence_id": "A-9", "claim_from": "2024-11-01", "claim_to": "", "max_refund": "1234.50",
        "decision": "approved", "paid": "1000.5", "receipt_id": "",
    }
    assert by_name(fields_of(BatchRow, {**ROW, "pensionable": False}))["pensionable"].value == "false"


class Kind(StrEnum):
    SICK = "sick"
    CHILD = "child_sick"


class Line(BaseModel):
    amount: Decimal


class Everything(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_and_text: str = Field("x", title="Beløbets årsag", description="Som lederen skrev den")
    text_only: str = Field("x", description="Lønperioden (åååå-mm)")
    agreed: bool = False
    kind: Kind = Kind.SICK
    maybe_kind: Kind | None = None
    ratio: float = 0.5
    hours: Decimal = Field(Decimal(0), ge=0, decimal_places=3)
    count: int = Field(1, gt=0, lt=10)
    first_day: date = Field(date(2024, 1, 1), ge=date(2024, 1, 1), le=date(2030, 12, 31))
    lines: list[Line] = Field(default_factory=list)
    extra: dict[str, Any] | None = None


def test_labels_help_and_the_other_kinds() -> None:
    fields = by_name(fields_of(Everything, {"agreed": True, "lines": [{"amount": "12.50"}]}))
    assert (fields["title_and_text"].label, fields["title_and_text"].help) == (
        "Beløbets årsag", "Som lederen skrev den")
    assert (fields["text_only"].label, fields["text_only"].help) == ("Lønperioden (åååå-mm)", None)
    agreed = fields["agreed"]
    assert (agreed.kind, agreed.value, agreed.checked) == ("checkbox", "true", True)
    assert not by_name(fields_of(Everything, {}))["agreed"].checked
    assert (fields["kind"].kind, fields["kind"].value) == ("select", "sick")
    assert fields["kind"].options == (("sick", "sick"), ("child_sick", "child_sick"))
    assert fields["maybe_kind"].options == (
        ("", "Ikke angivet"), ("sick", "sick"), ("child_sick", "child_sick"))
    assert (fields["ratio"].kind, fields["ratio"].step) == ("number", "any")
    assert (fields["hours"].step, fields["hours"].min) == ("0.001", "0")
    assert (fields["count"].step, fields["count"].min, fields["count"].max) == ("1", "1", "9")
    assert (fields["first_day"].kind, fields["first_day"].min, fields["first_day"].max) == (
        "date", "2024-01-01", "2030-12-31")
    assert (fields["lines"].kind, fields["lines"].value) == ("json", '[\n  {\n    "amount": "12.50"\n  }\n]')
    assert (fields["extra"].kind, fields["extra"].required, fields["extra"].value) == ("json", False, "")


# -- reading it back -------------------------------------------------------------------------------


def test_a_corrected_amount_gives_the_validated_payload() -> None:
    payload, errors = read_form(BatchRow, ROW_FORM)
    assert errors == {}
    assert payload == {**ROW, "amount": "25000.00"}


def test_the_form_as_rendered_reads_back_as_the_stored_payload() -> None:
    for model, stored in [
        (BatchRow, ROW),
        (RefundDecision, {"absence_id": "A-9", "claim_from": "2024-11-01", "claim_to": None,
                          "max_refund": "1234.50", "decision": "approved", "paid": None,
                          "receipt_id": "R-1"}),
        (AbsenceClaim, {"absence_id": "A-1", "kind": "report_only", "claim_to": "2024-12-31"}),
        (SupplementCase, {"case_id": "C-1", "kind": "batch", "summary": None}),
        (TerminationPayout, {"employment_id": "E-1", "end_date": "2024-12-31"}),
        (ResignationCase, {"case_id": "C-2"}),
    ]:
        payload, errors = read_form(model, as_submitted(fields_of(model, stored)))
        assert (payload, errors) == (stored, {}), model.__name__
        assert changes(stored, payload) == []


def test_a_wrong_amount_gives_the_danish_message_and_no_payload() -> None:
    assert read_form(BatchRow, {**ROW_FORM, "amount": "mange penge"}) == (
        None, {"amount": "Skal være et tal"})
    decision = {"absence_id": "A-1", "decision": "ok"}
    assert read_form(RefundDecision, {**decision, "max_refund": "-1"}) == (
        None, {"max_refund": "Skal være mindst 0"})
    assert read_form(RefundDecision, {**decision, "max_refund": "2000000000000"}) == (
        None, {"max_refund": "Må højst være 1.000.000.000.000"})


def test_every_wrong_field_is_named_at_once() -> None:
    payload, errors = read_form(BatchRow, {
        **ROW_FORM, "row": "0", "employment_id": "", "amount": "1.5.0", "reason": "  ",
        "submitted_date": "18.11.2024", "pensionable": "kanske", "duplicate_of": "2,5",
    })
    assert payload is None
    assert list(errors) == ["row", "employment_id", "amount", "reason", "pensionable", "submitted_date",
                            "duplicate_of"]  # the form's order
    assert errors == {
        "row": "Skal være mindst 1",
        "employment_id": "Skal udfyldes",
        "amount": "Skal være et tal",
        "reason": "Skal udfyldes",
        "submitted_date": "Skal være en dato (åååå-mm-dd)",
        "pensionable": "Ukendt værdi",
        "duplicate_of": "Skal være et helt tal",
    }


def test_a_missing_field_must_be_filled_in() -> None:
    assert read_form(ResignationCase, {}) == (None, {"case_id": "Skal udfyldes"})
    assert read_form(TerminationPayout, {"employment_id": "E-1"}) == (None, {"end_date": "Skal udfyldes"})


def test_a_value_outside_a_select_is_unknown() -> None:
    assert read_form(AbsenceClaim, {"absence_id": "A-1", "kind": "refund"}) == (
        None, {"kind": "Ukendt værdi"})


def test_an_optional_field_emptied_is_none() -> None:
    payload, _ = read_form(RefundDecision, {"absence_id": "A-1", "claim_from": " ", "max_refund": "10",
                                            "decision": "ok", "paid": "", "receipt_id": ""})
    assert payload == {"absence_id": "A-1", "claim_from": None, "claim_to": None, "max_refund": "10",
                       "decision": "ok", "paid": None, "receipt_id": None}


def test_a_field_with_a_default_left_empty_takes_the_default() -> None:
    payload, _ = read_form(SupplementCase, {"case_id": "C-1", "kind": ""})
    assert payload == {"case_id": "C-1", "kind": "single", "summary": None}


def test_a_danish_decimal_comma_is_read() -> None:
    payload, _ = read_form(BatchRow, {**ROW_FORM, "amount": "1250,75"})
    assert payload is not None
    assert payload["amount"] == "1250.75"


def test_a_checkbox_absent_from_the_form_is_false() -> None:
    assert read_form(Everything, {})[0]["agreed"] is False  # type: ignore[index]
    assert read_form(Everything, {"agreed": "true"})[0]["agreed"] is True  # type: ignore[index]
    assert read_form(Everything, {"agreed": "on"})[0]["agreed"] is True  # type: ignore[index]


def test_an_optional_bool_is_yes_no_or_not_given() -> None:
    for submitted, pensionable in [("true", True), ("false", False), ("", None)]:
        payload, _ = read_form(BatchRow, {**ROW_FORM, "pensionable": submitted})
        assert payload is not None
        assert payload["pensionable"] is pensionable


def test_enums_dates_and_json_read_back() -> None:
    payload, errors = read_form(Everything, {
        "kind": "child_sick", "maybe_kind": "", "first_day": "2025-02-03", "count": "9",
        "lines": '[{"amount": "1,5"}]', "extra": '{"note": "fra lederen"}', "csrf_token": "abc",
    })
    assert errors == {"lines": "0.amount: Skal være et tal"}
    assert payload is None
    payload, errors = read_form(Everything, {
        "kind": "child_sick", "first_day": "2025-02-03", "lines": '[{"amount": "1.5"}]',
        "extra": '{"note": "fra lederen"}',
    })
    assert errors == {}
    assert payload is not None
    assert (payload["kind"], payload["maybe_kind"]) == ("child_sick", None)
    assert payload["first_day"] == "2025-02-03"
    assert (payload["lines"], payload["extra"]) == ([{"amount": "1.5"}], {"note": "fra lederen"})


@pytest.mark.parametrize(("form", "errors"), [
    ({"lines": "[{"}, {"lines": "Skal være gyldig JSON"}),
    ({"lines": "[NaN]"}, {"lines": "Skal være gyldig JSON"}),
    ({"lines": "{}"}, {"lines": "Har ikke den rigtige form"}),
    ({"count": "0"}, {"count": "Skal være større end 0"}),
    ({"count": "10"}, {"count": "Skal være mindre end 10"}),
    ({"hours": "1.2345"}, {"hours": "Må højst have 3 decimaler"}),
    ({"hours": "Infinity"}, {"hours": "Skal være et endeligt tal"}),
    ({"ratio": "halv"}, {"ratio": "Skal være et tal"}),
    ({"first_day": "2023-12-31"}, {"first_day": "Må tidligst være 1. januar 2024"}),
    ({"first_day": "2031-01-01"}, {"first_day": "Må senest være 31. december 2030"}),
    ({"first_day": "2024-02-30"}, {"first_day": "Skal være en dato (åååå-mm-dd)"}),
    ({"kind": "SICK"}, {"kind": "Ukendt værdi"}),
])
def test_danish_messages(form: dict[str, str], errors: dict[str, str]) -> None:
    assert read_form(Everything, form) == (None, errors)


class Strict(BaseModel):
    code: str = Field(min_length=3, max_length=5, pattern="^[A-Z]+$")
    cpr: str | None = None
    ref: UUID | None = None
    lines: list[int] = Field(default_factory=list, max_length=2)

    @field_validator("cpr")
    @classmethod
    def _not_a_cpr(cls, value: str | None) -> str | None:
        if value is not None and value.isdigit():
            raise ValueError(f"cpr: not allowed: {value!r}")  # quotes the value, as validators do
        return value


class Period(BaseModel):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"end {self.end} before start {self.start}")
        return self


@pytest.mark.parametrize(("form", "errors"), [
    ({"code": "AB"}, {"code": "Skal være mindst 3 tegn"}),
    ({"code": "ABCDEF"}, {"code": "Må højst være 5 tegn"}),
    ({"code": "abc"}, {"code": "Har ikke det rigtige format"}),
    ({"code": "ABC", "lines": "[1, 2, 3]"}, {"lines": "Må højst have 2 elementer"}),
    # a validator's own message may quote the value: the generic one instead
    ({"code": "ABC", "cpr": CPR}, {"cpr": "Ugyldig værdi"}),
    # an error type without words of its own
    ({"code": "ABC", "ref": "not-a-uuid"}, {"ref": "Ugyldig værdi"}),
])
def test_more_danish_messages(form: dict[str, str], errors: dict[str, str]) -> None:
    assert read_form(Strict, form) == (None, errors)


def test_an_error_about_the_whole_payload() -> None:
    assert read_form(Period, {"start": "2024-12-24", "end": "2024-12-01"}) == (
        None, {WHOLE_FORM: "Ugyldig værdi"})


def test_an_unknown_error_type_has_a_generic_danish_message() -> None:
    future = {"type": "some_future_error", "loc": ("x",), "msg": "x", "input": CPR}
    assert danish_message(future) == "Ugyldig værdi"  # type: ignore[arg-type]
    assert danish_message({"type": "greater_than_equal", "loc": ("x",), "msg": "x", "input": 1}) == (
        "Ugyldig værdi")  # no bound in the context


@pytest.mark.parametrize("name", ["row", "amount", "submitted_date", "pensionable", "duplicate_of"])
def test_a_message_never_repeats_the_value(name: str) -> None:
    payload, errors = read_form(BatchRow, {**ROW_FORM, name: "010190-1234"})
    assert payload is None
    assert set(errors) == {name}
    assert "010190" not in errors[name]
    assert "1234" not in errors[name]


def test_the_apis_errors_are_located_and_danish() -> None:
    with pytest.raises(ValidationError) as raised:
        BatchRow.model_validate({**ROW, "amount": "mange penge", "submitted_date": "010190-1234", "row": 0})
    assert api_errors(raised.value) == [
        {"loc": ["row"], "msg": "Skal være mindst 1"},
        {"loc": ["amount"], "msg": "Skal være et tal"},
        {"loc": ["submitted_date"], "msg": "Skal være en dato (åååå-mm-dd)"},
    ]


class Aliased(BaseModel):
    employment_id: str = Field(alias="employmentId", min_length=1)


def test_an_aliased_field_is_named_by_its_name() -> None:
    assert read_form(Aliased, {"employment_id": ""}) == (None, {"employment_id": "Skal udfyldes"})
    assert read_form(Aliased, {"employment_id": "E-1"}) == ({"employment_id": "E-1"}, {})


# -- the changes, for the audit --------------------------------------------------------------------


def test_changes_are_the_fields_that_differ() -> None:
    payload, _ = read_form(BatchRow, {**ROW_FORM, "pensionable": "true"})
    assert payload is not None
    assert changes(ROW, payload) == [("amount", "60000.00", "25000.00"), ("pensionable", None, True)]


def test_changes_name_added_and_removed_keys() -> None:
    assert changes({"a": 1, "b": 2}, {"a": 1, "c": 3}) == [("b", 2, None), ("c", None, 3)]
    assert changes({"a": None}, {}) == []
    assert changes({"lines": [1, 2]}, {"lines": [1, 3]}) == [("lines", [1, 2], [1, 3])]
