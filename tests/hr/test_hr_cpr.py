"""CPR validation, masking and generation: the municipality's examples and more."""

import random
from datetime import date, timedelta

import pytest

from hr.cpr import (
    DEFAULT_EXEMPT_BIRTH_DATES,
    CprCheck,
    birth_date_of,
    check_cpr,
    generate_cpr,
    generate_exempt_cpr,
    generate_substitute_cpr,
    mask_cpr,
    mask_cprs_in_text,
    normalise_cpr,
)

# --- the examples of cpr.md ----------------------------------------------------------


def test_valid_with_hyphen_born_1961() -> None:
    assert check_cpr("070761-4285") == CprCheck("valid", None, "0707614285", date(1961, 7, 7))


def test_valid_without_hyphen() -> None:
    assert check_cpr("0707614285") == check_cpr("070761-4285")


def test_valid_born_1989() -> None:
    result = check_cpr("150589-4010")
    assert (result.status, result.birth_date) == ("valid", date(1989, 5, 15))


def test_exempt_date_failing_modulus_11_is_valid_and_flagged() -> None:
    assert check_cpr("010165-1234") == CprCheck(
        "valid", None, "0101651234", date(1965, 1, 1), mod11_exempt=True
    )


def test_day_32_is_an_invalid_date() -> None:
    assert check_cpr("320189-1234") == CprCheck("invalid", "CPR_INVALID_DATE", "3201891234", None)


def test_day_plus_60_is_a_substitute_number() -> None:
    result = check_cpr("670761-4285")
    assert (result.status, result.code, result.digits) == (
        "substitute",
        "CPR_SUBSTITUTE",
        "6707614285",
    )


def test_nine_digits_are_malformed() -> None:
    assert check_cpr("070761-428") == CprCheck("invalid", "CPR_MALFORMED", None, None)


# --- format -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0707-614285",  # separator in the wrong place
        "07076-14285",
        "070761--4285",  # two separators
        "070761- 4285",
        "070761  4285",
        "070761-4285-",
        "07O761-4285",  # a letter O
        "070761-428a",
        "070761–4285",  # en dash is not an allowed separator
        "070761_4285",
        "070761/4285",
        "07076142851",
        "０７０７６１４２８５",  # full-width digits
    ],
)
def test_malformed(text: str) -> None:
    assert check_cpr(text).code == "CPR_MALFORMED"


def test_space_separator_and_surrounding_whitespace_are_accepted() -> None:
    assert check_cpr(" 070761 4285\n").digits == "0707614285"


# --- century and date -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "year"),
    [
        ("0101000000", 1900),
        ("0101993999", 1999),
        ("0101364000", 2036),
        ("0101374000", 1937),
        ("0101369000", 2036),
        ("0101379000", 1937),
        ("0101575000", 2057),
        ("0101585000", 1858),
        ("0101578000", 2057),
        ("0101588000", 1858),
        ("0101006000", 2000),
    ],
)
def test_century_from_seventh_digit_and_year(digits: str, year: int) -> None:
    assert birth_date_of(digits).year == year
    assert check_cpr(digits).birth_date == date(year, 1, 1)


def test_29_february_in_a_leap_year() -> None:
    assert check_cpr("2902964000").birth_date == date(1996, 2, 29)


def test_29_february_in_a_common_year_is_invalid() -> None:
    assert check_cpr("2902974000").code == "CPR_INVALID_DATE"


def test_1900_is_not_a_leap_year_but_2000_is() -> None:
    assert check_cpr("2902001234").code == "CPR_INVALID_DATE"
    assert check_cpr("2902004234").birth_date == date(2000, 2, 29)


@pytest.mark.parametrize("digits", ["0001611234", "0113611234", "0100611234", "9201611234"])
def test_impossible_dates(digits: str) -> None:
    assert check_cpr(digits).code == "CPR_INVALID_DATE"


def test_substitute_is_checked_before_the_date() -> None:
    assert check_cpr("9113611234").code == "CPR_SUBSTITUTE"  # day 91, month 13


# --- modulus 11 and exemption -----------------------------------------------------------


def test_failing_modulus_11_on_a_normal_date_needs_a_person() -> None:
    assert check_cpr("070761-4286") == CprCheck(
        "manual", "CPR_CHECK_MANUAL", "0707614286", date(1961, 7, 7)
    )


def test_passing_modulus_11_on_an_exempt_date_is_not_flagged() -> None:
    number = generate_cpr(random.Random(1), date(1965, 1, 1))
    assert check_cpr(number).mod11_exempt is False


def test_exempt_list_is_a_setting() -> None:
    assert check_cpr("0101651234", exempt_birth_dates=[]).code == "CPR_CHECK_MANUAL"
    grown = {date(1961, 7, 7)}
    assert check_cpr("0707614286", exempt_birth_dates=iter(grown)).mod11_exempt


