"""Reading a batch case's spreadsheet into raw rows (cells are checked by `rules.read_rows`)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from .rules import COLUMNS, BatchFileInvalid


def read_sheet(data: bytes) -> list[dict[str, Any]]:
    """The first sheet's rows under the expected headings, numbered from 1 below the heading.

    Blank rows are left out. A file that is no workbook, or a heading that is missing,
    raises BatchFileInvalid (`row` None, `column` the missing heading).
    """
    rows = _sheet_rows(data)
    headings = [str(cell).strip() if cell is not None else "" for cell in (rows[0] if rows else ())]
    for heading in COLUMNS.values():
        if heading not in headings:
            raise BatchFileInvalid(None, heading, f"regnearket mangler kolonnen »{heading}«")
    where = {field: headings.index(heading) for field, heading in COLUMNS.items()}
    return [
        {"row": number, **{field: _cell(cells, i) for field, i in where.items()}}
        for number, cells in enumerate(rows[1:], start=1)
        if any(cell not in (None, "") for cell in cells)
    ]


def _sheet_rows(data: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook  # only batch cases need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            return list(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError, OSError, ValueError):
        raise BatchFileInvalid(None, None, "filen kan ikke åbnes som et regneark (.xlsx)") from None


def _cell(cells: tuple[Any, ...], index: int) -> Any:
    value = cells[index] if index < len(cells) else None
    return value.strip() if isinstance(value, str) else value
