"""Reading incoming documents as a person would see them: text layer, OCR, or both.

    doc = read_pdf(data)                      # never raises for a bad PDF: readable False
    fields = parse_certificate(doc.text)      # what the pages show, tolerant of OCR
    layer = parse_certificate(doc.layer_text) # what their text layers claim (rules compare)

A certificate is judged by what a person sees, so a text layer is believed only where
it is all visible and is all the page shows. `hr.doc_pages.probe_page` renders each
page and counts which characters drawing actually changes; a page is also OCR'd
(rendered with pypdfium2, cleaned by `prepare_scan`, read by tesseract) when:

- its visible text layer has fewer than `min_text_chars` non-blank characters (a scan);
- any character is invisible (render mode 3 or 7, white, clipped, off the page, painted
  over): invisible text never counts towards anything, the OCR of the page does;
- a picture covers most of it, or it carries non-text ink beyond a hairline.

An OCR'd page keeps its text layer as `layer`: the rules parse both readings and send
the certificate to a person when they disagree on kind, name, CPR or result (a scanner's
honest searchable PDF agrees with our OCR; a clean layer over a records scan does not).
A page without hidden text, pictures or drawings is read from its text layer alone, so a
born-digital certificate stays fast and exact. What this cannot see: a font whose
ToUnicode map names other letters than its glyphs draw; only OCR of every page would.

Every document is bounded before pdfium parses or decodes anything: pypdf (which decodes
no image, and no stream over its own 75 MB limit) counts the pages, and more than
`max_pages` is `too_long`; a page whose drawing instructions exceed `MAX_CONTENT_BYTES`
(forms drawn again counted each time), a page too large to render at `MIN_OCR_DPI` under
`MAX_RENDER_PIXELS`, a page whose images would decode to over `MAX_IMAGE_BYTES`, or one
with over `MAX_CHARS` characters is unreadable; the render dpi is lowered to fit the pixel
cap; Pillow's `MAX_IMAGE_PIXELS` is that cap too. What no check foresees (a font, colour
profile or filter that inflates inside pdfium) is held by the reading's child process
(hr.isolation): its heap is capped at `MAX_MEMORY_BYTES` and it is killed past the
document's budget; either makes the document unreadable. OCR has a timeout per page
and the whole reading a budget (`ocr_document_timeout_s`); a page not read in time makes
the document unreadable: the unread page could hold what matters.
"""

from __future__ import annotations

import io
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from hr.doc_fields import CertificateFields, parse_certificate
from hr.doc_pages import MAX_RENDER_PIXELS, PageProbe, PageTooLarge, probe_page, render_dpi
from hr.doc_preprocess import prepare_scan
from hr.isolation import Failure, run_bounded

__all__ = ["CertificateFields", "DocumentText", "PageText", "ocr_image", "parse_certificate", "read_pdf"]

TextSource = Literal["text_layer", "ocr"]
# A certificate page draws a few KB, a scan page under 100 bytes; 1 MB of instructions
# (70,000 paths, or 750,000 characters) is parsed by pdfium in a few seconds and under 250 MB.
MAX_CONTENT_BYTES = 1_000_000
# The reading child's heap (hr.isolation): with the libraries' code that keeps one decision
# under 500 MB whatever the input (a 1 GB embedded font once took 2 GB and 29 s).
MAX_MEMORY_BYTES = 420_000_000
_START_GRACE_S = 10  # the child's start and the work before the OCR deadline is checked
_MAX_FORM_DEPTH = 8


@dataclass(frozen=True)
class PageText:
    """One page's text and where it came from; `layer` is an OCR'd page's own text layer."""

    text: str
    source: TextSource
    timed_out: bool = False
    layer: str | None = None


