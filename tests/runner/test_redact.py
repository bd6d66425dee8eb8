"""The runner masks what its redactors cover wherever text leaves it: with hr installed,
CPR-shaped numbers as DDMMYY-XXXX (hr.redaction, the entry point `rpa.redactors: cpr`)."""

from __future__ import annotations

from collections import namedtuple

import pytest

from hr.redaction import cpr_redactor
from runner.redact import (
    Redactor,
    active_redactors,
    installed_redactors,
    redact,
    redact_processor,
    redact_text,
    use_redactors,
)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("070761-4285", "070761-XXXX"),
        ("0707614285", "070761-XXXX"),
        ("070761 4285", "070761-XXXX"),
        ("Fejl for 070761-4285 i eDoc", "Fejl for 070761-XXXX i eDoc"),
        ("cpr=0707614285.", "cpr=070761-XXXX."),
        ("x0707614285y", "x070761-XXXXy"),  # inside a word
        ("CPR-nr.: 070761 4285 mangler", "CPR-nr.: 070761-XXXX mangler"),
        ("670761-4285", "670761-XXXX"),  # substitute number, day 61
        ("9112004285", "911200-XXXX"),  # substitute number, day 91
        ("3112004285", "311200-XXXX"),  # day 31, month 12
        ("0101001234", "010100-XXXX"),  # day 01, month 01
        ("0707614285 at start", "070761-XXXX at start"),
        ("at end 150589-4010", "at end 150589-XXXX"),
        (
            "a 0707614285, b 150589-4010 and c 670761 4285",
            "a 070761-XXXX, b 150589-XXXX and c 670761-XXXX",
        ),
        ("0707614285-1234", "070761-XXXX-1234"),  # the run of digits ends at the hyphen
        ('{"cpr": "0707614285"}', '{"cpr": "070761-XXXX"}'),
        ("070761-XXXX", "070761-XXXX"),  # already masked
    ],
)
def test_masks_cpr_shaped_numbers(text: str, masked: str) -> None:
    assert redact_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "",
        "no digits here at all, just a sentence of some length",
        "tlf. 12345678",
        "tlf. +45 12 34 56 78",
        "konto 123456789012",  # 12-digit account number
        "konto 12345678901234",
        "10707614285",  # part of a longer run of digits, before
        "07076142851",  # and after
        "070761-42851",
        "1070761-4285",
        "1234567890",  # month 34
        "0713614285",  # month 13
        "0700614285",  # month 00
        "3201894285",  # day 32
        "0001894285",  # day 00
        "6001894285",  # day 60
        "9201894285",  # day 92
        "4501894285",  # day 45
        "070761-428",  # nine digits
        "0707-614285",  # separator in the wrong place
        "070761 and 4285",  # a word between is not a split number
        "070761-/-/4285",  # four separators
        "2024-05-01T10:00:00.123456Z",
    ],
)
def test_leaves_other_numbers(text: str) -> None:
    assert redact_text(text) == text


def test_masking_is_idempotent() -> None:
    once = redact_text("se 070761-4285 og 1507894010")
    assert redact_text(once) == once




def test_redact_masks_strings_inside_containers() -> None:
    Pair = namedtuple("Pair", "left right")
    value = {
        "0707614285": ["a 150589-4010", ("670761 4285", 1)],
        "set": {"0707614285"},
        "frozen": frozenset({"0707614285"}),
        "pair": Pair("0707614285", 2),
        "number": 0.5,
        "none": None,
    }

    assert redact(value) == {
        "070761-XXXX": ["a 150589-XXXX", ("670761-XXXX", 1)],
        "set": {"070761-XXXX"},
        "frozen": frozenset({"070761-XXXX"}),
        "pair": Pair("070761-XXXX", 2),
        "number": 0.5,
        "none": None,
    }


def test_redact_turns_an_exception_into_its_masked_message() -> None:
    assert redact(ValueError("no contract for 070761-4285")) == "no contract for 070761-XXXX"


def test_redact_leaves_other_types() -> None:
    marker = object()
    assert redact(marker) is marker
    assert redact(1507894010) == 1507894010


def test_processor_masks_event_keys_values_and_nested_data() -> None:
    event = {
        "event": "cpr 0707614285 not found",
        "0707614285": "key",
        "nested": {"list": ["150589-4010"], "deeper": {"x": "670761 4285"}},
        "as_int": 1507894010,
        "count": 3,
    }

    masked = redact_processor(None, "info", event)

    assert masked == {
        "event": "cpr 070761-XXXX not found",
        "070761-XXXX": "key",
        "nested": {"list": ["150589-XXXX"], "deeper": {"x": "670761-XXXX"}},
        "as_int": "150789-XXXX",
        "count": 3,
    }


def test_processor_formats_and_masks_a_pending_exception() -> None:
    try:
        raise LookupError("no employee 0707614285")
    except LookupError:
        masked = redact_processor(None, "error", {"event": "lookup_failed", "exc_info": True})

    assert "exc_info" not in masked
    assert "Traceback" in masked["exception"]
    assert "LookupError: no employee 070761-XXXX" in masked["exception"]
    assert "0707614285" not in masked["exception"]


class Shouting:
    """A redactor of one word, for the chain."""

    name = "shouting"
    screen_fields = None
    screen_text = None

    def mask(self, text: str) -> str:
        return text.replace("hemmelig", "XXXX")

    def mask_escaped(self, text: str, decode: object) -> str:
        return text


def test_every_installed_redactor_is_active_by_default() -> None:
    assert installed_redactors() == (cpr_redactor,)
    assert active_redactors() == (cpr_redactor,)
    assert isinstance(cpr_redactor, Redactor)


def test_the_runner_masks_with_the_redactors_it_is_given() -> None:
    text = "hemmelig 070761-4285"
    try:
        use_redactors([])
        assert redact_text(text) == text  # the neutral default: nothing is masked
        use_redactors([Shouting()])
        assert redact({"k": text}) == {"k": "XXXX 070761-4285"}
        use_redactors([Shouting(), cpr_redactor])
        assert redact_text(text) == "XXXX 070761-XXXX"
    finally:
        use_redactors(None)
    assert redact_text(text) == "hemmelig 070761-XXXX"
