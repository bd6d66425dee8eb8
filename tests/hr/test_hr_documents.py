"""hr.documents: reading PDFs (text layer, OCR), cleaning scans, the fields of a certificate."""

from __future__ import annotations

import io
import random
from datetime import date

import pypdf
import pypdfium2
import pytest
from PIL import Image, ImageDraw
from reportlab.pdfgen.canvas import Canvas

from hr.certificates import (
    Certificate,
    HiddenLayer,
    certificate_text,
    render_certificate_pdf,
    render_certificate_scan,
    render_hidden_layer_scan,
)
from hr.doc_fields import contains_nearly, letters_only, parse_certificate
from hr.doc_pages import MAX_RENDER_PIXELS, MIN_OCR_DPI, PageProbe, PageTooLarge, probe_page, render_dpi
from hr.doc_preprocess import binarise, estimate_skew, median3, otsu_threshold, prepare_scan
from hr.documents import read_pdf

ISSUED = date(2025, 3, 12)


def cert(**changes: object) -> Certificate:
    values: dict[str, object] = dict(kind="boerneattest", issued=ISSUED, order_id="BA-2025-004711",
                                     name="Jens Hansen", cpr="070761-4285")
    values.update(changes)
    return Certificate(**values)  # type: ignore[arg-type]


HEADER = "Rigspolitiet\nKriminalregisteret\nBØRNEATTEST\nUdstedt: 12. marts 2025\n"
CLEAN = "Resultat:\nDer er ingen oplysninger om afgørelser, som skal med på en børneattest.\n"


# -- parse_certificate ---------------------------------------------------------------------------


def test_the_rules_file_document_is_read_whole() -> None:
    fields = parse_certificate(certificate_text(cert()))
    assert fields.kind == "boerneattest"
    assert fields.name == "Jens Hansen"
    assert fields.cpr_text == "070761-4285"
    assert fields.issued == ISSUED
    assert fields.order_id == "BA-2025-004711"
    assert fields.result_clean_phrase_found and not fields.has_entries_marker


@pytest.mark.parametrize("label", ["CPR-nr.", "CPR-nummer", "Personnummer", "cpr nr", "CPR-Nr"])
@pytest.mark.parametrize("separator", [": ", ":", " ", ". ", "; "])
def test_cpr_labels_and_separators(label: str, separator: str) -> None:
    fields = parse_certificate(f"{HEADER}Navn: Jens Hansen\n{label}{separator}0707614285\n{CLEAN}")
    assert fields.cpr_label_found
    assert fields.cpr_text == "0707614285"


@pytest.mark.parametrize(("written", "read"), [
    ("070761-4285", "070761-4285"),
    ("070761 4285", "0707614285"),
    ("07 07 61 - 42 85", "070761-4285"),
    ("'070761-4285'", "070761-4285"),
    ("\"O7O761-4285.", "070761-4285"),
    ("O7O76l-4285", "070761-4285"),
    ("070761–4285", "070761-4285"),
    ("070761-428", "070761-428"),
])
def test_ocr_artefacts_in_the_number(written: str, read: str) -> None:
    fields = parse_certificate(f"{HEADER}Navn: Jens Hansen\nCPR-nr.: {written}\n{CLEAN}")
    assert fields.cpr_text == read


def test_the_number_on_the_line_after_its_label() -> None:
    fields = parse_certificate(f"{HEADER}Navn:\nJens Hansen\nCPR-nummer:\n070761-4285\n{CLEAN}")
    assert (fields.name, fields.cpr_text) == ("Jens Hansen", "070761-4285")


def test_numeric_dates_and_other_capitalisation() -> None:
    text = certificate_text(cert(long_dates=False, upper_title=False)).upper()
    fields = parse_certificate(text)
    assert fields.kind == "boerneattest"
    assert fields.issued == ISSUED
    assert fields.result_clean_phrase_found


def test_a_title_broken_over_two_lines() -> None:
    text = certificate_text(cert(kind="straffeattest_offentlig")).replace(
        "STRAFFEATTEST TIL OFFENTLIG BRUG", "STRAFFEATTEST TIL\nOFFENTLIG BRUG")
    assert parse_certificate(text).kind == "straffeattest_offentlig"


def test_a_clean_phrase_broken_anywhere_still_counts() -> None:
    text = certificate_text(cert()).replace("som skal med", "som\nskal  med")
    assert parse_certificate(text).result_clean_phrase_found


@pytest.mark.parametrize("kind", ["boerneattest", "straffeattest_offentlig", "straffeattest_privat",
                                  "samtykke_afvist"])
def test_each_kind_by_its_title(kind: str) -> None:
    assert parse_certificate(certificate_text(cert(kind=kind))).kind == kind


