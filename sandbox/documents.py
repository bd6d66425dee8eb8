"""Files the sandbox serves: batch spreadsheets and certificate PDFs."""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

BATCH_HEADERS = ("Medarbejdernr.", "Beløb", "Begrundelse", "Udbetalingsmåned", "Pensionsgivende")
KIND_TITLES = {
    "boerneattest": "BØRNEATTEST",
    "straffeattest_offentlig": "STRAFFEATTEST TIL OFFENTLIG BRUG",
    "straffeattest_privat": "PRIVAT STRAFFEATTEST",
    "samtykke_afvist": "MEDDELELSE OM MANGLENDE SAMTYKKE",
}


def _pensionable_cell(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nej")


def batch_rows_table(rows: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """A batch case's rows as the sheet's cells (without the heading)."""
    return [
        [r["employment_id"], r["amount"], r["reason"], r["payout_period"],
         _pensionable_cell(r.get("pensionable"))]
        for r in rows
    ]


def xlsx(headers: Sequence[str], cells: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook; openpyxl writes it deterministically enough for a download."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Engangsvederlag"
    ws.append(list(headers))
    for row in cells:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_timestamps(buf.getvalue())


_FIXED_TIME = "2024-01-01T00:00:00Z"


def _fixed_timestamps(xlsx_bytes: bytes) -> bytes:
    """The same rows give the same bytes: no save time in the zip or the properties."""
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                                 rb"\g<1>" + _FIXED_TIME.encode(), content)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)),
                         content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def batch_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    return xlsx(BATCH_HEADERS, batch_rows_table(rows))


def plain_pdf(lines: Sequence[str]) -> bytes:
    """A born-digital one-page PDF with the given lines (for odd mail)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    y = A4[1] - 72
    for line in lines:
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, y, line)
        y -= 18
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _variation(seed: int | None, message_id: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}|{message_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def certificate_pdf(seed: int | None, mail: Mapping[str, Any]) -> bytes:
    """Render an Attestpostkasse message's certificate, varied per message."""
    from hr.certificates import Certificate, render_certificate_pdf, render_certificate_scan

    rng = _variation(seed, mail["message_id"])
    scanned = mail.get("format") == "scanned"
    records = list(mail.get("records") or []) if mail.get("result") == "entries" else []
    received = date.fromisoformat(mail["received_date"])
    cert = Certificate(
        kind=mail["kind"],
        issued=date.fromordinal(received.toordinal() - rng.randint(1, 4)),
        order_id=mail.get("order_id") or "",
        name=mail["name"],
        cpr=mail["cpr"],
        records=records,
        cpr_label=rng.choice(["CPR-nr.", "CPR-nr.", "CPR-nummer", "Personnummer"]),
        cpr_with_hyphen=rng.random() < 0.7,
        long_dates=rng.random() < 0.7,
        upper_title=rng.random() < 0.8,
        font=rng.choice(["sans", "serif"]),
        pages=mail.get("pages") or (2 if scanned and rng.random() < 0.3 else 1),
    )
    if scanned:
        return render_certificate_scan(cert, rng, dpi=rng.choice([200, 300]),
                                       skew_deg=rng.uniform(-1.2, 1.2), noise=0.03)
    return render_certificate_pdf(cert)


def pdf_text(pdf: bytes) -> str:
    """The text layer of a PDF ('' when it has none or cannot be read)."""
    from hr.pdf import extract_text

    try:
        return extract_text(pdf).strip()
    except Exception:  # a letter that is not a readable PDF keeps no text
        return ""
