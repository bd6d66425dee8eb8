"""Where the DejaVu fonts are, and their lazy registration with reportlab."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

__all__ = ["FONT_DIRS", "FontFamily", "FontPair", "font_file", "reportlab_fonts"]

FontFamily = Literal["sans", "serif"]

FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian/Ubuntu fonts-dejavu-core
    Path("/usr/share/fonts/dejavu"),  # Fedora, Alpine
    Path("/usr/share/fonts/TTF"),  # Arch
)

_FILES: dict[FontFamily, tuple[str, str]] = {
    "sans": ("DejaVuSans", "DejaVuSans-Bold"),
    "serif": ("DejaVuSerif", "DejaVuSerif-Bold"),
}
# PDF base-14 fonts: WinAnsi covers æøåÆØÅ, so letters stay readable without DejaVu.
_BUILTIN: dict[FontFamily, tuple[str, str]] = {
    "sans": ("Helvetica", "Helvetica-Bold"),
    "serif": ("Times-Roman", "Times-Bold"),
}


@dataclass(frozen=True)
class FontPair:
    """Registered reportlab font names for one family."""

    regular: str
    bold: str


def font_file(family: FontFamily, bold: bool = False) -> Path | None:
    """The DejaVu TTF file of a family, or None when it is not installed."""
    name = _FILES[family][1 if bold else 0] + ".ttf"
    return next((d / name for d in FONT_DIRS if (d / name).is_file()), None)


@cache
def reportlab_fonts(family: FontFamily = "sans") -> FontPair:
    """Register the family's DejaVu fonts once; fall back to the PDF base-14 fonts."""
    regular, bold = font_file(family), font_file(family, bold=True)
    if regular is None or bold is None:
        return FontPair(*_BUILTIN[family])
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = _FILES[family]
    pdfmetrics.registerFont(TTFont(names[0], str(regular)))
    pdfmetrics.registerFont(TTFont(names[1], str(bold)))
    return FontPair(*names)
