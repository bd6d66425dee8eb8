"""A corpus of certificates for the tests: every kind, variant and code, half of them scanned."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hr.certificates import (
    Certificate,
    HiddenLayer,
    render_certificate_pdf,
    render_certificate_scan,
    render_hidden_layer_scan,
)

AS_OF = date(2024, 11, 18)
RECEIVED = date(2024, 11, 14)
JENS = {"employment_id": "E100001", "cpr": "0707614285", "name": "Jens Hansen",
        "unit": "Børnehuset Solsikken",
        "start_date": "2024-12-01", "end_date": None}
EXEMPT = {"employment_id": "E100002", "cpr": "0101651234", "name": "Anne-Mette Østergaard",
          "unit": "Børnehuset Solsikken", "start_date": "2024-12-01", "end_date": None}
SECOND_JOB = {**JENS, "employment_id": "E100003", "start_date": "2020-01-01", "unit": "Fritidsklubben"}
EMPLOYMENTS = [JENS, EXEMPT]
RECORDS = ["Dom 12.03.2019, Københavns Byret: straffelovens § 244, fængsel 30 dage"]


@dataclass(frozen=True)
class Case:
    """One certificate and what the rules must decide for it."""

    name: str
    cert: dict[str, Any]
    outcome: str
    code: str | None = None
    scan: dict[str, Any] | None = None  # render_certificate_scan options; None = born-digital
    employments: list[dict[str, Any]] = field(default_factory=lambda: list(EMPLOYMENTS))
    # render_hidden_layer_scan: the scan of `cert` under this certificate's text, hidden `how`
    hidden: dict[str, Any] | None = None
    how: HiddenLayer = "invisible"

    def certificate(self, changes: dict[str, Any] | None = None) -> Certificate:
        values: dict[str, Any] = dict(kind="boerneattest", issued=date(2024, 11, 12),
                                      order_id="BA-2024-004711", name="Jens Hansen", cpr="070761-4285")
        return Certificate(**(values | (self.cert if changes is None else changes)))

    @property
    def hostile(self) -> bool:
        """A text layer that says clean over a page that shows records."""
        return self.hidden is not None and bool(self.cert.get("records")) and not self.hidden.get("records")

    def pdf(self) -> bytes:
        if self.scan is None:
            return render_certificate_pdf(self.certificate())
        options = dict(self.scan)
        rng = random.Random(options.pop("seed", 1))
        if self.hidden is not None:
            return render_hidden_layer_scan(self.certificate(), self.certificate(self.hidden), rng,
                                            self.how, dpi=options["dpi"])
        return render_certificate_scan(self.certificate(), rng, **options)


def _scan(seed: int, dpi: int = 300, skew: float = 2.0) -> dict[str, Any]:
    return {"seed": seed, "dpi": dpi, "skew_deg": skew, "noise": 0.03}


CASES = [
    Case("clean", {}, "journal"),
    Case("offentlig",
         {"kind": "straffeattest_offentlig", "cpr_label": "CPR-nummer", "cpr_with_hyphen": False},
         "journal"),
    Case("privat", {"kind": "straffeattest_privat", "cpr_label": "Personnummer", "long_dates": False,
                    "upper_title": False, "font": "serif"}, "journal"),
    Case("two_pages", {"pages": 2}, "journal"),
    Case("longer_name", {"name": "Jens Peter Hansen"}, "journal"),
    Case("records", {"records": RECORDS}, "exception", "ATTEST_HAS_ENTRIES"),
    Case("other_name", {"name": "Ole Hansen"}, "exception", "IDENTITY_MISMATCH"),
    Case("consent", {"kind": "samtykke_afvist"}, "notify_consent_refused"),
    Case("substitute", {"cpr": "670761-4285"}, "exception", "CPR_SUBSTITUTE"),
    Case("invalid_date", {"cpr": "320189-1234"}, "exception", "CPR_INVALID_DATE"),
    Case("malformed", {"cpr": "070761-428"}, "exception", "CPR_MALFORMED"),
    Case("manual", {"cpr": "070761-4286"}, "exception", "CPR_CHECK_MANUAL"),
    Case("exempt", {"cpr": "010165-1234", "name": "Anne-Mette Østergaard"}, "journal"),
    Case("not_employed", {"cpr": "150589-4010"}, "exception", "EMPLOYEE_NOT_FOUND"),
    Case("two_jobs", {}, "exception", "MULTIPLE_EMPLOYMENTS", employments=[JENS, SECOND_JOB]),
    # scanned
    Case("scan_clean", {"font": "serif"}, "journal", scan=_scan(1, dpi=200)),
    Case("scan_offentlig", {"kind": "straffeattest_offentlig", "cpr_with_hyphen": False}, "journal",
         scan=_scan(2)),
    Case("scan_privat", {"kind": "straffeattest_privat", "cpr_label": "Personnummer", "long_dates": False,
                         "upper_title": False}, "journal", scan=_scan(3, dpi=200, skew=1.0)),
    Case("scan_records_two_pages", {"records": RECORDS, "pages": 2, "font": "serif"}, "exception",
         "ATTEST_HAS_ENTRIES", scan=_scan(4)),
    Case("scan_records_offentlig", {"kind": "straffeattest_offentlig", "records": RECORDS}, "exception",
         "ATTEST_HAS_ENTRIES", scan=_scan(5, dpi=200)),
    Case("scan_other_name", {"name": "Ole Hansen", "cpr_label": "CPR-nummer"}, "exception",
         "IDENTITY_MISMATCH", scan=_scan(6)),
    Case("scan_consent", {"kind": "samtykke_afvist", "font": "serif"}, "notify_consent_refused",
         scan=_scan(7, dpi=200)),
    Case("scan_exempt", {"cpr": "010165-1234", "name": "Anne-Mette Østergaard"}, "journal", scan=_scan(8)),
    Case("scan_substitute", {"cpr": "670761-4285", "font": "serif"}, "exception", "CPR_SUBSTITUTE",
         scan=_scan(9, dpi=200)),
    # a scanner's searchable PDF: the scan under its own invisible OCR layer
    Case("searchable_clean", {}, "journal", scan=_scan(11, dpi=200), hidden={}),
    Case("searchable_records", {"records": RECORDS}, "exception", "ATTEST_HAS_ENTRIES",
         scan=_scan(12, dpi=200), hidden={"records": RECORDS}),
    # hostile: the clean certificate's text out of sight over a scan that shows records
    *(Case(f"hidden_clean_{how}", {"records": RECORDS}, "exception", "DOC_LAYERS_DISAGREE",
           scan=_scan(13 + i, dpi=200), hidden={}, how=how)
      for i, how in enumerate(("invisible", "white", "clipped", "off_page"))),
    Case("scan_records_privat", {"kind": "straffeattest_privat", "records": RECORDS * 2,
                                 "cpr_label": "Personnummer", "cpr_with_hyphen": False}, "exception",
         "ATTEST_HAS_ENTRIES", scan=_scan(10, dpi=300, skew=1.5)),
]
