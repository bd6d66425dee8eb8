"""The bot's letters: "Bekræftelse af din opsigelse" and "Meddelelse om fratrædelse"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from hr.formatting import format_date_long
from hr.pdf import Letter

SENDER = "Københavns Kommune\nKoncernservice, Løn & Personale"
CONTACT = (
    "Har du spørgsmål, er du velkommen til at kontakte Løn & Personale på telefon 33 66 33 66 "
    "(hverdage kl. 9–15) eller på lonogpersonale@kk.dk. Oplys dit ansættelsesnummer."
)
SIGNATURE = "Med venlig hilsen\n\nLøn & Personale\nKoncernservice, Københavns Kommune"
RESIGNATION_SUBJECT = "Bekræftelse af din opsigelse"
HOURLY_SUBJECT = "Meddelelse om fratrædelse"

_BASIS_TEXT = {
    "notice": "Datoen følger af dit opsigelsesvarsel, som løber til udgangen af en måned.",
    "probation": "Da du er i prøvetid, gælder prøvetidens varsel.",
    "requested": "Datoen er den fratrædelsesdato, du selv har ønsket.",
    "agreed": "Datoen er tidligere end dit opsigelsesvarsel, som aftalt med din leder.",
}


def resignation_letter(
    employment: Mapping[str, Any], *, received: date, last_day: date, basis: str, as_of: date, reference: str
) -> Letter:
    """The confirmation a monthly-paid employee gets when their resignation is registered."""
    return Letter(
        sender=SENDER,
        recipient_name=employment["name"],
        recipient_address=employment.get("address"),
        date=as_of,
        subject=RESIGNATION_SUBJECT,
        paragraphs=[
            f"Kære {employment['name']}",
            f"Vi bekræfter, at vi den {format_date_long(received)} har modtaget din opsigelse af din "
            f"stilling som {employment['position']} ved {employment['unit']}.",
            f"Din sidste ansættelsesdag er den {format_date_long(last_day)}. {_BASIS_TEXT[basis]}",
            "Dine feriepenge og en eventuel ikke afholdt 6. ferieuge bliver afregnet sammen med "
            "din sidste løn.",
            "Husk at aflevere nøgler, adgangskort, computer og andet udstyr, som tilhører "
            "arbejdspladsen, til din leder senest på din sidste arbejdsdag.",
        ],
        facts=_facts(
            employment,
            [
                ("Opsigelse modtaget", format_date_long(received)),
                ("Sidste ansættelsesdag", format_date_long(last_day)),
            ],
        ),
        contact=CONTACT,
        signature=SIGNATURE,
        reference=reference,
    )


def hourly_letter(employment: Mapping[str, Any], *, last_day: date, as_of: date, reference: str) -> Letter:
    """The notice an hourly-paid employee gets when the employment is ended for lack of work."""
    return Letter(
        sender=SENDER,
        recipient_name=employment["name"],
        recipient_address=employment.get("address"),
        date=as_of,
        subject=HOURLY_SUBJECT,
        paragraphs=[
            f"Kære {employment['name']}",
            f"Din ansættelse som timelønnet {employment['position']} ved {employment['unit']} er "
            f"ophørt med den {format_date_long(last_day)} som sidste ansættelsesdag.",
            "Ansættelsen er ophørt, fordi der ikke er registreret arbejde for dig siden denne dag.",
            "Hvis du har arbejdet efter denne dag, eller hvis du mener, at der er sket en fejl, "
            "så kontakt os hurtigst muligt.",
        ],
        facts=_facts(employment, [("Sidste ansættelsesdag", format_date_long(last_day))]),
        contact=CONTACT,
        signature=SIGNATURE,
        reference=reference,
    )


def _facts(employment: Mapping[str, Any], more: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [
        ("Navn", employment["name"]),
        ("Ansættelsesnummer", employment["employment_id"]),
        ("Stilling", employment["position"]),
        ("Arbejdssted", employment["unit"]),
        *more,
    ]
