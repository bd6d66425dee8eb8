"""Every example of the one-off supplements rules, plus the edges around them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from bots.one_off_supplements.models import BatchRow
from bots.one_off_supplements.rules import BATCH_KEYS, SINGLE_KEYS, decide
from harness.fakes import example_employment
from runner.testing import rpa_decide


def employment(employment_id: str = "E100234", **changes: Any) -> dict[str, Any]:
    return example_employment(employment_id=employment_id, last_paid_date="2025-04-30") | changes


def single(
    amount: Any = 5000,
    period: str = "2025-05",
    submitted: str = "2025-05-02",
    pensionable: Any = True,
    *,
    emp: dict[str, Any] | str | None = "default",
    reason: Any = "Særlig indsats",
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    case = {
        "case_id": "SP-7",
        "type": "one_off_supplement",
        "employment_id": "E100234",
        "amount": amount,
        "reason": reason,
        "payout_period": period,
        "pensionable": pensionable,
        "submitted_date": submitted,
    }
    return decide(
        {
            "as_of": submitted,
            "employment": employment() if emp == "default" else emp,
            "case": case,
            "settings": settings,
        }
    )


# -- A. single case: the rules file's examples --------------------------------------------------


def test_register_in_the_reported_period_with_pension():
    assert single() == {
        "outcome": "register",
        "code": None,
        "period": "2025-05",
        "moved_from": None,
        "amount": 5000.0,
        "pensionable": True,
        "pension_amount": 903.5,
    }


def test_after_the_cutoff_moves_to_the_next_period():
    decision = single(submitted="2025-05-12")
    assert (decision["period"], decision["moved_from"]) == ("2025-06", "2025-05")


def test_not_pensionable_has_no_pension():
    decision = single(pensionable=False)
    assert (decision["outcome"], decision["pensionable"], decision["pension_amount"]) == (
        "register",
        False,
        0.0,
    )


def test_amount_over_the_maximum():
    assert single(amount=60000) == {
        **dict.fromkeys(SINGLE_KEYS),
        "outcome": "exception",
        "code": "AMOUNT_OUT_OF_RANGE",
    }


def test_pensionable_unknown_without_the_agreement_in_the_table():
    assert single(pensionable=None)["code"] == "AGREEMENT_UNKNOWN"


# -- A. the edges -------------------------------------------------------------------------------


def test_submitted_on_the_cutoff_day_itself_keeps_the_period():
    assert single(submitted="2025-05-10")["moved_from"] is None
    assert single(submitted="2025-05-11")["period"] == "2025-06"


def test_submitted_before_the_period_keeps_it():
    assert single(period="2025-07", submitted="2025-05-20")["period"] == "2025-07"


def test_submitted_months_late_moves_to_the_first_period_whose_cutoff_is_not_passed():
    decision = single(period="2025-02", submitted="2025-05-12")
    assert (decision["period"], decision["moved_from"]) == ("2025-06", "2025-02")
    assert single(period="2025-02", submitted="2025-05-03")["period"] == "2025-05"


def test_cutoff_day_beyond_the_month_is_its_last_day():
    settings = {"cutoff_day": 31}
    assert single(period="2024-02", submitted="2024-02-29", settings=settings)["period"] == "2024-02"
    assert single(period="2025-02", submitted="2025-03-01", settings=settings)["period"] == "2025-03"
    assert single(period="2025-04", submitted="2025-04-30", settings=settings)["moved_from"] is None


def test_late_policy_exception():
    settings = {"late_policy": "exception"}
    assert single(submitted="2025-05-12", settings=settings)["code"] == "PAYROLL_CUTOFF_PASSED"
    assert single(submitted="2025-05-10", settings=settings)["outcome"] == "register"


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (0, "AMOUNT_OUT_OF_RANGE"),
        (-500, "AMOUNT_OUT_OF_RANGE"),
        (50000, None),
        (50000.01, "AMOUNT_OUT_OF_RANGE"),
        (0.01, None),
    ],
)
def test_amount_range_edges(amount, code):
    assert single(amount=amount)["code"] == code


def test_max_single_amount_is_a_setting():
    assert single(amount=60000, settings={"max_single_amount": 75000})["outcome"] == "register"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reason_missing(reason):
    assert single(reason=reason)["code"] == "REASON_MISSING"


def test_employment_not_found_comes_first():
    assert single(amount=-1, emp=None)["code"] == "EMPLOYMENT_NOT_FOUND"


def test_codes_in_order():
    assert single(amount=60000, reason="")["code"] == "AMOUNT_OUT_OF_RANGE"
    assert single(reason="", pensionable=None)["code"] == "REASON_MISSING"
    assert single(emp=employment(end_date="2025-04-30"), pensionable=None)["code"] == "EMPLOYMENT_INACTIVE"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"end_date": "2025-04-30"}, "EMPLOYMENT_INACTIVE"),
        ({"end_date": "2025-05-01"}, None),  # one day of the period is enough
        ({"start_date": "2025-05-31"}, None),
        ({"start_date": "2025-06-01"}, "EMPLOYMENT_INACTIVE"),
    ],
)
def test_active_on_some_day_of_the_effective_period(changes, code):
    assert single(emp=employment(**changes))["code"] == code


def test_inactive_is_judged_on_the_effective_period_not_the_reported_one():
    decision = single(emp=employment(end_date="2025-05-31"), submitted="2025-05-12")
    assert decision["code"] == "EMPLOYMENT_INACTIVE"


def test_pensionable_from_the_agreement_table():
    table = {"pensionable_by_agreement": {"KL-PAED": True}}
    assert single(pensionable=None, settings=table)["pension_amount"] == 903.5
    no = {"pensionable_by_agreement": {"KL-PAED": False}}
    assert single(pensionable=None, settings=no)["pension_amount"] == 0.0
    assert single(pensionable=False, settings=table)["pensionable"] is False  # the case wins


@pytest.mark.parametrize(
    ("amount", "pct", "pension"),
    [
        (1234.5, 10, 123.45),
        (0.05, 10, 0.01),  # 0.005 rounds half-up
        (0.15, 10, 0.02),  # 0.015: half-up, not banker's
        (2500, 18.07, 451.75),
        (1111.11, 17.1, 190.0),  # 190.00 (189.99981)
        (33.33, 12.5, 4.17),  # 4.16625
    ],
)
def test_pension_rounds_half_up_once_at_the_end(amount, pct, pension):
    assert single(amount=amount, emp=employment(pension_pct=pct))["pension_amount"] == pension


def test_amount_is_rounded_to_ore():
    assert single(amount=1000.005, pensionable=False)["amount"] == 1000.01


@pytest.mark.parametrize(
    "case_changes",
    [
        {"type": "one_off"},
        {"payout_period": "maj 2025"},
        {"submitted_date": "2025-13-01"},
        {"amount": "fem tusind"},
        {"amount": None},
        {"payout_period": None},
        {"pensionable": "ja"},
    ],
)
def test_undecidable_single_is_a_value_error(case_changes):
    case = {
        "type": "one_off_supplement",
        "amount": 5000,
        "reason": "x",
        "payout_period": "2025-05",
        "pensionable": True,
        "submitted_date": "2025-05-02",
        **case_changes,
    }
    with pytest.raises(ValueError):
        decide({"as_of": "2025-05-02", "employment": employment(), "case": case})


def test_unknown_setting_is_ignored_with_a_warning(capsys):
    assert single(settings={"cutoff_day": 10, "cut_off": 12})["period"] == "2025-05"
    assert "cut_off" in capsys.readouterr().err


def test_invalid_setting_value_is_a_value_error():
    with pytest.raises(ValueError):
        single(settings={"late_policy": "later"})


# -- B. batch ---------------------------------------------------------------------------------


def row(n: int, employment_id: str, amount: Any = 2000, **changes: Any) -> dict[str, Any]:
    return {
        "row": n,
        "employment_id": employment_id,
        "amount": amount,
        "reason": "Særlig indsats",
        "payout_period": "2025-05",
        "pensionable": True,
        **changes,
    }


def batch(
    rows: list[dict[str, Any]],
    row_count: Any = None,
    control_total: Any = None,
    employments: list[dict[str, Any]] | None = None,
    settings: dict | None = None,
) -> dict[str, Any]:
    case = {
        "case_id": "SP-9",
        "type": "supplement_batch",
        "batch_id": "BATCH-2025-00001",
        "submitted_date": "2025-05-02",
        "row_count": len(rows) if row_count is None else row_count,
        "control_total": sum(r["amount"] for r in rows) if control_total is None else control_total,
        "rows": rows,
    }
    staff = employments if employments is not None else [employment(f"E{i}") for i in range(1, 6)]
    return decide({"as_of": "2025-05-02", "employments": staff, "case": case, "settings": settings})


EXAMPLE_ROWS = [row(1, "E1", 2000), row(2, "E2", 2000), row(3, "E3", 1000)]


def test_batch_example_three_registrations():
    decision = batch(EXAMPLE_ROWS, 3, 5000)
    assert set(decision) == set(BATCH_KEYS)
    assert (decision["outcome"], decision["code"], decision["row"], decision["column"]) == (
        "batch",
        None,
        None,
        None,
    )
    assert [r["row"] for r in decision["rows"]] == [1, 2, 3]
    assert [r["outcome"] for r in decision["rows"]] == ["register"] * 3
    assert decision["rows"][0] == {
        "row": 1,
        "outcome": "register",
        "code": None,
        "period": "2025-05",
        "moved_from": None,
        "amount": 2000.0,
        "pensionable": True,
        "pension_amount": 361.4,
    }


def test_batch_example_control_mismatch():
    assert batch(EXAMPLE_ROWS, 3, 6000) == {
        "outcome": "exception",
        "code": "BATCH_CONTROL_MISMATCH",
        "row": None,
        "column": None,
        "rows": [],
    }


def test_control_count_mismatch():
    assert batch(EXAMPLE_ROWS, 4, 5000)["code"] == "BATCH_CONTROL_MISMATCH"


def test_control_total_to_the_ore():
    rows = [row(1, "E1", 0.1), row(2, "E2", 0.2)]
    assert batch(rows, 2, 0.3)["outcome"] == "batch"  # no float drift
    assert batch(rows, 2, 0.31)["code"] == "BATCH_CONTROL_MISMATCH"
    assert batch(rows, 2, "0.30")["outcome"] == "batch"


def test_duplicate_rows_whatever_the_earlier_rows_outcome():
    rows = [
        row(1, "E1", 60000),
        row(2, "E1", 60000),
        row(3, "E2"),
        row(4, "E2"),
        row(5, "E2", reason="Andet"),
        row(6, "E2", payout_period="2025-06"),
    ]
    decision = batch(rows)
    codes = [(r["row"], r["code"]) for r in decision["rows"]]
    assert codes == [
        (1, "AMOUNT_OUT_OF_RANGE"),
        (2, "DUPLICATE_REQUEST"),
        (3, None),
        (4, "DUPLICATE_REQUEST"),
        (5, None),
        (6, None),
    ]


def test_duplicates_compare_the_reported_period_and_amount_to_the_ore():
    rows = [row(1, "E1", 2000), row(2, "E1", "2000.00")]
    assert batch(rows, 2, 4000)["rows"][1]["code"] == "DUPLICATE_REQUEST"


def test_batch_rows_are_decided_as_single_cases():
    rows = [
        row(1, "E9"),
        row(2, "E1", reason=""),
        row(3, "E2", pensionable=None),
        row(4, "E3", payout_period="2025-04"),
    ]
    decision = batch(rows)
    assert [r["code"] for r in decision["rows"]] == [
        "EMPLOYMENT_NOT_FOUND",
        "REASON_MISSING",
        "AGREEMENT_UNKNOWN",
        None,
    ]
    assert decision["rows"][3]["moved_from"] == "2025-04"  # the batch's submitted_date decides


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        ({"amount": "fem tusind"}, "Beløb"),
        ({"amount": None}, "Beløb"),
        ({"employment_id": ""}, "Medarbejdernr."),
        ({"employment_id": None}, "Medarbejdernr."),
        ({"payout_period": "maj"}, "Udbetalingsmåned"),
        ({"payout_period": "2025-13"}, "Udbetalingsmåned"),
        ({"pensionable": "måske"}, "Pensionsgivende"),
    ],
)
def test_unreadable_cell_stops_the_whole_batch(bad, column):
    rows = [row(1, "E1"), {**row(2, "E2"), **bad}, row(3, "E3", amount="x")]
    decision = batch(rows, 3, 6000)
    assert decision == {
        "outcome": "exception",
        "code": "BATCH_FILE_INVALID",
        "row": 2,
        "column": column,
        "rows": [],
    }


def test_file_invalid_wins_over_control_mismatch():
    assert batch([row(1, "E1", amount="x")], 5, 1)["code"] == "BATCH_FILE_INVALID"


def test_readable_cell_forms():
    rows = [
        row(1, "E1", "1.500,50", pensionable="ja"),
        row(2, "E2", 1000, pensionable="nej"),
        row(3, "E3", 1000, pensionable=""),
    ]
    decision = batch(rows, 3, 3500.5, settings={"pensionable_by_agreement": {"KL-PAED": True}})
    assert [(r["amount"], r["pensionable"]) for r in decision["rows"]] == [
        (1500.5, True),
        (1000.0, False),
        (1000.0, True),
    ]


def test_empty_batch_with_matching_controls():
    assert batch([], 0, 0) == {"outcome": "batch", "code": None, "row": None, "column": None, "rows": []}


def test_batch_needs_its_control_figures():
    with pytest.raises(ValueError):
        decide(
            {
                "as_of": "2025-05-02",
                "employments": [],
                "case": {"type": "supplement_batch", "submitted_date": "2025-05-02", "rows": []},
            }
        )
    with pytest.raises(ValueError):
        decide(
            {
                "as_of": "2025-05-02",
                "case": {
                    "type": "supplement_batch",
                    "submitted_date": "2025-05-02",
                    "rows": [],
                    "row_count": 0,
                    "control_total": 0,
                },
            }
        )


def test_output_is_plain_json_with_money_as_numbers():
    import json

    text = json.dumps(batch(EXAMPLE_ROWS, 3, 5000))
    assert '"pension_amount": 361.4' in text and '"amount": 2000.0' in text


# -- money that cannot be paid (issue 15): refused on the value rounded to øre ---------------------


@pytest.mark.parametrize(
    "amount",
    [-500, -0.01, 0, "-0", 0.001, 0.004, "0.004", 50000.005, "1e999999", 1e308],
)
def test_an_amount_payroll_cannot_register_is_amount_out_of_range(amount):
    # 0.004 kr. is registered as 0.00 kr., which Lønsystem refuses: the person sees the rules' code
    assert single(amount=amount) == {
        **dict.fromkeys(SINGLE_KEYS),
        "outcome": "exception",
        "code": "AMOUNT_OUT_OF_RANGE",
    }


def test_an_amount_that_rounds_up_to_one_ore_is_registered():
    decision = single(amount=0.005, pensionable=False)
    assert (decision["outcome"], decision["amount"]) == ("register", 0.01)


@pytest.mark.parametrize("amount", ["NaN", "inf", "-Infinity", float("nan"), float("inf")])
def test_a_non_finite_amount_is_input_the_rules_cannot_read(amount):
    with pytest.raises(ValueError, match=r"case\.amount"):
        single(amount=amount)


@pytest.mark.parametrize("pct", [-0.01, -25, 100.01, "1e999999", "-1e999999"])
def test_a_pension_percentage_nothing_can_be_paid_from_is_employment_data_invalid(pct):
    decision = single(emp=employment(pension_pct=pct))
    assert decision == {
        **dict.fromkeys(SINGLE_KEYS),
        "outcome": "exception",
        "code": "EMPLOYMENT_DATA_INVALID",
        "field": "employment.pension_pct",
    }


@pytest.mark.parametrize(("pct", "pension"), [(0, 0.0), (100, 5000.0)])
def test_zero_and_hundred_percent_pension_are_real_answers(pct, pension):
    decision = single(emp=employment(pension_pct=pct))
    assert (decision["outcome"], decision["pension_amount"]) == ("register", pension)


def test_a_bad_pension_percentage_does_not_stop_a_supplement_that_is_not_pensionable():
    decision = single(pensionable=False, emp=employment(pension_pct=-25))
    assert (decision["outcome"], decision["pension_amount"]) == ("register", 0.0)


@pytest.mark.parametrize("pct", ["NaN", "Infinity"])
def test_a_non_finite_pension_percentage_is_input_the_rules_cannot_read(pct):
    with pytest.raises(ValueError, match="pension_pct"):
        single(emp=employment(pension_pct=pct))


@pytest.mark.parametrize("amount", [-100, 0, 0.004])
def test_a_batch_row_that_cannot_be_paid_is_its_own_amount_out_of_range(amount):
    rows = [row(1, "E1", 2000), row(2, "E2", amount)]
    decision = batch(rows, 2, 2000 + amount)
    assert [(r["row"], r["outcome"], r["code"]) for r in decision["rows"]] == [
        (1, "register", None),
        (2, "exception", "AMOUNT_OUT_OF_RANGE"),
    ]


def test_a_batch_cell_beyond_any_amount_cannot_be_read():
    decision = batch([row(1, "E1", 2000), row(2, "E2", "1e999999")], 2, 2000)
    assert (decision["code"], decision["row"], decision["column"]) == ("BATCH_FILE_INVALID", 2, "Beløb")


def test_a_control_total_beyond_any_amount_does_not_match():
    assert batch(EXAMPLE_ROWS, 3, "1e999999")["code"] == "BATCH_CONTROL_MISMATCH"


@pytest.mark.parametrize("amount", ["1e999999", "NaN", "inf", 1e13])
def test_a_corrected_row_payload_with_an_impossible_amount_fails_its_model(amount):
    payload = {"case_id": "SP-9", "batch_id": "B1", "row": 2, "employment_id": "E2", "amount": amount,
               "reason": "Særlig indsats", "payout_period": "2025-05", "submitted_date": "2025-05-02"}
    with pytest.raises(ValidationError, match="amount"):
        BatchRow.model_validate(payload)
    # a negative amount passes the model: the rules answer it with their code
    assert BatchRow.model_validate({**payload, "amount": "-5"}).amount == -5


@pytest.mark.parametrize("maximum", ["NaN", "1e999999", 0])
def test_max_single_amount_must_be_a_real_amount(maximum):
    with pytest.raises(ValueError):
        single(settings={"max_single_amount": maximum})


@pytest.mark.parametrize(
    ("case", "emp", "code", "field"),
    [
        ({"amount": 0.001}, {}, "AMOUNT_OUT_OF_RANGE", None),
        ({}, {"pension_pct": "1e999999"}, "EMPLOYMENT_DATA_INVALID", "employment.pension_pct"),
    ],
)
def test_rpa_decide_shows_the_code_on_stdout(tmp_path, case, emp, code, field):
    data = {
        "as_of": "2025-05-02",
        "employment": employment(**emp),
        "case": {"type": "one_off_supplement", "case_id": "SP-7", "employment_id": "E100234",
                 "amount": 5000, "reason": "Særlig indsats", "payout_period": "2025-05",
                 "pensionable": True, "submitted_date": "2025-05-02", **case},
    }
    result = rpa_decide("one_off_supplements", data, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    decision = json.loads(result.stdout)
    assert (decision["outcome"], decision["code"], decision["pension_amount"]) == ("exception", code, None)
    assert decision.get("field") == field


def test_a_cpr_number_typed_in_a_number_field_is_not_echoed():
    with pytest.raises(ValueError, match=r"pension_pct: not a finite number") as raised:
        single(emp=employment(pension_pct="070761-4285"))
    assert "070761" not in str(raised.value)