@dataclass(frozen=True)
class DocumentText:
    """A document's pages; `readable` False with an `error` when it could not be read whole.

    `too_long` marks a document refused for its page count (`page_count` of them).
    """

    pages: list[PageText] = field(default_factory=list)
    readable: bool = True
    error: str | None = None
    too_long: bool = False
    page_count: int = 0

    @property
    def text(self) -> str:
        """What the pages show: OCR where a page was OCR'd, else its (all visible) text layer."""
        return "\n".join(page.text for page in self.pages)

    @property
    def layer_text(self) -> str | None:
        """What the text layers claim, OCR for a page without one; None when no page has both."""
        if not any(page.layer is not None for page in self.pages):
            return None
        return "\n".join(page.text if page.layer is None else page.layer for page in self.pages)

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
    ocr_document_timeout_s: float = 60,
    max_pages: int = 5,
    isolated: bool = True,
) -> DocumentText:
    """Every page as a person sees it (module docstring); never raises for a bad PDF.

    `isolated` reads in a child process held to MAX_MEMORY_BYTES and the document's
    budget (hr.isolation); False reads here, for the tests of the reading itself.
    """
    options = (min_text_chars, ocr_language, ocr_dpi, ocr_page_timeout_s, ocr_document_timeout_s,
               max_pages)
    if not isolated:
        return _read_pdf(data, *options)
    outcome = run_bounded(_read_pdf, (data, *options), memory_bytes=MAX_MEMORY_BYTES,
                          timeout_s=ocr_document_timeout_s + _START_GRACE_S)
    if isinstance(outcome, Failure):
        return DocumentText(readable=False, error=f"the document cannot be read: {outcome.reason}")
    assert isinstance(outcome, DocumentText)
    return outcome


def _read_pdf(data: bytes, min_text_chars: int, ocr_language: str, ocr_dpi: int, ocr_page_timeout_s: float,
              ocr_document_timeout_s: float, max_pages: int) -> DocumentText:
    deadline = time.monotonic() + ocr_document_timeout_s
    count = _page_count(data)
    if isinstance(count, str):
        return DocumentText(readable=False, error=count)
    if count > max_pages:
        return DocumentText(readable=False, error=f"the PDF has {count} pages, more than {max_pages}",
                            too_long=True, page_count=count)
    probes = _content_too_large(data) or _probes(data, ocr_dpi)
    if isinstance(probes, str):
        return DocumentText(readable=False, error=probes, page_count=count)
    ocr = _Ocr(ocr_language, ocr_dpi, ocr_page_timeout_s, deadline)
    pages: list[PageText] = []
    for number, probe in enumerate(probes):
        page = PageText(probe.text, "text_layer") if not probe.needs_ocr(min_text_chars) else (
            ocr.read(data, number, probe))
        if isinstance(page, str):
            return DocumentText(pages, readable=False, error=f"page {number + 1}: {page}", page_count=count)
        pages.append(page)
        if page.timed_out:
            error = f"page {number + 1}: OCR did not finish in time"
            return DocumentText(pages, readable=False, error=error, page_count=count)
    return DocumentText(pages, page_count=count)