def test_default_exempt_dates() -> None:
    years = {d.year for d in DEFAULT_EXEMPT_BIRTH_DATES}
    assert len(DEFAULT_EXEMPT_BIRTH_DATES) == 26
    assert all((d.month, d.day) == (1, 1) for d in DEFAULT_EXEMPT_BIRTH_DATES)
    assert {1960, 1962, 1964, 1967, 1969, 1970, 1974, 1975, 1978, 1980, 1992, 1994, 1995} <= years
    assert not {1961, 1963, 1968, 1971, 1979, 1993, 1996} & years


# --- normalising and masking ------------------------------------------------------------


def test_normalise() -> None:
    assert normalise_cpr("070761-4285") == "0707614285"
    assert normalise_cpr("070761 4285") == "0707614285"
    with pytest.raises(ValueError):
        normalise_cpr("0707-614285")


def test_mask_cpr() -> None:
    assert mask_cpr("0707614285") == "070761-XXXX"
    assert mask_cpr("070761-4285") == "070761-XXXX"
    with pytest.raises(ValueError):
        mask_cpr("070761-428")


def test_birth_date_of_an_impossible_date_raises() -> None:
    with pytest.raises(ValueError):
        birth_date_of("3201891234")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Fejl for 070761-4285 i eDoc", "Fejl for 070761-XXXX i eDoc"),
        ("cpr=0707614285.", "cpr=070761-XXXX."),
        ("CPR-nr.: 070761 4285", "CPR-nr.: 070761-XXXX"),
        ("substitute 670761-4285", "substitute 670761-XXXX"),
        ("day 91: 9112004285", "day 91: 911200-XXXX"),
        ("a 0707614285 and b 150589-4010", "a 070761-XXXX and b 150589-XXXX"),
        ("x0707614285y", "x070761-XXXXy"),
        ("070761-XXXX", "070761-XXXX"),
    ],
)
def test_mask_cprs_in_text_masks(text: str, masked: str) -> None:
    assert mask_cprs_in_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "tlf. 12345678",
        "konto 12345678901234",
        "10707614285",  # part of a longer run of digits
        "07076142851",
        "070761-42851",
        "1234567890",  # month 34
        "0713614285",  # month 13
        "3201894285",  # day 32
        "0001894285",  # day 00
        "9201894285",  # day 92
        "070761-428",
        "0707-614285",
    ],
)
def test_mask_cprs_in_text_leaves_other_numbers(text: str) -> None:
    assert mask_cprs_in_text(text) == text


def test_masking_is_idempotent() -> None:
    once = mask_cprs_in_text("se 070761-4285 og 1507894010")
    assert mask_cprs_in_text(once) == once


# --- generation -------------------------------------------------------------------------


def _random_dates(rng: random.Random, count: int) -> list[date]:
    first, last = date(1858, 1, 1), date(2057, 12, 31)
    span = (last - first).days
    return [first + timedelta(days=rng.randrange(span + 1)) for _ in range(count)]


def test_generated_numbers_are_always_valid() -> None:
    rng = random.Random(20241118)
    for born in _random_dates(rng, 3000):
        number = generate_cpr(rng, born)
        result = check_cpr(number, exempt_birth_dates=())
        assert (result.status, result.birth_date) == ("valid", born), number


@pytest.mark.parametrize("female", [True, False])
def test_generated_sex_digit(female: bool) -> None:
    rng = random.Random(7)
    for born in _random_dates(rng, 300):
        last_digit = int(generate_cpr(rng, born, female=female)[-1])
        assert (last_digit % 2 == 0) == female


def test_generation_is_deterministic() -> None:
    born = date(1990, 6, 15)
    assert generate_cpr(random.Random(3), born) == generate_cpr(random.Random(3), born)


def test_generated_exempt_numbers_exercise_the_exemption() -> None:
    rng = random.Random(11)
    for born in sorted(DEFAULT_EXEMPT_BIRTH_DATES):
        for _ in range(20):
            number = generate_exempt_cpr(rng, born)
            assert check_cpr(number) == CprCheck("valid", None, number, born, mod11_exempt=True)
            assert check_cpr(number, exempt_birth_dates=()).code == "CPR_CHECK_MANUAL"


def test_generated_substitute_numbers() -> None:
    rng = random.Random(5)
    for born in _random_dates(rng, 300):
        number = generate_substitute_cpr(rng, born)
        assert int(number[:2]) == born.day + 60
        assert check_cpr(number).status == "substitute"


@pytest.mark.parametrize("born", [date(1857, 12, 31), date(2058, 1, 1)])
def test_no_cpr_for_years_outside_the_century_rule(born: date) -> None:
    with pytest.raises(ValueError):
        generate_cpr(random.Random(1), born)
