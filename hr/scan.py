"""Simulated scans: a page layout rasterised with Pillow, skewed, speckled, image-only PDF."""

from __future__ import annotations

import io
import random
from datetime import datetime
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from hr.fonts import FontFamily, font_file
from hr.layout import A4_HEIGHT_PT, A4_WIDTH_PT, Page

__all__ = ["degrade", "images_to_pdf", "page_size_px", "rasterise"]

_JPEG_QUALITY = 60  # scanner-like size; OCR reads it as well as at 75
_FreeTypeFont = ImageFont.FreeTypeFont | ImageFont.ImageFont


def page_size_px(dpi: int) -> tuple[int, int]:
    """The pixel size of an A4 page at `dpi`."""
    return round(A4_WIDTH_PT * dpi / 72), round(A4_HEIGHT_PT * dpi / 72)


def rasterise(page: Page, family: FontFamily, dpi: int) -> Image.Image:
    """Draw the page's text runs black on white, grayscale."""
    image = Image.new("L", page_size_px(dpi), 255)
    draw = ImageDraw.Draw(image)
    scale = dpi / 72
    for run in page:
        font = _font(family, run.bold, round(run.size * scale))
        draw.text((run.x * scale, run.baseline * scale), run.text, fill=0, font=font, anchor="ls")
    return image


def degrade(image: Image.Image, rng: random.Random, skew_deg: float, noise: float) -> Image.Image:
    """Rotate by up to `skew_deg` either way and speckle a `noise` fraction of pixels."""
    angle = rng.uniform(-skew_deg, skew_deg)
    rotated = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return _speckle(rotated, rng, noise)


def images_to_pdf(images: list[Image.Image], dpi: int, created: datetime) -> bytes:
    """An image-only PDF (no text layer), one page per image at `dpi`."""
    buffer = io.BytesIO()
    first, *rest = images
    first.save(
        buffer,
        "PDF",
        resolution=dpi,
        quality=_JPEG_QUALITY,
        save_all=True,
        append_images=rest,
        creationDate=created.timetuple(),
        modDate=created.timetuple(),
    )
    return buffer.getvalue()


def _speckle(image: Image.Image, rng: random.Random, noise: float) -> Image.Image:
    """Half the speckles dark, half light; uses `rng` so a seed gives the same scan."""
    if noise <= 0:
        return image
    threshold = round(noise * 128)
    random_bytes = Image.frombytes("L", image.size, rng.randbytes(image.width * image.height))
    dark = random_bytes.point(lambda v: 255 if v < threshold else 0)
    light = random_bytes.point(lambda v: 255 if v >= 256 - threshold else 0)
    image.paste(90, mask=dark)
    image.paste(235, mask=light)
    return image


@cache
def _font(family: FontFamily, bold: bool, size_px: int) -> _FreeTypeFont:
    path = font_file(family, bold=bold)
    if path is None:
        return ImageFont.load_default(size=size_px)
    return ImageFont.truetype(str(path), size_px)