@dataclass(frozen=True)
class _Ocr:
    """How pages are OCR'd: language, dpi, the timeout a page and the document's deadline."""

    language: str
    dpi: int
    page_timeout_s: float
    deadline: float

    def read(self, data: bytes, number: int, probe: PageProbe) -> PageText | str:
        """The page OCR'd (`timed_out` past its time), its text layer kept beside; or why not."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return "the document's OCR budget is spent"
        page = _ocr_page(data, number, self.language, self.dpi, min(self.page_timeout_s, remaining))
        if isinstance(page, str):
            return page
        layer = probe.text if probe.visible_chars + probe.invisible_chars else None
        return PageText(page.text, "ocr", page.timed_out, layer)


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
                                           timeout=max(timeout_s, 0.01))
    except RuntimeError as error:
        if "timeout" not in str(error).lower():
            raise
        return PageText("", "ocr", timed_out=True)
    return PageText(text, "ocr")


def _page_count(data: bytes) -> int | str:
    """The number of pages, or why the data is not a readable PDF (pypdf's view: a gate)."""
    from pypdf import PdfReader

    if not data.lstrip()[:1024].startswith(b"%PDF") and b"%PDF" not in data[:1024]:
        return "not a PDF"
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "the PDF is encrypted"
        count = len(reader.pages)
    # A broken file fails anywhere inside pypdf with many exception types; each means
    # the same here: not a readable PDF, which the rules turn into a code, not a crash.
    except Exception as error:
        return f"not a readable PDF ({type(error).__name__})"
    return count if count else "the PDF has no pages"


def _content_too_large(data: bytes) -> str | None:
    """Why a page's drawing instructions are too many for pdfium to parse safely, if they are.

    pdfium turns every path and glyph of a page into an object before anything else: a
    97 KB PDF of 50 MB of line segments took 93 s and 1 GB. pypdf decodes the content
    streams (its own limit: 75 MB a stream) so their size is known first.
    """
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        for number, page in enumerate(reader.pages, start=1):
            size = _drawn_bytes(page.get("/Contents"), page.get("/Resources"), {}, 0)
            if size > MAX_CONTENT_BYTES:
                return f"page {number}: too much to draw ({size // 1_000_000} MB of instructions)"
    except Exception as error:  # as in _page_count: any pypdf failure means unreadable
        return f"not a readable PDF ({type(error).__name__})"
    return None


def _drawn_bytes(contents: Any, resources: Any, sizes: dict[int, int], depth: int) -> int:
    """Decoded bytes a page (or form) makes pdfium parse: its content streams, and for each
    `Do` the largest form it may draw again (forms drawn from forms multiply)."""
    from pypdf.generic import ArrayObject, IndirectObject

    if depth > _MAX_FORM_DEPTH:
        raise ValueError("forms nested too deep")
    streams = [] if contents is None else contents.get_object()
    if not isinstance(streams, ArrayObject | list):
        streams = [streams]
    drawn = b"".join(stream.get_object().get_data() for stream in streams)
    if len(drawn) > MAX_CONTENT_BYTES or b"Do" not in drawn:
        return len(drawn)
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    largest = 0
    for ref in (xobjects.get_object().values() if xobjects is not None else []):
        form = ref.get_object()
        if form.get("/Subtype") != "/Form":
            continue
        key = ref.idnum if isinstance(ref, IndirectObject) else id(form)
        if key not in sizes:
            sizes[key] = _drawn_bytes(form, form.get("/Resources"), sizes, depth + 1)
        largest = max(largest, sizes[key])
    return len(drawn) + drawn.count(b"Do") * largest


def _probes(data: bytes, ocr_dpi: int) -> list[PageProbe] | str:
    """Each page probed (hr.doc_pages) in a throwaway pdfium copy, or why it cannot be read."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        return f"not a readable PDF ({error})"
    try:
        return [_probe(document, number, ocr_dpi) for number in range(len(document))]
    except PageTooLarge as error:
        return str(error)
    except pypdfium2.PdfiumError as error:
        return f"a page cannot be read ({error})"
    finally:
        document.close()


def _probe(document: Any, number: int, ocr_dpi: int) -> PageProbe:
    page = document[number]
    try:
        return probe_page(page, ocr_dpi)
    except PageTooLarge as error:
        raise PageTooLarge(f"page {number + 1}: {error}") from None
    finally:
        page.close()


def _ocr_page(data: bytes, number: int, language: str, dpi: int, timeout_s: float) -> PageText | str:
    """Render one page under the pixel cap and OCR it, or say why it cannot be."""
    import pypdfium2
    from PIL import Image

    # Deliberate: nothing this module decodes may exceed the render cap (Pillow's own
    # default, 89 MP, warns first and refuses only at twice that).
    Image.MAX_IMAGE_PIXELS = MAX_RENDER_PIXELS
    try:
        document = pypdfium2.PdfDocument(data)
        try:
            page = document[number]
            width, height = page.get_size()
            page_dpi = render_dpi(width, height, dpi)
            image = page.render(scale=page_dpi / 72, grayscale=True).to_pil()
            page.close()
        finally:
            document.close()
        return ocr_image(image, language=language, dpi=page_dpi, timeout_s=timeout_s)
    except pypdfium2.PdfiumError as error:
        return f"it cannot be rendered ({error})"
    except (PageTooLarge, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        return str(error)
