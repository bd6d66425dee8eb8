"""No full CPR number leaves: the masking pattern, and every path text takes out of the runner.

runner.redact and hr.cpr each keep the pattern (hr may not import the runner); both are
held to the one table below.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from hr.cpr import mask_cprs_in_text
from runner.redact import mask_cprs

MASKERS: dict[str, Callable[[str], str]] = {
    "runner.redact.mask_cprs": mask_cprs,
    "hr.cpr.mask_cprs_in_text": mask_cprs_in_text,
}

# What people put between the sixth and seventh digit: keyboards, word processors that
# turn a hyphen into a dash or a space into a no-break space, copies from web pages.
SEPARATORS = {
    "none": "",
    "hyphen-minus": "-",
    "space": " ",
    "en dash": "\u2013",
    "em dash": "\u2014",
    "minus sign": "\u2212",
    "no-break space": "\u00a0",
    "narrow no-break space": "\u202f",
    "tab": "\t",
    "full stop": ".",
    "solidus": "/",
    "double space": "  ",
    "hyphen": "\u2010",
    "non-breaking hyphen": "\u2011",
    "figure dash": "\u2012",
    "horizontal bar": "\u2015",
    "soft hyphen": "\u00ad",
    "full-width hyphen-minus": "\uff0d",
    "thin space": "\u2009",
    "figure space": "\u2007",
    "zero-width space": "\u200b",
    "ideographic space": "\u3000",
    "line break": "\n",
    "space en dash space": " \u2013 ",
    "two hyphens": "--",
}


@pytest.mark.parametrize("masker", MASKERS.values(), ids=MASKERS.keys())
@pytest.mark.parametrize("separator", SEPARATORS.values(), ids=SEPARATORS.keys())
def test_every_separator_is_masked(masker: Callable[[str], str], separator: str) -> None:
    for digits, head in (("0707614285", "070761"), ("6707614285", "670761")):
        cpr = digits[:6] + separator + digits[6:]
        assert masker(f"Fejl for {cpr} i eDoc") == f"Fejl for {head}-XXXX i eDoc"
        assert masker(cpr) == f"{head}-XXXX"
        assert masker(f'{{"cpr":"{cpr}"}}') == f'{{"cpr":"{head}-XXXX"}}'


@pytest.mark.parametrize("masker", MASKERS.values(), ids=MASKERS.keys())
@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("０７０７６１－４２８５", "070761-XXXX"),
        ("CPR ０７０７６１４２８５ mangler", "CPR 070761-XXXX mangler"),
        ("０７０７６１ ４２８５", "070761-XXXX"),
        ("070761-４２８５", "070761-XXXX"),  # mixed widths
        ("ＣＰＲ：０７０７６１\u3000４２８５。", "ＣＰＲ：070761-XXXX。"),
        ("æøå 070761–4285 og ０７０７６１－４２８５", "æøå 070761-XXXX og 070761-XXXX"),
    ],
)
def test_full_width_digits_are_digits(masker: Callable[[str], str], text: str, masked: str) -> None:
    assert masker(text) == masked


@pytest.mark.parametrize("masker", MASKERS.values(), ids=MASKERS.keys())
@pytest.mark.parametrize(
    "text",
    [
        "1070761\u20134285",  # part of a longer run of digits, before
        "070761\u201342851",  # and after
        "070761\u00a042851",
        "１０７０７６１４２８５",  # eleven full-width digits
        "０７０７６１４２８５１",
        "071361\u20134285",  # month 13
        "070061\u00a04285",  # month 00
        "320189\u20134285",  # day 32
        "600189\t4285",  # day 60
        "920189/4285",  # day 92
        "３２０１８９４２８５",  # day 32 in full width
        "070761 and 4285",  # a word between is two numbers
        "070761-/-/4285",  # four separators
        "070761\u2013428",  # nine digits
        "2024-05-01T10:00:00.123456Z",
    ],
)
def test_other_numbers_stay(masker: Callable[[str], str], text: str) -> None:
    assert masker(text) == text


@pytest.mark.parametrize("masker", MASKERS.values(), ids=MASKERS.keys())
def test_masking_every_form_is_idempotent(masker: Callable[[str], str]) -> None:
    text = " ".join(f"070761{separator}4285" for separator in SEPARATORS.values())
    text += " ０７０７６１－４２８５"
    once = masker(text)
    assert masker(once) == once
    assert once.count("070761-XXXX") == len(SEPARATORS) + 1
    assert re.search("4285|４２８５", once) is None
