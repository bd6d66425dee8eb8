"""Business letters rendered to PDF with reportlab's canvas, and PDF text extraction."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from hr.fonts import FontPair, reportlab_fonts
from hr.formatting import format_date_long

__all__ = ["Letter", "extract_text", "render_letter"]

_WIDTH, _HEIGHT = A4
_LEFT, _RIGHT = 25 * mm, _WIDTH - 20 * mm
_TOP, _BOTTOM = _HEIGHT - 20 * mm, 25 * mm
_BODY_SIZE, _LEADING = 10.5, 14.0


@dataclass(frozen=True)
class Letter:
    """A business letter. Multi-line fields are split at newlines.

    `signature` is printed as given, e.g. "Med venlig hilsen\\nLøn & Personale".
    `facts` is a small two-column table of (label, value) rows.
    """

    sender: str
    recipient_name: str
    recipient_address: str | None
    date: date
    subject: str
    paragraphs: list[str]
    facts: list[tuple[str, str]] = field(default_factory=list)
    contact: str = ""
    signature: str = ""
    reference: str | None = None


def render_letter(letter: Letter, *, compress: bool = False) -> bytes:
    """Render the letter as an A4 PDF with a text layer (deterministic bytes).

    `compress` halves the size (about 85 → 45 kB) at a third of the speed.
    """
    fonts = reportlab_fonts("sans")
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=A4,
        invariant=True,
        pageCompression=int(compress),
        initialFontName=fonts.regular,
    )
    canvas.setTitle(letter.subject)
    canvas.setAuthor(letter.sender.splitlines()[0] if letter.sender else "")
    _LetterWriter(canvas, letter, fonts).write()
    canvas.save()
    return buffer.getvalue()


def extract_text(pdf_bytes: bytes) -> str:
    """The text layer of every page, pages separated by a newline."""
    reader = PdfReader(io.BytesIO(pdf_bytes))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


class _LetterWriter:
    """Draws one letter top-down, starting a new page when the body runs out of room."""

    def __init__(self, canvas: Canvas, letter: Letter, fonts: FontPair) -> None:
        self.canvas, self.letter, self.fonts = canvas, letter, fonts
        self.page = 1
        self.y = _TOP

    def write(self) -> None:
        self._letterhead()
        self._recipient_and_date()
        self._subject()
        for paragraph in self.letter.paragraphs:
            self._paragraph(paragraph)
        self._facts()
        if self.letter.contact:
            self._paragraph(self.letter.contact)
        self._lines(self.letter.signature.splitlines(), self.fonts.regular)
        self._footer()

    def _letterhead(self) -> None:
        lines = self.letter.sender.splitlines() or [""]
        self._text(_LEFT, self.y, lines[0], self.fonts.bold, 14)
        for i, line in enumerate(lines[1:], start=1):
            self._text(_LEFT, self.y - i * 13, line, self.fonts.regular, 10)
        self.y -= 13 * len(lines) + 2
        self.canvas.setLineWidth(0.5)
        self.canvas.line(_LEFT, self.y, _RIGHT, self.y)
        self.y -= 20 * mm

    def _recipient_and_date(self) -> None:
        self.canvas.setFont(self.fonts.regular, _BODY_SIZE)
        self.canvas.drawRightString(_RIGHT, self.y, format_date_long(self.letter.date))
        address = (self.letter.recipient_address or "").splitlines()
        for line in [self.letter.recipient_name, *address]:
            self._text(_LEFT, self.y, line, self.fonts.regular, _BODY_SIZE)
            self.y -= _LEADING
        self.y -= 15 * mm

    def _subject(self) -> None:
        for line in simpleSplit(self.letter.subject, self.fonts.bold, 13, _RIGHT - _LEFT):
            self._text(_LEFT, self.y, line, self.fonts.bold, 13)
            self.y -= 17
        self.y -= 6

    def _paragraph(self, text: str) -> None:
        lines = simpleSplit(text, self.fonts.regular, _BODY_SIZE, _RIGHT - _LEFT)
        self._lines(lines, self.fonts.regular)

    def _lines(self, lines: list[str], font: str) -> None:
        for line in lines:
            self._room_for(1)
            self._text(_LEFT, self.y, line, font, _BODY_SIZE)
            self.y -= _LEADING
        self.y -= _LEADING * 0.6

    def _facts(self) -> None:
        if not self.letter.facts:
            return
        labels = [label for label, _ in self.letter.facts]
        value_x = _LEFT + max(self._width(s, self.fonts.bold) for s in labels) + 6 * mm
        for label, value in self.letter.facts:
            value_lines = simpleSplit(value, self.fonts.regular, _BODY_SIZE, _RIGHT - value_x)
            value_lines = value_lines or [""]
            self._room_for(len(value_lines))
            self._text(_LEFT, self.y, label, self.fonts.bold, _BODY_SIZE)
            for line in value_lines:
                self._text(value_x, self.y, line, self.fonts.regular, _BODY_SIZE)
                self.y -= _LEADING
        self.y -= _LEADING * 0.6

    def _room_for(self, lines: int) -> None:
        if self.y - lines * _LEADING >= _BOTTOM:
            return
        self._footer()
        self.canvas.showPage()
        self.page += 1
        self.y = _TOP

    def _footer(self) -> None:
        size = 8
        self.canvas.setFont(self.fonts.regular, size)
        if self.letter.reference:
            self.canvas.drawString(_LEFT, 12 * mm, f"Reference: {self.letter.reference}")
        self.canvas.drawRightString(_RIGHT, 12 * mm, f"Side {self.page}")

    def _width(self, text: str, font: str) -> float:
        return float(self.canvas.stringWidth(text, font, _BODY_SIZE))

    def _text(self, x: float, y: float, text: str, font: str, size: float) -> None:
        self.canvas.setFont(font, size)
        self.canvas.drawString(x, y, text)