def test_no_title_or_two_titles_is_no_kind() -> None:
    assert parse_certificate("KVITTERING FOR BESTILLING\nNavn: Jens Hansen").kind is None
    fields = parse_certificate("BØRNEATTEST\nPRIVAT STRAFFEATTEST\nNavn: Jens Hansen")
    assert fields.kind is None and set(fields.kinds_found) == {"boerneattest", "straffeattest_privat"}


def test_the_clean_phrase_is_the_one_of_the_kind_read() -> None:
    text = certificate_text(cert(kind="straffeattest_privat")).replace(
        "PRIVAT STRAFFEATTEST", "BØRNEATTEST")
    assert not parse_certificate(text).result_clean_phrase_found


def test_records_are_marked() -> None:
    fields = parse_certificate(certificate_text(cert(records=["Dom 1.2.2019: straffelovens § 222"])))
    assert fields.has_entries_marker and not fields.result_clean_phrase_found


def test_several_pages_and_conflicting_values() -> None:
    text = certificate_text(cert(pages=2))
    fields = parse_certificate(text)
    assert fields.kind == "boerneattest" and not fields.conflicting
    twice = parse_certificate(text + "\nNavn: Ole Berg\nCPR-nr.: 150589-4010\n")
    assert twice.conflicting and len(twice.names) == 2 and len(twice.cpr_texts) == 2


def test_letters_only() -> None:
    assert letters_only(" Børne-Attest 2. ") == "børneattest"
    assert letters_only("ÆRØ Å") == "ærøå"  # Danish letters are letters of their own


def test_a_stray_ocr_accent_does_not_hide_the_clean_phrase() -> None:
    # seen in the attests benchmark: "Der ér ingen ..." on a 200 dpi scan
    fields = parse_certificate(f"{HEADER}Navn: Jens Hansen\nCPR-nr.: 070761-4285\nResultat:\n"
                               "Der ér ingen oplysninger om afgørelser, som skal med på.en børneattest.")
    assert fields.result_clean_phrase_found and not fields.has_entries_marker
    entries = parse_certificate(f"{HEADER}Navn: Jens Hansen\nCPR-nr.: 070761-4285\nResultat:\n"
                                "Der ér registréret følgende afgørelser:\nDom 12.03.2019")
    assert entries.has_entries_marker and not entries.result_clean_phrase_found


@pytest.mark.parametrize("label", ["CPR-nr,:", "CPR-nr.:", "CPR-nr. :", "Personnummer.:", "CPR-nr;"])
def test_a_separator_read_twice(label: str) -> None:
    fields = parse_certificate(f"{HEADER}Navn: Jens Hansen\n{label} 810681-1648\n{CLEAN}")
    assert fields.cpr_text == "810681-1648"


# -- read_pdf ------------------------------------------------------------------------------------


def test_a_born_digital_pdf_is_read_from_its_text_layer() -> None:
    document = read_pdf(render_certificate_pdf(cert(pages=2)))
    assert document.readable and document.error is None
    assert [page.source for page in document.pages] == ["text_layer", "text_layer"]
    assert document.text_source == "text_layer"
    assert parse_certificate(document.text).name == "Jens Hansen"


def _encrypted_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(render_certificate_pdf(cert()))))
    writer.encrypt("hemmelig")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("data", [
    b"", b"not a pdf at all", b"%PDF-1.4\n% broken: truncated before any object\n",
    render_certificate_pdf(cert())[:300],
], ids=["empty", "text", "truncated", "cut"])
def test_a_bad_pdf_is_unreadable_never_an_exception(data: bytes) -> None:
    document = read_pdf(data)
    assert not document.readable and document.error


def test_an_encrypted_pdf_is_unreadable() -> None:
    document = read_pdf(_encrypted_pdf())
    assert not document.readable and "encrypted" in (document.error or "")


# -- what a page shows (hr.doc_pages), no OCR -----------------------------------------------------


def _probe(data: bytes) -> PageProbe:
    document = pypdfium2.PdfDocument(data)
    try:
        return probe_page(document[0], 300)
    finally:
        document.close()


def test_a_born_digital_page_is_all_visible_text() -> None:
    probe = _probe(render_certificate_pdf(cert()))
    assert probe.invisible_chars == 0 and probe.visible_chars > 200
    assert probe.image_coverage == 0 and probe.non_text_ink == 0
    assert not probe.needs_ocr(40)


