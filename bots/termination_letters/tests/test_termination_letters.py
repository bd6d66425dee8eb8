"""The letters state what the rules file says, in Danish, and never a CPR number."""

from __future__ import annotations

from datetime import date

from bots.termination_letters.letters import hourly_letter, resignation_letter
from hr.pdf import extract_text, render_letter

EMPLOYMENT = {
    "employment_id": "E100234", "cpr": "0707614285", "name": "Mette Nielsen",
    "address": "Nørregade 1\n1165 København K", "position": "Pædagog", "unit": "Børnehuset Solsikken",
}


def text_of(letter) -> str:
    return " ".join(extract_text(render_letter(letter)).split())


def test_resignation_letter_states_the_facts():
    letter = resignation_letter(EMPLOYMENT, received=date(2025, 3, 15), last_day=date(2025, 4, 30),
                                basis="notice", as_of=date(2025, 3, 20), reference="SP-1")
    text = text_of(letter)
    for expected in ("Københavns Kommune", "Koncernservice, Løn & Personale", "Mette Nielsen",
                     "Nørregade 1", "20. marts 2025", "Bekræftelse af din opsigelse", "E100234",
                     "Pædagog", "Børnehuset Solsikken", "15. marts 2025", "30. april 2025",
                     "feriepenge", "6. ferieuge", "sidste løn", "nøgler", "udstyr", "33 66 33 66",
                     "Med venlig hilsen"):
        assert expected in text, expected
    assert "0707614285" not in text and "070761" not in text


def test_hourly_letter_states_the_facts():
    letter = hourly_letter(EMPLOYMENT, last_day=date(2024, 8, 19), as_of=date(2024, 11, 18),
                           reference="E100234:2024-08-19")
    text = text_of(letter)
    for expected in ("Meddelelse om fratrædelse", "Mette Nielsen", "E100234", "Pædagog",
                     "Børnehuset Solsikken", "19. august 2024", "ikke er registreret arbejde",
                     "18. november 2024", "lonogpersonale@kk.dk"):
        assert expected in text, expected
    assert "ferieuge" not in text  # hourly-paid staff have no 6th holiday week
    assert "0707614285" not in text


def test_letter_without_address_renders():
    letter = resignation_letter({**EMPLOYMENT, "address": None}, received=date(2024, 1, 31),
                                last_day=date(2024, 2, 29), basis="agreed", as_of=date(2024, 2, 1),
                                reference="SP-2")
    assert "29. februar 2024" in text_of(letter)
