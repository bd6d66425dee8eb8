"""Criminal-record certificates (børneattest, straffeattest) as born-digital or scanned PDFs.

The layout is that of Kriminalregisteret's certificates: a kind, a name, a CPR number and
a result phrase (bots/document_journaling/README.md).
"""

from __future__ import annotations

import io
import random
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from hr.cpr import normalise_cpr
from hr.fonts import reportlab_fonts
from hr.formatting import format_date_long
from hr.layout import A4_HEIGHT_PT, A4_WIDTH_PT, Page, TextRun
from hr.scan import degrade, images_to_pdf, rasterise

__all__ = [
    "CLEAN_LINES",
    "CONSENT_REFUSED_TEXT",
    "ENTRIES_LINE",
    "TITLES",
    "Certificate",
    "CertificateKind",
    "HiddenLayer",
    "certificate_text",
    "layout_certificate",
    "render_certificate_pdf",
    "render_certificate_scan",
    "render_hidden_layer_scan",
]

HiddenLayer = Literal["invisible", "white", "clipped", "off_page"]
CertificateKind = Literal[
    "boerneattest", "straffeattest_offentlig", "straffeattest_privat", "samtykke_afvist"
]

TITLES: dict[CertificateKind, str] = {
    "boerneattest": "BØRNEATTEST",
    "straffeattest_offentlig": "STRAFFEATTEST TIL OFFENTLIG BRUG",
    "straffeattest_privat": "PRIVAT STRAFFEATTEST",
    "samtykke_afvist": "MEDDELELSE OM MANGLENDE SAMTYKKE",
}
CLEAN_LINES: dict[CertificateKind, str] = {
    "boerneattest": "Der er ingen oplysninger om afgørelser, som skal med på en børneattest.",
    "straffeattest_offentlig": (
        "Der er ingen oplysninger i Kriminalregisteret, som skal med på en "
        "straffeattest til offentlig brug."
    ),
    "straffeattest_privat": (
        "Der er ingen oplysninger i Kriminalregisteret, som skal med på en privat straffeattest."
    ),
}
ENTRIES_LINE = "Der er registreret følgende afgørelser:"
CONSENT_REFUSED_TEXT = "Den pågældende har ikke givet samtykke inden for fristen på 14 dage."
# Filler for the pages before the last: no title, no CPR-shaped number, no result phrase.
_GUIDANCE = (
    "Vejledning",
    "Attesten er udstedt på grundlag af oplysningerne i Kriminalregisteret på udstedelsesdagen.",
    "Oplysningerne må kun bruges til det formål, som de er indhentet til.",
    "Attesten skal opbevares forsvarligt og må ikke videregives til andre.",
)

_LEFT, _TOP, _BOTTOM = 71.0, 72.0, A4_HEIGHT_PT - 72.0
_LEADING, _WRAP_CHARS = 16.0, 85


@dataclass(frozen=True)
class Certificate:
    """One certificate as the Attestpostkasse delivers it; `records` empty means clean.

    The style fields vary the layout the way real mail does. `records` are ignored
    for `samtykke_afvist`. A CPR that is not CPR-shaped is printed as given.
    """

    kind: CertificateKind
    issued: date
    order_id: str
    name: str
    cpr: str
    records: list[str] = field(default_factory=list)
    cpr_label: str = "CPR-nr."
    cpr_with_hyphen: bool = True
    long_dates: bool = True
    upper_title: bool = True
    font: Literal["sans", "serif"] = "sans"
    pages: int = 1
    requester: str = "Københavns Kommune, Koncernservice"


def render_certificate_pdf(cert: Certificate) -> bytes:
    """A born-digital PDF with a text layer (deterministic bytes)."""
    fonts = reportlab_fonts(cert.font)
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(A4_WIDTH_PT, A4_HEIGHT_PT),
        invariant=True,
        initialFontName=fonts.regular,
    )
    canvas.setTitle(_title(cert))
    for page in layout_certificate(cert):
        for run in page:
            canvas.setFont(fonts.bold if run.bold else fonts.regular, run.size)
            canvas.drawString(run.x, A4_HEIGHT_PT - run.baseline, run.text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_certificate_scan(
    cert: Certificate,
    rng: random.Random,
    dpi: int = 300,
    skew_deg: float = 1.0,
    noise: float = 0.03,
) -> bytes:
    """An image-only PDF (no text layer) that looks scanned: grayscale, skewed, speckled.

    The same `rng` state gives the same bytes.
    """
    images = _scan_images(cert, rng, dpi, skew_deg, noise)
    issued = datetime(cert.issued.year, cert.issued.month, cert.issued.day)
    return images_to_pdf(images, dpi, created=issued)


def render_hidden_layer_scan(shown: Certificate, hidden: Certificate, rng: random.Random,
                             how: HiddenLayer = "invisible", dpi: int = 200) -> bytes:
    """A hostile PDF: the scan of `shown` with `hidden`'s text laid over it, out of sight.

    What a person sees is `shown` (e.g. a certificate with records); the text layer is
    `hidden`'s (e.g. the clean one), drawn in render mode 3 ("invisible"), white on the
    page ("white"), clipped to nothing ("clipped") or beyond the page's edge ("off_page").
    The same `rng` state gives the same bytes.
    """
    fonts = reportlab_fonts(hidden.font)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(A4_WIDTH_PT, A4_HEIGHT_PT), invariant=True,
                    initialFontName=fonts.regular)
    images = _scan_images(shown, rng, dpi, 1.0, 0.03)
    for image, page in zip(images, layout_certificate(hidden), strict=False):
        canvas.drawInlineImage(image, 0, 0, A4_WIDTH_PT, A4_HEIGHT_PT)
        canvas.saveState()
        _hide(canvas, how)
        for run in page:
            text = canvas.beginText(run.x + (10 * A4_WIDTH_PT if how == "off_page" else 0),
                                    A4_HEIGHT_PT - run.baseline)
            text.setTextRenderMode(3 if how == "invisible" else 0)
            text.setFont(fonts.bold if run.bold else fonts.regular, run.size)
            text.textOut(run.text)
            canvas.drawText(text)
        canvas.restoreState()
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _hide(canvas: Canvas, how: HiddenLayer) -> None:
    if how == "white":
        canvas.setFillColorRGB(1, 1, 1)
    elif how == "clipped":
        path = canvas.beginPath()
        path.rect(0, 0, 1, 1)
        canvas.clipPath(path, stroke=0, fill=0)


