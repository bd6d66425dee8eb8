"""Hostile PDFs through the real `rpa decide document_journaling`, each in a child process.

Each must end within 30 s and under 500 MB (the child's peak RSS, tesseract included),
never clean, with the code a person can act on, and without a traceback.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
import pytest

from bots.document_journaling.tests.corpus import AS_OF, EMPLOYMENTS, RECEIVED, RECORDS, Case
from hr.certificates import render_certificate_pdf
from hr.documents import read_pdf

pytestmark = pytest.mark.ocr

A4 = (595.2756, 841.8898)
TIME_LIMIT_S, MEMORY_LIMIT_MB = 30, 500
# Runs a command and reports its peak RSS: RUSAGE_CHILDREN is the largest of the waited-for
# descendants (`rpa`, the reading child of its fork server, tesseract). The fork server
# outlives `rpa` by a moment; as subreaper the wrapper inherits and waits for it, and with
# it for the children it reaped.
_MEASURED = """
import ctypes, json, os, resource, subprocess, sys, time
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
started = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.monotonic() - started
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
print(json.dumps({"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                  "seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


@dataclass(frozen=True)
class Hostile:
    name: str
    code: str
    reason: str | None = None  # what read_pdf's error says; None: read, then decided


HOSTILE = [
    Hostile("invisible_clean_layer_over_records", "DOC_LAYERS_DISAGREE"),
    Hostile("white_clean_layer_over_records", "DOC_LAYERS_DISAGREE"),
    Hostile("page_14400pt", "DOC_UNPARSEABLE", "the page is too large"),
    Hostile("page_10000pt_with_image", "DOC_UNPARSEABLE", "the page is too large"),
    Hostile("blank_pages_2000", "DOC_TOO_LONG", "2000 pages"),
    Hostile("image_20000px", "DOC_UNPARSEABLE", "images are too large"),
    Hostile("image_10000px", "DOC_UNPARSEABLE"),  # allowed: rendered and OCR'd, a blank page
    Hostile("drawing_50mb", "DOC_UNPARSEABLE", "too much to draw"),
    Hostile("nested_forms", "DOC_UNPARSEABLE", "too much to draw"),
    Hostile("font_1gb", "DOC_UNPARSEABLE", "more memory than allowed"),
    Hostile("truncated", "DOC_UNPARSEABLE", "not a readable PDF"),
    Hostile("encrypted", "DOC_UNPARSEABLE", "encrypted"),
    Hostile("zero_bytes", "DOC_UNPARSEABLE", "not a PDF"),
    Hostile("not_a_pdf", "DOC_UNPARSEABLE", "not a PDF"),
]


def _writer_bytes(writer: pypdf.PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _blank_pages(count: int, width: float, height: float) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=width, height=height)
    return _writer_bytes(writer)


def _image_page(px: int, page: tuple[float, float]) -> bytes:
    """One page showing a px x px 8-bit grey image, compressed row block by row block: the
    image is never held whole here (20,000 px square is 400 MB decoded, 0.4 MB compressed)."""
    compressor, block = zlib.compressobj(9), b"\xff" * px * 64
    stream = b"".join(compressor.compress(block) for _ in range(px // 64))
    stream += compressor.compress(b"\xff" * px * (px % 64)) + compressor.flush()
    width, height = page
    content = f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Im0 Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.4f} {height:.4f}] "
        f"/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>".encode(),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
        % (px, px, len(stream), stream),
    ]
    return _raw_pdf(objects)


def _drawing(megabytes: int) -> bytes:
    """One page of `megabytes` of line segments, Flate-compressed (a few hundred KB)."""
    compressor, block = zlib.compressobj(9), b"0 0 m 1 1 l S\n" * 4096
    stream = b"".join(compressor.compress(block) for _ in range(megabytes * 1_000_000 // len(block)))
    stream += compressor.flush()
    return _raw_pdf([*_one_page(b""), b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
                     % (len(stream), stream)])


def _nested_forms(levels: int = 8) -> bytes:
    """A 16 KB page drawing a form that draws the next ten times, eight deep: 10^10 segments."""
    forms = []
    for level in range(levels):
        number = 5 + level
        inner = level < levels - 1
        body = b"/F Do\n" * 10 if inner else b"0 0 m 1 1 l S\n" * 1000
        resources = b"/Resources << /XObject << /F %d 0 R >> >>" % (number + 1) if inner else b""
        forms.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] %s /Length %d >>\n"
                     b"stream\n%s\nendstream" % (resources, len(body), body))
    page = _one_page(b"/Resources << /XObject << /F 5 0 R >> >>")
    return _raw_pdf([*page, b"<< /Length 6 >>\nstream\n/F Do\n\nendstream", *forms])


def _font_bomb(megabytes: int) -> bytes:
    """A line of text in an embedded TrueType font whose program inflates to `megabytes` of zeros."""
    compressor, block = zlib.compressobj(9), b"\0" * 1_000_000
    font = b"".join(compressor.compress(block) for _ in range(megabytes)) + compressor.flush()
    content = b"BT /F1 12 Tf 72 700 Td (Navn: Jens Hansen) Tj ET"
    return _raw_pdf([
        *_one_page(b"/Resources << /Font << /F1 5 0 R >> >>"),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 32 /LastChar 126 "
        b"/FontDescriptor 6 0 R >>",
        b"<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
        b"/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(font), font),
    ])


def _one_page(resources: bytes) -> list[bytes]:
    """Objects 1-3 of a one-page PDF whose content stream is object 4."""
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] %s /Contents 4 0 R >>" % resources]


def _raw_pdf(objects: list[bytes]) -> bytes:
    """Objects 1..n as a PDF with a correct cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _encrypted() -> bytes:
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(render_certificate_pdf(
        Case("clean", {}, "journal").certificate()))))
    writer.encrypt("hemmelig")
    return _writer_bytes(writer)


def _hidden(how: str) -> bytes:
    scan = {"seed": 21, "dpi": 200, "skew_deg": 1.0, "noise": 0.03}
    return Case(how, {"records": RECORDS}, "exception", scan=scan, hidden={}, how=how).pdf()  # type: ignore[arg-type]


def _pdfs() -> dict[str, bytes]:
    clean = render_certificate_pdf(Case("clean", {}, "journal").certificate())
    return {
        "invisible_clean_layer_over_records": _hidden("invisible"),
        "white_clean_layer_over_records": _hidden("white"),
        "page_14400pt": _blank_pages(1, 14400, 14400),
        "page_10000pt_with_image": _image_page(2000, (10000, 10000)),
        "blank_pages_2000": _blank_pages(2000, *A4),
        "image_20000px": _image_page(20000, A4),
        "image_10000px": _image_page(10000, A4),
        "drawing_50mb": _drawing(50),
        "nested_forms": _nested_forms(),
        "font_1gb": _font_bomb(1000),
        "truncated": clean[: len(clean) // 2],
        "encrypted": _encrypted(),
        "zero_bytes": b"",
        "not_a_pdf": "Kære HR, attesten kommer i næste uge. Mvh Jens".encode(),
    }


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Each hostile PDF, made once."""
    return _pdfs()


@pytest.fixture(scope="module")
def inputs(pdfs: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each hostile PDF written once, with the `rpa decide` input naming it."""
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, pdf in pdfs.items():
        (folder / f"{name}.pdf").write_bytes(pdf)
        case = {"as_of": AS_OF.isoformat(), "employments": EMPLOYMENTS,
                "attest": {"message_id": f"M-{name}", "received_date": RECEIVED.isoformat(),
                           "pdf_path": str(folder / f"{name}.pdf")}}
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(json.dumps(case))
    return paths


def _decide_measured(path: Path) -> dict[str, Any]:
    command = [sys.executable, "-c", _MEASURED, sys.executable, "-m", "runner.cli.main",
               "decide", "document_journaling", "--input", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT_S * 3,
                          cwd=path.parent, check=True)
    measured: dict[str, Any] = json.loads(done.stdout)
    return measured


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda h: h.name)
def test_a_hostile_pdf_ends_fast_small_and_never_clean(hostile: Hostile, inputs: dict[str, Path]) -> None:
    run = _decide_measured(inputs[hostile.name])
    assert "Traceback" not in run["stderr"], run["stderr"][-2000:]
    assert run["returncode"] == 0, run["stderr"][-2000:]
    decision = json.loads(run["stdout"])
    print(f"\n{hostile.name}: {decision['outcome']} {decision['code']} {run['seconds']:.1f} s "
          f"{run['peak_mb']:.0f} MB")
    assert decision["result"] != "clean" and decision["outcome"] == "exception"
    assert decision["code"] == hostile.code
    assert run["seconds"] < TIME_LIMIT_S
    assert run["peak_mb"] < MEMORY_LIMIT_MB


@pytest.mark.parametrize("hostile", [h for h in HOSTILE if h.reason], ids=lambda h: h.name)
def test_a_refused_pdf_is_refused_for_its_reason(hostile: Hostile, pdfs: dict[str, bytes]) -> None:
    document = read_pdf(pdfs[hostile.name])
    assert not document.readable and hostile.reason in (document.error or "")
    assert document.pages == []


def test_the_hostile_files_are_what_they_say(pdfs: dict[str, bytes]) -> None:
    assert set(pdfs) == {hostile.name for hostile in HOSTILE}
    assert len(pypdf.PdfReader(io.BytesIO(pdfs["blank_pages_2000"])).pages) == 2000
    assert pypdf.PdfReader(io.BytesIO(pdfs["page_14400pt"])).pages[0].mediabox.width == 14400
    image = pypdf.PdfReader(io.BytesIO(pdfs["image_20000px"])).pages[0]["/Resources"]["/XObject"]["/Im0"]
    assert (image["/Width"], image["/Height"]) == (20000, 20000)
    assert len(pdfs["page_14400pt"]) < 1000 and len(pdfs["image_20000px"]) < 1_000_000
    assert pdfs["zero_bytes"] == b"" and not pdfs["not_a_pdf"].startswith(b"%PDF")
    assert pdfs["truncated"].startswith(b"%PDF") and b"%%EOF" not in pdfs["truncated"]
