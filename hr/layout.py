"""A renderer-neutral page layout: text runs placed in points on an A4 page."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["A4_HEIGHT_PT", "A4_WIDTH_PT", "Page", "TextRun"]

A4_WIDTH_PT = 595.2756
A4_HEIGHT_PT = 841.8898


@dataclass(frozen=True)
class TextRun:
    """One line of text; `x` and `baseline` are points from the page's top-left corner."""

    x: float
    baseline: float
    text: str
    size: float = 11.0
    bold: bool = False


Page = list[TextRun]
