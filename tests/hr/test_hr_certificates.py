"""Certificates: born-digital PDFs with a text layer, and image-only scans."""

import io
import random
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from hr.certificates import (
    CLEAN_LINES,
    CONSENT_REFUSED_TEXT,
    ENTRIES_LINE,
    TITLES,
    Certificate,
    CertificateKind,
    certificate_text,
    render_certificate_pdf,
    render_certificate_scan,
)
from hr.fonts import font_file
from hr.pdf import extract_text
from hr.scan import page_size_px

CERT = Certificate(
    kind="boerneattest",
    issued=date(2025, 3, 12),
    order_id="BA-2025-004711",
    name="Jens Ærø Hansen",
    cpr="0707614285",
    records=[],
)


def _text(cert: Certificate) -> str:
    return " ".join(extract_text(render_certificate_pdf(cert)).split())


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _page_image(pdf: bytes, page: int = 0) -> Image.Image:
    image = PdfReader(io.BytesIO(pdf)).pages[page].images[0].image
    assert image is not None
    return image


def _font_names(pdf: bytes) -> set[str]:
    """Base font names; reportlab writes font dictionaries uncompressed."""
    return {name.decode() for name in re.findall(rb"/BaseFont /([\w+-]+)", pdf)}


def test_layout_of_the_rules_example() -> None:
    assert certificate_text(CERT).splitlines() == [
        "Rigspolitiet",
        "Kriminalregisteret",
        "BØRNEATTEST",
        "Udstedt: 12. marts 2025",
        "Bestillings-id: BA-2025-004711",
        "Rekvirent: Københavns Kommune, Koncernservice",
        "Navn: Jens Ærø Hansen",
        "CPR-nr.: 070761-4285",
        "Resultat:",
        "Der er ingen oplysninger om afgørelser, som skal med på en børneattest.",
    ]


@pytest.mark.parametrize(
    "kind", ["boerneattest", "straffeattest_offentlig", "straffeattest_privat"]
)
def test_clean_certificate_text_layer(kind: CertificateKind) -> None:
    text = _text(replace(CERT, kind=kind))
    assert TITLES[kind] in text
    assert "Navn: Jens Ærø Hansen" in text
    assert "CPR-nr.: 070761-4285" in text
    assert CLEAN_LINES[kind] in text
    assert "Der er registreret" not in text


def test_certificate_with_records() -> None:
    records = ["Dom af 3. maj 2019, straffelovens § 222", "Bøde 2021, færdselsloven"]
    text = _text(replace(CERT, records=records))
    assert ENTRIES_LINE in text and all(record in text for record in records)
    assert CLEAN_LINES["boerneattest"] not in text


def test_consent_refusal() -> None:
    text = _text(replace(CERT, kind="samtykke_afvist", records=["ignored"]))
    assert "MEDDELELSE OM MANGLENDE SAMTYKKE" in text
    assert CONSENT_REFUSED_TEXT in text
    assert "Resultat" not in text and "ignored" not in text


def test_variants_of_real_mail() -> None:
    cert = replace(
        CERT,
        cpr_label="Personnummer",
        cpr_with_hyphen=False,
        long_dates=False,
        upper_title=False,
        font="serif",
    )
    text = _text(cert)
    assert "Personnummer: 0707614285" in text
    assert "Udstedt: 12.03.2025" in text
    assert "Børneattest" in text and "BØRNEATTEST" not in text


def test_a_cpr_that_is_not_cpr_shaped_is_printed_as_given() -> None:
    assert "CPR-nr.: 070761-428" in _text(replace(CERT, cpr="070761-428"))


@pytest.mark.skipif(font_file("serif") is None, reason="DejaVu fonts not installed")
def test_serif_font_is_embedded() -> None:
    fonts = _font_names(render_certificate_pdf(replace(CERT, font="serif")))
    assert any("DejaVuSerif" in name for name in fonts)


def test_several_pages_put_the_result_on_the_last() -> None:
    pdf = render_certificate_pdf(replace(CERT, pages=3, records=["Dom 2019"]))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    last = reader.pages[2].extract_text()
    assert ENTRIES_LINE in last and "Dom 2019" in last and "Side 3 af 3" in last
    assert "Navn: Jens Ærø Hansen" in reader.pages[0].extract_text()


def test_many_records_flow_onto_more_pages() -> None:
    records = [f"Afgørelse nr. {i}" for i in range(80)]
    pdf = render_certificate_pdf(replace(CERT, records=records))
    assert _pages(pdf) > 1
    assert "Afgørelse nr. 79" in extract_text(pdf)


def test_born_digital_is_deterministic() -> None:
    assert render_certificate_pdf(CERT) == render_certificate_pdf(CERT)


def test_scan_is_an_image_only_pdf_of_a4_size() -> None:
    pdf = render_certificate_scan(CERT, random.Random(1), dpi=300)
    assert extract_text(pdf).strip() == ""
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    image = _page_image(pdf)
    assert image.size == (2480, 3508) == page_size_px(300)
    assert image.mode == "L"


def test_scan_pages_and_dpi() -> None:
    pdf = render_certificate_scan(replace(CERT, pages=2), random.Random(2), dpi=100)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    assert _page_image(pdf, 1).size == (827, 1169)
    assert float(reader.pages[0].mediabox.width) == pytest.approx(595.3, abs=1)


def test_scan_is_deterministic_for_a_seed() -> None:
    def scan(seed: int) -> bytes:
        return render_certificate_scan(CERT, random.Random(seed), dpi=100)

    assert scan(1) == scan(1)
    assert scan(1) != scan(2)


def test_clean_scan_without_skew_or_noise() -> None:
    pdf = render_certificate_scan(CERT, random.Random(1), dpi=72, skew_deg=0, noise=0)
    assert _pages(pdf) == 1


@pytest.mark.ocr
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_ocr_reads_name_and_cpr_from_a_300_dpi_scan(tmp_path: Path) -> None:
    pdf = render_certificate_scan(CERT, random.Random(3), dpi=300)
    png = tmp_path / "page.png"
    _page_image(pdf).save(png)
    result = subprocess.run(
        ["tesseract", str(png), "-", "-l", "dan"], capture_output=True, text=True, check=True
    )
    assert "Jens Ærø Hansen" in result.stdout
    assert "070761-4285" in result.stdout
