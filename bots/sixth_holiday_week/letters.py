"""The letter "Udbetaling af 6. ferieuge" (Danish; the employment id, never a CPR number)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

from hr.calendar import Period
from hr.formatting import format_date_long, format_hours, format_kr, format_month
from hr.pdf import Letter, render_letter

SUBJECT = "Udbetaling af 6. ferieuge"
SENDER = "Københavns Kommune\nKoncernservice · Løn & Personale"
SIGNATURE = "Med venlig hilsen\nLøn & Personale, Koncernservice"
CONTACT = ("Har du spørgsmål til udbetalingen, er du velkommen til at kontakte Løn & Personale "
           "via Serviceportalen. Oplys dit ansættelsesnummer.")
REASONS = {"request": "Din anmodning om udbetaling", "termination": "Fratrædelse"}

Reason = Literal["request", "termination"]


def payout_letter(
    employment: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    *,
    amount: float,
    period: str,
    reason: Reason,
    as_of: date,
    reference: str | None = None,
) -> Letter:
    """The letter for one payout: a line per earning year, the total and the payout month."""
    month = format_month(Period.parse(period))
    years = ", ".join(str(line["earning_year"]) for line in lines)
    hours = sum(float(line["hours"]) for line in lines)
    return Letter(
        sender=SENDER,
        recipient_name=str(employment["name"]),
        recipient_address=employment.get("address"),
        date=as_of,
        subject=SUBJECT,
        paragraphs=[_opening(employment, reason, month), *(_line_text(line) for line in lines)],
        facts=[
            ("Navn", str(employment["name"])),
            ("Ansættelsesnummer", str(employment["employment_id"])),
            ("Optjeningsår", years),
            ("Timer", format_hours(hours)),
            ("Værdi pr. time", format_kr(lines[0]["hourly_value"])),
            ("Beløb i alt", format_kr(amount)),
            ("Udbetales med lønnen for", month),
            ("Årsag", REASONS[reason]),
        ],
        contact=CONTACT,
        signature=SIGNATURE,
        reference=reference,
    )


def render(letter: Letter) -> bytes:
    """The letter as a PDF (deterministic bytes)."""
    return render_letter(letter)


def _opening(employment: Mapping[str, Any], reason: Reason, month: str) -> str:
    if reason == "request":
        return ("Du har bedt om at få udbetalt timer fra din 6. ferieuge (særlige feriedage). "
                f"Udbetalingen er registreret og kommer med lønnen for {month}.")
    end = employment.get("end_date")
    ending = f" den {format_date_long(date.fromisoformat(str(end)))}" if end else ""
    return (f"Da din ansættelse ophører{ending}, udbetaler vi dine ubrugte timer fra den 6. "
            f"ferieuge (særlige feriedage) sammen med din sidste løn for {month}.")


def _line_text(line: Mapping[str, Any]) -> str:
    return (f"Optjeningsår {line['earning_year']}: {format_hours(line['hours'])} timer "
            f"á {format_kr(line['hourly_value'])} = {format_kr(line['amount'])}")