@pytest.mark.parametrize("how", ["invisible", "white", "clipped", "off_page"])
def test_a_hidden_text_layer_is_not_visible_text(how: HiddenLayer) -> None:
    pdf = render_hidden_layer_scan(cert(records=["Dom 3.4.2019: vold"]), cert(), random.Random(1), how)
    probe = _probe(pdf)
    assert parse_certificate(probe.text).result_clean_phrase_found  # the layer says clean ...
    assert probe.invisible_chars > 0 and probe.needs_ocr(40)  # ... but it is not what one sees


def _drawn_page(draw: str, text_mode: int = 0) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(595, 842))
    text = canvas.beginText(72, 700)
    text.setTextRenderMode(text_mode)
    text.setFont("Helvetica", 11)
    text.textLine("Der er ingen oplysninger om afgørelser, som skal med på en børneattest.")
    canvas.drawText(text)
    if draw == "white_box":  # painted over the text
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(60, 690, 480, 30, stroke=0, fill=1)
    elif draw == "outlines":  # what a reader sees, drawn as paths
        canvas.rect(72, 600, 400, 12, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_text_painted_over_is_hidden_and_drawings_are_read() -> None:
    assert not _probe(_drawn_page("")).needs_ocr(40)
    covered = _probe(_drawn_page("white_box"))
    assert covered.invisible_chars > 0 and covered.visible_chars == 0
    drawn = _probe(_drawn_page("outlines"))
    assert drawn.invisible_chars == 0 and drawn.non_text_ink > 0 and drawn.needs_ocr(40)
    assert _probe(_drawn_page("", text_mode=7)).visible_chars == 0  # mode 7: clip only, nothing shown


def test_the_render_dpi_fits_the_pixel_cap_or_refuses() -> None:
    assert render_dpi(595, 842, 300) == 300
    big = render_dpi(2384, 3370, 300)  # A0: scaled down, still readable
    assert MIN_OCR_DPI <= big < 300 and (2384 * big / 72) * (3370 * big / 72) <= MAX_RENDER_PIXELS
    with pytest.raises(PageTooLarge):
        render_dpi(14400, 14400, 300)


def _blank_pdf(pages: int, width: float = 595, height: float = 842) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=width, height=height)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_too_many_pages_are_refused_before_reading() -> None:
    document = read_pdf(_blank_pdf(6), max_pages=5)
    assert document.too_long and not document.readable and document.page_count == 6
    assert document.pages == []


def test_a_huge_page_is_unreadable_before_rendering() -> None:
    document = read_pdf(_blank_pdf(1, 14400, 14400))
    assert not document.readable and not document.too_long and "too large" in (document.error or "")


# -- scan preprocessing (no OCR) -----------------------------------------------------------------


def _lines_image(angle: float) -> Image.Image:
    image = Image.new("L", (1200, 1600), 255)
    draw = ImageDraw.Draw(image)
    for y in range(150, 1450, 60):
        draw.rectangle((100, y, 1100, y + 18), fill=0)
    return image.rotate(angle, fillcolor=255)


@pytest.mark.parametrize("angle", [-2.0, -0.75, 0.0, 1.25, 2.0])
def test_skew_is_found_within_a_step(angle: float) -> None:
    assert estimate_skew(_lines_image(angle)) == pytest.approx(-angle, abs=0.25)


def test_otsu_splits_ink_from_paper() -> None:
    image = Image.new("L", (100, 100), 230)
    image.paste(40, (0, 0, 30, 100))
    assert 40 <= otsu_threshold(image) < 230
    assert binarise(image).getpixel((10, 10)) == 0 and binarise(image).getpixel((90, 10)) == 255


def test_the_median_removes_speckles_and_keeps_strokes() -> None:
    image = Image.new("L", (50, 50), 255)
    image.putpixel((5, 5), 0)
    image.paste(0, (20, 10, 26, 40))
    clean = median3(image.convert("1"))
    assert clean.getpixel((5, 5)) == 255 and clean.getpixel((23, 25)) == 0


def test_prepare_scan_gives_black_and_white() -> None:
    assert prepare_scan(_lines_image(1.0)).mode == "1"


# -- OCR (tesseract) -----------------------------------------------------------------------------


@pytest.mark.ocr
def test_a_scanned_certificate_is_read_by_ocr() -> None:
    scan = render_certificate_scan(cert(font="serif", cpr_label="Personnummer", cpr_with_hyphen=False),
                                   random.Random(3), dpi=200, skew_deg=2.0)
    document = read_pdf(scan)
    assert document.readable and document.text_source == "ocr"
    fields = parse_certificate(document.text)
    assert (fields.kind, fields.name, fields.cpr_text) == ("boerneattest", "Jens Hansen", "0707614285")
    assert fields.result_clean_phrase_found


