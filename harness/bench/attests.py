"""`rpa bench attests`: certificates read and decided by document_journaling's rules.

A seeded corpus (half born-digital, half scanned: skew up to 2°, noise, 200–300 dpi,
two fonts, every kind, clean and with records, mismatched names, exempt and substitute
CPR numbers) is decided and compared with what each certificate really is. Figures:
accuracy on born-digital and on scans, certificates with records decided clean (must
be 0), born-digital decided per minute on one core, scanned pages per minute on two
processes, and seconds per scanned 300-dpi page with our preprocessing beside raw
tesseract on the same page (the reference).

hr and bots are imported inside the functions: importing `runner` loads no bot.
"""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from datetime import date, timedelta
from multiprocessing import get_context
from typing import Any

AS_OF = date(2024, 11, 18)
SEED = 2024
SAMPLE_PAGES = 4  # pages timed with and without preprocessing
_FIRST = ("Jens", "Mette", "Ole", "Anne", "Søren", "Kirsten", "Lars", "Hanne", "Mads", "Birgitte",
          "Anne-Mette", "Jørgen", "Åse", "Niels", "Sofie", "Frederik")
_LAST = ("Hansen", "Nielsen", "Jensen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
         "Rasmussen", "Østergaard", "Kjærgaard-Ågesen", "Holm", "Madsen", "Bæk")
_RECORDS = (
    "Dom 12.03.2019, Københavns Byret: straffelovens § 244, fængsel 30 dage",
    "Dom 02.10.2017, Retten i Glostrup: straffelovens § 276, bøde 3.000 kr.",
    "Dom 21.06.2015, Retten på Frederiksberg: færdselslovens § 53, betinget fængsel 20 dage",
)


@dataclass(frozen=True)
class Sample:
    """One certificate of the corpus, the employment it is for, and what it really is."""

    cert: Any  # hr.certificates.Certificate
    employment: dict[str, Any]
    expected: tuple[str, str | None]
    scan: dict[str, Any] | None
    has_records: bool


def run(items: int = 200) -> dict[str, Any]:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one tesseract thread per process
    samples = corpus(max(items, 2))
    digital = [s for s in samples if s.scan is None]
    scanned = [s for s in samples if s.scan is not None]
    context = get_context("fork")
    with context.Pool(2) as pool:
        scan_pdfs = pool.map(_render, scanned)
        started = time.perf_counter()
        scan_results = pool.map(_decide, [(s, pdf) for s, pdf in zip(scanned, scan_pdfs, strict=True)])
        scan_wall = time.perf_counter() - started
    digital_pdfs = [_render(s) for s in digital]
    started = time.perf_counter()
    digital_results = [_decide((s, pdf)) for s, pdf in zip(digital, digital_pdfs, strict=True)]
    digital_wall = time.perf_counter() - started
    ours, raw = _page_timing([pdf for s, pdf in zip(scanned, scan_pdfs, strict=True)
                              if s.scan and s.scan["dpi"] == 300][:SAMPLE_PAGES])
    scan_pages = sum(pages for _, pages in scan_results)
    results = list(zip(samples_in(digital, scanned), [*digital_results, *scan_results], strict=True))
    figures = {
        "certificates": len(samples),
        "born_digital": len(digital),
        "scanned": len(scanned),
        "scanned_pages": scan_pages,
        "accuracy_born_digital_pct": _accuracy(digital, digital_results),
        "accuracy_scanned_pct": _accuracy(scanned, scan_results),
        "records_decided_clean": sum(1 for s, (d, _) in results if s.has_records and d[1] is None
                                     and d[0] in ("journal", "note")),
        "wrong": [f"{s.expected} -> {d}" for s, (d, _) in results if d != s.expected][:10],
        "born_digital_per_min_1_core": round(len(digital) / digital_wall * 60, 1),
        "scanned_pages_per_min_2_processes": round(scan_pages / scan_wall * 60, 1),
        "s_per_scanned_page_300dpi": round(ours, 3),
    }
    return {"name": "attests", "figures": figures,
            "reference": {"name": "raw tesseract", "figures": {"s_per_scanned_page_300dpi": round(raw, 3)}},
            "ratio": round(ours / raw, 3) if raw else None}


def samples_in(digital: list[Sample], scanned: list[Sample]) -> list[Sample]:
    return [*digital, *scanned]


def corpus(items: int, seed: int = SEED) -> list[Sample]:
    """`items` certificates, every other one scanned, cycling through the variants."""
    rng = random.Random(seed)
    return [_sample(rng, n, scanned=n % 2 == 1) for n in range(items)]


_VARIANTS = ("clean", "clean", "clean", "records", "mismatch", "consent", "exempt", "substitute")


