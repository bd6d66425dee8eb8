"""Reading incoming documents: a PDF's text page by page, OCR where a page has no text layer.

    doc = read_pdf(data)                      # never raises for a bad PDF: readable False
    fields = parse_certificate(doc.text)      # what a certificate says, tolerant of OCR

A page whose text layer holds fewer than `min_text_chars` non-blank characters is
rendered with pypdfium2 and read by tesseract after `prepare_scan` (hr.doc_preprocess).
A page OCR cannot finish within its timeout makes the document unreadable: the unread
page could hold what matters.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass, field
from typing import Literal

from hr.doc_fields import CertificateFields, parse_certificate
from hr.doc_preprocess import prepare_scan

__all__ = ["CertificateFields", "DocumentText", "PageText", "ocr_image", "parse_certificate", "read_pdf"]

TextSource = Literal["text_layer", "ocr"]


@dataclass(frozen=True)
class PageText:
    """One page's text and where it came from."""

    text: str
    source: TextSource
    timed_out: bool = False


@dataclass(frozen=True)
class DocumentText:
    """A document's pages; `readable` False with an `error` when it could not be read whole."""

    pages: list[PageText] = field(default_factory=list)
    readable: bool = True
    error: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)

    @property
    def text_source(self) -> TextSource | None:
        """"ocr" when any page was OCR'd, "text_layer" otherwise, None without pages."""
        if not self.pages:
            return None
        return "ocr" if any(page.source == "ocr" for page in self.pages) else "text_layer"


def read_pdf(
    data: bytes,
    *,
    min_text_chars: int = 40,
    ocr_language: str = "dan",
    ocr_dpi: int = 300,
    ocr_page_timeout_s: float = 30,
) -> DocumentText:
    """The text of every page: the text layer, or OCR for a page with (almost) none."""
    texts = _text_layers(data)
    if isinstance(texts, str):
        return DocumentText(readable=False, error=texts)
    pages: list[PageText] = []
    for number, text in enumerate(texts):
        if _non_blank(text) >= min_text_chars:
            pages.append(PageText(text, "text_layer"))
            continue
        page = _ocr_page(data, number, ocr_language, ocr_dpi, ocr_page_timeout_s)
        if isinstance(page, str):
            return DocumentText(pages, readable=False, error=page)
        pages.append(page)
        if page.timed_out:
            error = f"page {number + 1}: OCR did not finish within {ocr_page_timeout_s:g} s"
            return DocumentText(pages, readable=False, error=error)
    return DocumentText(pages)


def ocr_image(image: object, *, language: str = "dan", dpi: int = 300, timeout_s: float = 30,
              preprocess: bool = True) -> PageText:
    """OCR one page image (a PIL image), cleaned by `prepare_scan` unless told not to."""
    import pytesseract
    from PIL import Image

    assert isinstance(image, Image.Image)
    # tesseract's OpenMP threads fight each other on a small machine: one thread per
    # page reads a page 2-3x faster, and parallelism belongs to whole documents.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    prepared = prepare_scan(image) if preprocess else image
    try:
        text = pytesseract.image_to_string(prepared, lang=language, config=f"--dpi {dpi}",
                                           timeout=timeout_s)
    except RuntimeError as error:
        if "timeout" not in str(error).lower():
            raise
        return PageText("", "ocr", timed_out=True)
    return PageText(text, "ocr")


def _non_blank(text: str) -> int:
    return sum(1 for char in text if not char.isspace())


def _text_layers(data: bytes) -> list[str] | str:
    """Each page's text layer, or an error message when the data is not a readable PDF."""
    from pypdf import PdfReader

    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        return "not a PDF"
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "the PDF is encrypted"
        texts = [page.extract_text() or "" for page in reader.pages]
    # A broken file fails anywhere inside pypdf with many exception types; each means
    # the same here: not a readable PDF, which the rules turn into a code, not a crash.
    except Exception as error:
        return f"not a readable PDF ({type(error).__name__})"
    if not texts:
        return "the PDF has no pages"
    return texts


def _ocr_page(data: bytes, number: int, language: str, dpi: int, timeout_s: float) -> PageText | str:
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
        try:
            image = document[number].render(scale=dpi / 72, grayscale=True).to_pil()
        finally:
            document.close()
    except pypdfium2.PdfiumError as error:
        return f"page {number + 1} cannot be rendered ({error})"
    return ocr_image(image, language=language, dpi=dpi, timeout_s=timeout_s)
