"""The bot's letter "Engangsvederlag"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from hr.calendar import Period
from hr.formatting import format_kr, format_month
from hr.pdf import Letter

SENDER = "Københavns Kommune\nKoncernservice, Løn & Personale"
CONTACT = (
    "Har du spørgsmål, er du velkommen til at kontakte Løn & Personale på telefon 33 66 33 66 "
    "(hverdage kl. 9–15) eller på lonogpersonale@kk.dk. Oplys dit ansættelsesnummer."
)
SIGNATURE = "Med venlig hilsen\n\nLøn & Personale\nKoncernservice, Københavns Kommune"
SUBJECT = "Engangsvederlag"


def supplement_letter(
    employment: Mapping[str, Any],
    *,
    amount: Decimal | float,
    reason: str,
    period: Period,
    pensionable: bool,
    pension_amount: Decimal | float,
    as_of: date,
    reference: str,
) -> Letter:
    """The written notice of a one-off payment (the 2023 act requires notice of changed pay)."""
    pension = (
        f"Beløbet er pensionsgivende. Der indbetales {format_kr(pension_amount)} i pension af beløbet."
        if pensionable
        else "Beløbet er ikke pensionsgivende."
    )
    return Letter(
        sender=SENDER,
        recipient_name=employment["name"],
        recipient_address=employment.get("address"),
        date=as_of,
        subject=SUBJECT,
        paragraphs=[
            f"Kære {employment['name']}",
            f"Du har fået et engangsvederlag på {format_kr(amount)} i din stilling som "
            f"{employment['position']} ved {employment['unit']}.",
            f"Begrundelse: {reason}",
            f"Beløbet udbetales sammen med din løn for {format_month(period)}.",
            pension,
            "Engangsvederlaget er en engangsudbetaling og ændrer ikke din faste løn. "
            "Beløbet beskattes som løn.",
        ],
        facts=[
            ("Navn", employment["name"]),
            ("Ansættelsesnummer", employment["employment_id"]),
            ("Stilling", employment["position"]),
            ("Arbejdssted", employment["unit"]),
            ("Beløb", format_kr(amount)),
            ("Udbetales med lønnen for", format_month(period)),
            ("Pension", format_kr(pension_amount) if pensionable else "Ikke pensionsgivende"),
        ],
        contact=CONTACT,
        signature=SIGNATURE,
        reference=reference,
    )