def _sample(rng: random.Random, n: int, *, scanned: bool) -> Sample:
    from hr.certificates import Certificate
    from hr.cpr import generate_cpr, generate_exempt_cpr, generate_substitute_cpr

    variant = _VARIANTS[(n // 2) % len(_VARIANTS)]
    kind = "samtykke_afvist" if variant == "consent" else rng.choice(
        ["boerneattest", "straffeattest_offentlig", "straffeattest_privat"])
    born = date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
    cpr = generate_cpr(rng, born)
    if variant == "exempt":
        cpr = generate_exempt_cpr(rng, date(rng.choice([1965, 1970, 1984, 1990]), 1, 1))
    elif variant == "substitute":
        cpr = generate_substitute_cpr(rng, born)
    name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    printed = name
    if variant == "mismatch":
        words = set(name.replace("-", " ").split())  # "Anne" matches "Anne-Mette": not a mismatch
        others = [f for f in _FIRST if not words & set(f.split("-"))]
        printed = f"{rng.choice(others)} {name.split()[-1]}"
    records = rng.sample(_RECORDS, rng.randint(1, 2)) if variant == "records" else []
    cert = Certificate(
        kind=kind,  # type: ignore[arg-type]  # drawn from the four kinds
        issued=AS_OF - timedelta(days=rng.randint(2, 8)), order_id=f"BA-2024-{n:06d}",
        name=printed, cpr=cpr, records=records,
        cpr_label=rng.choice(["CPR-nr.", "CPR-nr.", "CPR-nummer", "Personnummer"]),
        cpr_with_hyphen=rng.random() < 0.7, long_dates=rng.random() < 0.7, upper_title=rng.random() < 0.8,
        font=rng.choice(["sans", "serif"]), pages=2 if rng.random() < 0.15 else 1,
    )
    employment = {"employment_id": f"E{n:06d}", "cpr": cpr, "name": name, "unit": "Børnehus",
                  "start_date": (AS_OF + timedelta(days=rng.randint(-400, 20))).isoformat(), "end_date": None}
    expected = {"clean": ("journal", None), "exempt": ("journal", None),
                "records": ("exception", "ATTEST_HAS_ENTRIES"),
                "mismatch": ("exception", "IDENTITY_MISMATCH"),
                "consent": ("notify_consent_refused", None),
                "substitute": ("exception", "CPR_SUBSTITUTE")}[variant]
    scan = {"seed": rng.randrange(2**32), "dpi": rng.choice([200, 300]), "skew_deg": rng.uniform(0.3, 2.0),
            "noise": rng.uniform(0.01, 0.04)} if scanned else None
    return Sample(cert, employment, expected, scan, bool(records))


def _render(sample: Sample) -> bytes:
    from hr.certificates import render_certificate_pdf, render_certificate_scan

    if sample.scan is None:
        return render_certificate_pdf(sample.cert)
    options = dict(sample.scan)
    return render_certificate_scan(sample.cert, random.Random(options.pop("seed")), **options)


def _decide(job: tuple[Sample, bytes]) -> tuple[tuple[str, str | None], int]:
    from bots.document_journaling import rules
    from bots.document_journaling.models import EmploymentFacts, Settings

    sample, pdf = job
    settings = Settings()
    document = rules.read_document(pdf, settings)
    employments = [EmploymentFacts.read(sample.employment)]
    decision = rules.decide_certificate(document, employments, received_date=AS_OF,
                                        as_of=AS_OF, settings=settings)
    return (str(decision.outcome), decision.code), len(document.pages)  # plain strings in the report


def _accuracy(samples: list[Sample], results: list[tuple[tuple[str, str | None], int]]) -> float:
    if not samples:
        return 100.0
    right = sum(1 for s, (d, _) in zip(samples, results, strict=True) if d == s.expected)
    return round(100 * right / len(samples), 2)


def _page_timing(pdfs: list[bytes]) -> tuple[float, float]:
    """Seconds per page: render + preprocess + OCR, and render + OCR of the raw render."""
    import pypdfium2

    from hr.documents import ocr_image

    ours = raw = 0.0
    for pdf in pdfs:
        for preprocess in (True, False):
            started = time.perf_counter()
            document = pypdfium2.PdfDocument(pdf)
            image = document[0].render(scale=300 / 72, grayscale=True).to_pil()
            document.close()
            ocr_image(image, preprocess=preprocess)
            elapsed = time.perf_counter() - started
            ours, raw = (ours + elapsed, raw) if preprocess else (ours, raw + elapsed)
    count = max(1, len(pdfs))
    return ours / count, raw / count
