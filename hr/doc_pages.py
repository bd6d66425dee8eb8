"""What a PDF page shows a person, before anything is trusted: its size, pictures and visible text.

    probe = probe_page(page)          # a pypdfium2 page; the page is changed, so use a copy
    probe.needs_ocr(min_text_chars)   # the text layer alone may not be believed

A character of the text layer is *visible* when drawing it changes what the page looks
like: the page is rendered once as it is and once with every text object switched to
render mode 3, and a character counts only if enough pixels inside its box differ.
That one test covers every way of hiding text from a person (render mode 3 or 7, white
or page-coloured fill, a clip, a box outside the page, an image or a white rectangle
painted over it, a soft mask, transparency, an optional-content layer switched off)
without modelling PDF graphics state. A page carrying a picture over most of it, or
non-text ink beyond a hairline (a scan, text drawn as outlines, an annotation), shows a
person more than its text layer says and is OCR'd too.

Bounds come first and cost nothing: the page's size (in points) and each embedded
image's size (in pixels, from its dictionary) are checked before anything is decoded,
so a 435-byte PDF cannot make pdfium allocate gigabytes. Not counted: images inside
tiling patterns, soft masks and Type 3 glyphs (pdfium does not list them as page objects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_CHARS",
    "MAX_IMAGE_BYTES",
    "MAX_RENDER_PIXELS",
    "MIN_OCR_DPI",
    "PageProbe",
    "PageTooLarge",
    "probe_page",
    "render_dpi",
]

# OCR renders at most this many pixels a page: A4 at 600 dpi (34.8 MP) is scaled to ~510
# dpi; the render, prepare_scan's copies and tesseract stay well under 500 MB.
MAX_RENDER_PIXELS = 25_000_000
# Below this a page's 11 pt text is under 15 px high and OCR no longer reads it; a page
# that needs a lower dpi to fit MAX_RENDER_PIXELS (over ~26 A4 pages in area) is refused.
MIN_OCR_DPI = 100
# pdfium decodes an embedded image whole (a 20,000 x 20,000 px grey image: 400 MB) however
# small it is drawn, and holds about two copies while rendering, so a page whose images
# would decode to more is refused before rendering: 128 MP grey, 32 MP colour (A4 at 300 dpi is
# 8.7 MP). Measured worst case allowed, a 128 MP grey image on a page at the render cap:
# 393 MB for the whole decision.
MAX_IMAGE_BYTES = 128_000_000

# A certificate page holds some 500 characters; each is checked one by one.
MAX_CHARS = 20_000

_PROBE_DPI = 100
_PROBE_PIXELS = 4_000_000
_CHANGED_LEVEL = 64  # a pixel whose grey level moves by a quarter of the range was drawn on
_VISIBLE_SHARE = 0.05  # of a glyph's box; ordinary glyphs change 12 % or more at 100 dpi
_IMAGE_COVERAGE = 0.5  # "an image covering most of the page"
_NON_TEXT_INK = 0.0005  # of the page: more than a hairline rule (0.5 x 450 pt is 0.045 %)


class PageTooLarge(ValueError):
    """Raised by `probe_page` for a page or an embedded image past the bounds above."""


@dataclass(frozen=True)
class PageProbe:
    """One page as a person sees it; `text` is the whole text layer, visible or not."""

    text: str
    visible_chars: int
    invisible_chars: int
    image_coverage: float
    non_text_ink: float

    def needs_ocr(self, min_text_chars: int) -> bool:
        """Whether the page must be read from its picture: too little visible text, hidden
        text, a picture over most of it, or drawings a person could read."""
        return (self.visible_chars < min_text_chars or self.invisible_chars > 0
                or self.image_coverage >= _IMAGE_COVERAGE or self.non_text_ink >= _NON_TEXT_INK)


def render_dpi(width_pt: float, height_pt: float, dpi: int) -> int:
    """The dpi a page is OCR'd at: `dpi`, lowered so the render stays under MAX_RENDER_PIXELS.

    Raises PageTooLarge when even MIN_OCR_DPI would not fit.
    """
    area = max(width_pt, 1.0) * max(height_pt, 1.0)
    fitting = math.floor(72 * math.sqrt(MAX_RENDER_PIXELS / area))
    if fitting < MIN_OCR_DPI:
        raise PageTooLarge(f"the page is too large to read ({width_pt:.0f} x {height_pt:.0f} pt)")
    return min(dpi, fitting)


def probe_page(page: Any, ocr_dpi: int) -> PageProbe:
    """Probe one pypdfium2 page (its text objects are left switched off: use a throwaway copy).

    Raises PageTooLarge for a page too large to OCR or an image too large to decode.
    """
    import pypdfium2.raw as pdfium_c

    page.set_rotation(0)  # char boxes and the render then share one frame
    left, bottom, right, top = page.get_cropbox()
    render_dpi(right - left, top - bottom, ocr_dpi)
    texts, coverage, image_bytes = [], 0.0, 0
    for obj in page.get_objects():
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            image_bytes += _decoded_bytes(obj)
            coverage += _coverage(obj, (left, bottom, right, top))
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
            texts.append(obj)
    if image_bytes > MAX_IMAGE_BYTES:
        raise PageTooLarge(f"its images are too large to decode ({image_bytes // 1_000_000} MB)")
    textpage = page.get_textpage()
    if textpage.count_chars() > MAX_CHARS:
        raise PageTooLarge(f"it has more text than a certificate ({textpage.count_chars()} characters)")
    text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
    non_blank = sum(1 for char in text if not char.isspace())
    if coverage >= _IMAGE_COVERAGE or non_blank == 0:
        # read from its picture anyway: rendering twice to sort its characters buys nothing
        return PageProbe(text, 0, non_blank, min(coverage, 1.0), 0.0)
    visible, invisible, ink = _visibility(page, textpage, texts, (left, bottom, right, top))
    return PageProbe(text, visible, invisible, min(coverage, 1.0), ink)


def _decoded_bytes(image: Any) -> int:
    """What pdfium will hold for an image, from its dictionary: nothing is decoded here."""
    width, height = image.get_px_size()
    # a grey or 1-bit image takes a byte a pixel, a colour one four
    per_pixel = 1 if image.get_metadata().bits_per_pixel <= 8 else 4
    return int(width) * int(height) * per_pixel


def _coverage(image: Any, box: tuple[float, float, float, float]) -> float:
    """The share of the page an image covers."""
    left, bottom, right, top = box
    x0, y0, x1, y1 = image.get_bounds()
    overlap = max(0.0, min(x1, right) - max(x0, left)) * max(0.0, min(y1, top) - max(y0, bottom))
    return overlap / max((right - left) * (top - bottom), 1.0)


def _visibility(page: Any, textpage: Any, texts: list[Any],
                box: tuple[float, float, float, float]) -> tuple[int, int, float]:
    """(visible, invisible) non-blank characters, and the share of the page inked by non-text."""
    import pypdfium2.raw as pdfium_c
    from PIL import ImageChops

    left, bottom, right, top = box
    scale = min(_PROBE_DPI / 72, math.sqrt(_PROBE_PIXELS / max((right - left) * (top - bottom), 1.0)))
    shown = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    for obj in texts:
        pdfium_c.FPDFTextObj_SetTextRenderMode(obj.raw, pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
    bare = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    changed = ImageChops.difference(shown, bare).point(lambda v: 255 if v >= _CHANGED_LEVEL else 0)
    ink = bare.point(lambda v: 255 if v < 128 else 0).histogram()[255] / max(1, bare.width * bare.height)
    visible = invisible = 0
    for index in range(textpage.count_chars()):
        if chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index)).isspace():
            continue
        x0, y0, x1, y1 = textpage.get_charbox(index)
        pixels = (math.floor((x0 - left) * scale) - 1, math.floor((top - y1) * scale) - 1,
                  math.ceil((x1 - left) * scale) + 1, math.ceil((top - y0) * scale) + 1)
        if _drawn(changed, pixels):
            visible += 1
        else:
            invisible += 1
    return visible, invisible, ink


def _drawn(changed: Any, pixels: tuple[int, int, int, int]) -> bool:
    """Whether enough pixels inside a character's box (clamped to the page) changed."""
    x0, y0 = max(0, pixels[0]), max(0, pixels[1])
    x1, y1 = min(changed.width, pixels[2]), min(changed.height, pixels[3])
    if x1 <= x0 or y1 <= y0:
        return False  # outside the page
    count = changed.crop((x0, y0, x1, y1)).histogram()[255]
    return count >= max(1, _VISIBLE_SHARE * (pixels[2] - pixels[0]) * (pixels[3] - pixels[1]))
