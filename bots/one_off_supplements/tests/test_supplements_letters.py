"""The letter "Engangsvederlag" states amount, reason, month and pension, never a CPR number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bots.one_off_supplements.letters import supplement_letter
from hr.calendar import Period
from hr.pdf import extract_text, render_letter

EMPLOYMENT = {
    "employment_id": "E100234", "cpr": "0707614285", "name": "Mette Nielsen",
    "address": "Nørregade 1\n1165 København K", "position": "Pædagog", "unit": "Børnehuset Solsikken",
}


def text_of(**changes) -> str:
    fields = {"amount": Decimal("12500"), "reason": "Særlig indsats under omlægningen",
              "period": Period(2025, 5), "pensionable": True, "pension_amount": Decimal("2258.75"),
              "as_of": date(2025, 5, 2), "reference": "SP-7", **changes}
    return " ".join(extract_text(render_letter(supplement_letter(EMPLOYMENT, **fields))).split())


def test_pensionable_letter():
    text = text_of()
    for expected in ("Københavns Kommune", "Engangsvederlag", "Mette Nielsen", "E100234", "Pædagog",
                     "Børnehuset Solsikken", "12.500,00 kr.", "Særlig indsats under omlægningen",
                     "maj 2025", "Beløbet er pensionsgivende", "2.258,75 kr.", "beskattes som løn",
                     "2. maj 2025", "Med venlig hilsen", "33 66 33 66"):
        assert expected in text, expected
    assert "0707614285" not in text


def test_not_pensionable_letter():
    text = text_of(pensionable=False, pension_amount=Decimal(0))
    assert "Beløbet er ikke pensionsgivende" in text
    assert "Beløbet er pensionsgivende" not in text
