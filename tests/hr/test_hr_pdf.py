"""Letters rendered to PDF: Danish letters survive into the text layer."""

import io
import re
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from hr.fonts import font_file
from hr.pdf import Letter, extract_text, render_letter

LETTER = Letter(
    sender="Københavns Kommune\nKoncernservice, Løn & Personale",
    recipient_name="Søren Ærø Åberg",
    recipient_address="Østerbrogade 12, 3. tv.\n2100 København Ø",
    date=date(2025, 3, 15),
    subject="Bekræftelse af din opsigelse",
    paragraphs=[
        "Vi bekræfter hermed, at vi har modtaget din opsigelse af din stilling som pædagog "
        "i Børnehuset Solsikken. " * 3,
        "Bogstaverne æ ø å Æ Ø Å skal kunne læses.",
    ],
    facts=[("Ansættelses-id", "E100234"), ("Sidste arbejdsdag", "30. april 2025")],
    contact="Har du spørgsmål, er du velkommen til at kontakte Løn & Personale.",
    signature="Med venlig hilsen\nKoncernservice, Løn & Personale",
    reference="SEB-2025-000123",
)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def test_render_letter_is_a_pdf_whose_text_layer_reads_back() -> None:
    pdf = render_letter(LETTER)
    text = extract_text(pdf)
    assert pdf.startswith(b"%PDF")
    for expected in [
        "Københavns Kommune",
        "Koncernservice, Løn & Personale",
        "Søren Ærø Åberg",
        "Østerbrogade 12, 3. tv.",
        "2100 København Ø",
        "15. marts 2025",
        "Bekræftelse af din opsigelse",
        "Bogstaverne æ ø å Æ Ø Å skal kunne læses.",
        "Sidste arbejdsdag",
        "30. april 2025",
        "E100234",
        "Med venlig hilsen",
        "Reference: SEB-2025-000123",
    ]:
        assert expected in text
    assert "i Børnehuset Solsikken. Vi bekræfter hermed" in _normalised(text)


@pytest.mark.skipif(font_file("sans") is None, reason="DejaVu fonts not installed")
def test_dejavu_is_embedded() -> None:
    # reportlab writes font dictionaries uncompressed, e.g. /BaseFont /AAAAAA+DejaVuSans
    fonts = {name.decode() for name in re.findall(rb"/BaseFont /([\w+-]+)", render_letter(LETTER))}
    assert any("DejaVuSans" in name for name in fonts)
    assert any("DejaVuSans-Bold" in name for name in fonts)


def test_rendering_is_deterministic() -> None:
    assert render_letter(LETTER) == render_letter(LETTER)


def test_compressed_letter_is_smaller_with_the_same_text() -> None:
    compressed = render_letter(LETTER, compress=True)
    assert len(compressed) < len(render_letter(LETTER))
    assert extract_text(compressed) == extract_text(render_letter(LETTER))


def test_a_long_letter_continues_on_a_second_page() -> None:
    paragraphs = [f"Afsnit {i}: " + "tekst " * 60 for i in range(25)]
    pdf = render_letter(replace(LETTER, paragraphs=paragraphs))
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 1
    text = extract_text(pdf)
    assert "Afsnit 24:" in text and "Side 2" in text and "Med venlig hilsen" in text


def test_minimal_letter() -> None:
    letter = replace(
        LETTER, recipient_address=None, facts=[], contact="", signature="", reference=None
    )
    text = extract_text(render_letter(letter))
    assert "Søren Ærø Åberg" in text and "Reference" not in text