def _scan_images(cert: Certificate, rng: random.Random, dpi: int, skew_deg: float,
                 noise: float) -> list[Image.Image]:
    return [degrade(rasterise(page, cert.font, dpi), rng, skew_deg, noise)
            for page in layout_certificate(cert)]


def certificate_text(cert: Certificate) -> str:
    """The certificate's lines as plain text, pages in order."""
    return "\n".join(run.text for page in layout_certificate(cert) for run in page)


def layout_certificate(cert: Certificate) -> list[Page]:
    """Place the certificate's lines on at least `cert.pages` pages; the result comes last."""
    flow = _Flow(cert.order_id)
    _header(flow, cert)
    for _ in range(cert.pages - 1):
        flow.lines(_GUIDANCE, gap=_LEADING)
        flow.new_page()
    _result(flow, cert)
    return flow.finish(cert.pages > 1 or len(flow.pages) > 1)


def _header(flow: _Flow, cert: Certificate) -> None:
    flow.line("Rigspolitiet", size=12, bold=True)
    flow.line("Kriminalregisteret")
    flow.line(_title(cert), size=16, bold=True, gap=24)
    flow.line(f"Udstedt: {_date_text(cert)}", gap=12)
    flow.line(f"Bestillings-id: {cert.order_id}")
    flow.line(f"Rekvirent: {cert.requester}")
    flow.line(f"Navn: {cert.name}", gap=12)
    flow.line(f"{cert.cpr_label}: {_cpr_text(cert)}")


def _result(flow: _Flow, cert: Certificate) -> None:
    if cert.kind == "samtykke_afvist":
        flow.line(CONSENT_REFUSED_TEXT, gap=16)
        return
    flow.line("Resultat:", bold=True, gap=16)
    if not cert.records:
        flow.lines(textwrap.wrap(CLEAN_LINES[cert.kind], _WRAP_CHARS))
        return
    flow.line(ENTRIES_LINE)
    for record in cert.records:
        flow.lines(textwrap.wrap(record, _WRAP_CHARS) or [""])


def _title(cert: Certificate) -> str:
    title = TITLES[cert.kind]
    return title if cert.upper_title else title.capitalize()


def _date_text(cert: Certificate) -> str:
    issued = cert.issued
    return format_date_long(issued) if cert.long_dates else f"{issued:%d.%m.%Y}"


def _cpr_text(cert: Certificate) -> str:
    try:
        digits = normalise_cpr(cert.cpr)
    except ValueError:
        return cert.cpr
    return f"{digits[:6]}-{digits[6:]}" if cert.cpr_with_hyphen else digits


class _Flow:
    """Stacks lines down the page, starting a new page when one is full."""

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        self.pages: list[Page] = [[]]
        self.baseline = _TOP

    def line(self, text: str, size: float = 11.0, bold: bool = False, gap: float = 0.0) -> None:
        if self.baseline + gap + _LEADING > _BOTTOM:
            self.new_page()
            gap = 0.0
        self.baseline += gap
        self.pages[-1].append(TextRun(_LEFT, self.baseline, text, size, bold))
        self.baseline += max(_LEADING, size * 1.4)

    def lines(self, texts: list[str] | tuple[str, ...], gap: float = 0.0) -> None:
        for i, text in enumerate(texts):
            self.line(text, gap=gap if i == 0 else 0.0)

    def new_page(self) -> None:
        self.pages.append([])
        self.baseline = _TOP
        self.line(f"Bestillings-id: {self.order_id}", size=9)
        self.baseline += _LEADING

    def finish(self, numbered: bool) -> list[Page]:
        if numbered:
            total = len(self.pages)
            for number, page in enumerate(self.pages, start=1):
                page.append(TextRun(_LEFT, _BOTTOM + 36, f"Side {number} af {total}", 9))
        return self.pages
