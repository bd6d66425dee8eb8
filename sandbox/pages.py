"""The page model: what a system's route hands the one generic template.

Routes describe pages as sections of details, tables, forms and links; the
template renders them with stable markup (labels with ``for``, ``data-testid``,
roles) and the layout variants reorder, restyle or rename it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hr.formatting import format_decimal_da

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def raw(value: Any) -> str:
    """The machine-readable value (``data-value``): ISO dates, dot decimals."""
    if isinstance(value, tuple):  # (machine value, Danish text)
        return raw(value[0])
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def shown(value: Any) -> str:
    """The value as a Danish caseworker sees it."""
    if isinstance(value, tuple):
        return str(value[1])
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float):  # rounded as the machine value is, then written in Danish
        return format_decimal_da(Decimal(f"{value:.2f}"))
    text = str(value)
    if _ISO_DATE.match(text):
        return f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
    return text


@dataclass
class Field:
    name: str
    label: str
    type: str = "text"  # text, number, date, month, textarea, select, file, hidden
    value: Any = ""
    options: Sequence[tuple[str, str]] = ()
    required: bool = False


@dataclass
class Form:
    testid: str
    action: str
    fields: list[Field]
    submit: str
    heading: str | None = None
    multipart: bool = False
    method: str = "post"
    kind: str = "form"


@dataclass
class Pager:
    page: int
    pages: int
    total: int
    base: str  # URL with the query but without page=

    def href(self, page: int) -> str:
        sep = "&" if "?" in self.base else "?"
        return f"{self.base}{sep}page={page}"


@dataclass
class Table:
    testid: str
    columns: list[str]
    rows: list[dict[str, Any]]
    link: str | None = None  # the column whose cell links to row["_href"]
    id_key: str | None = None
    pager: Pager | None = None
    kind: str = "table"


@dataclass
class Details:
    testid: str
    items: list[tuple[str, Any]]
    kind: str = "details"


@dataclass
class Links:
    testid: str
    items: list[tuple[str, str, str]]  # (label key, href, testid)
    kind: str = "links"


@dataclass
class Text:
    testid: str
    text: str
    kind: str = "text"


@dataclass
class Search:
    action: str
    q: str = ""
    filters: list[Field] = field(default_factory=list)
    kind: str = "search"


Block = Form | Table | Details | Links | Text | Search


@dataclass
class Section:
    testid: str
    blocks: list[Block]
    heading: str | None = None


@dataclass
class Page:
    page_id: str
    title: str  # a label key
    sections: list[Section]
    subtitle: str = ""
    errors: list[str] = field(default_factory=list)
    receipt: str | None = None

    @property
    def status_code(self) -> int:
        """422 while the page shows a form's errors, else 200."""
        return 422 if self.errors else 200