@pytest.mark.ocr
def test_records_on_a_scan_are_read() -> None:
    scan = render_certificate_scan(cert(kind="straffeattest_privat", records=["Dom 3.4.2019: vold"]),
                                   random.Random(4), dpi=300, skew_deg=1.5)
    fields = parse_certificate(read_pdf(scan).text)
    assert fields.kind == "straffeattest_privat"
    assert fields.has_entries_marker and not fields.result_clean_phrase_found


@pytest.mark.ocr
def test_a_spent_document_budget_makes_the_document_unreadable() -> None:
    scan = render_certificate_scan(cert(pages=2), random.Random(6), dpi=200)
    document = read_pdf(scan, ocr_document_timeout_s=1e-9)
    assert not document.readable and "budget" in (document.error or "")


@pytest.mark.ocr
def test_an_honest_searchable_scan_is_read_by_ocr_and_agrees() -> None:
    pdf = render_hidden_layer_scan(cert(), cert(), random.Random(7), "invisible")
    document = read_pdf(pdf)
    assert document.readable and document.text_source == "ocr"
    assert document.layer_text is not None and document.pages[0].layer
    seen, layer = parse_certificate(document.text), parse_certificate(document.layer_text)
    assert (seen.kind, seen.cpr_text, seen.result_clean_phrase_found) == (
        layer.kind, layer.cpr_text, layer.result_clean_phrase_found)


@pytest.mark.ocr
def test_a_page_past_its_timeout_makes_the_document_unreadable() -> None:
    scan = render_certificate_scan(cert(), random.Random(5), dpi=200)
    document = read_pdf(scan, ocr_page_timeout_s=0.01)
    assert not document.readable and document.pages[-1].timed_out
    assert "OCR" in (document.error or "")


def test_specks_before_a_label_are_ignored() -> None:
    fields = parse_certificate(f"{HEADER}\"Navn: Jens Hansen\n|CPR-nr.: 070761-4285\n{CLEAN}")
    assert (fields.name, fields.cpr_text) == ("Jens Hansen", "070761-4285")


@pytest.mark.parametrize("line", ["”— Navn: Jens Hansen", "N avn: Jens Hansen", "— Navn: Jens Hansen"])
def test_ocr_slips_around_the_name_label(line: str) -> None:
    # seen on 200 dpi scans: a dash speck before the label, a space inside it
    fields = parse_certificate(f"{HEADER}{line}\nCPR-nr.: 070761-4285\n{CLEAN}")
    assert fields.names == ("Jens Hansen",)


def test_a_clean_phrase_with_a_few_ocr_slips_still_counts() -> None:
    slips = ("Der er ingen oplysninger i i Kriminalregisteret, | som i skal med på en straffeattest til\n"
             "| \"offentlig: brug")
    fields = parse_certificate(f"STRAFFEATTEST TIL OFFENTLIG BRUG\nNavn: Jens Hansen\nCPR-nr.: 070761-4285\n"
                               f"Resultat:\n{slips}")
    assert fields.kind == "straffeattest_offentlig" and fields.result_clean_phrase_found


def test_a_clean_phrase_read_badly_does_not_count() -> None:
    garbled = "Dr r ngen oplsnnger om afgrlser, sm skl md p n brnttest."
    fields = parse_certificate(f"{HEADER}Navn: Jens Hansen\nCPR-nr.: 070761-4285\nResultat:\n{garbled}")
    assert not fields.result_clean_phrase_found


def test_records_never_read_as_the_clean_phrase() -> None:
    records = "Der er registreret følgende afgørelser:\nDom 12.03.2019, Københavns Byret: straffelovens § 244"
    fields = parse_certificate(f"{HEADER}Navn: Jens Hansen\nCPR-nr.: 070761-4285\nResultat:\n{records}")
    assert fields.has_entries_marker and not fields.result_clean_phrase_found
    slipped = parse_certificate(f"{HEADER}Resultat:\nDer er regstreret følgende afgørelser:")
    assert slipped.has_entries_marker  # one slip in the marker: still found


def test_contains_nearly() -> None:
    pattern = "deringenoplysningeromafgørelser"  # 31 letters: one slip allowed
    assert contains_nearly("xx" + pattern + "yy", pattern)
    assert contains_nearly("xxderiingenoplysningeromafgørelseryy", pattern)  # one letter added
    assert contains_nearly("xxderingenoplysnigeromafgørelseryy", pattern)  # one dropped
    assert not contains_nearly("xxderiingenoplysnigeromafgørelseryy", pattern)  # two: no
    assert not contains_nearly("xxderingyy", "deringen")  # under 20 letters: exact only
    assert contains_nearly("abc", "abd", min_edits=1) and not contains_nearly("abc", "xyz", min_edits=1)
