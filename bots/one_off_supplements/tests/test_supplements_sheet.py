"""Reading the batch spreadsheet: headings, cells, broken files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from bots.one_off_supplements import rules
from bots.one_off_supplements.sheet import read_sheet

HEADINGS = ["Medarbejdernr.", "Beløb", "Begrundelse", "Udbetalingsmåned", "Pensionsgivende"]


def xlsx(headings: list[str], *rows: list[Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_rows_are_read_and_numbered_below_the_heading():
    data = xlsx(HEADINGS, ["E1", 2000, "Særlig indsats", "2024-12", "ja"],
                [None, None, None, None, None],
                ["E2", "1.500,50", " Projekt ", "2024-12", ""])
    rows = read_sheet(data)
    assert [r["row"] for r in rows] == [1, 3]
    lines = rules.read_rows(rows)
    assert [(line.employment_id, line.amount, line.reason, line.pensionable) for line in lines] == [
        ("E1", 2000, "Særlig indsats", True), ("E2", rules.Decimal("1500.50"), "Projekt", None)]


def test_columns_in_another_order_are_found_by_heading():
    order = [4, 2, 0, 3, 1]
    data = xlsx([HEADINGS[i] for i in order],
                [["E1", 2000, "x", "2024-12", "nej"][i] for i in order])
    line = rules.read_rows(read_sheet(data))[0]
    assert (line.employment_id, line.amount, line.pensionable) == ("E1", 2000, False)


def test_a_missing_column_is_named():
    data = xlsx(["Medarbejdernr.", "Belob", "Begrundelse", "Udbetalingsmåned", "Pensionsgivende"],
                ["E1", 2000, "x", "2024-12", "ja"])
    with pytest.raises(rules.BatchFileInvalid) as bad:
        read_sheet(data)
    assert (bad.value.row, bad.value.column) == (None, "Beløb")
    assert "Beløb" in bad.value.detail


def test_an_unreadable_cell_names_row_and_heading():
    data = xlsx(HEADINGS, ["E1", 2000, "x", "2024-12", "ja"], ["E2", "fem tusind", "x", "2024-12", "ja"])
    with pytest.raises(rules.BatchFileInvalid) as bad:
        rules.read_rows(read_sheet(data))
    assert (bad.value.row, bad.value.column) == (2, "Beløb")
    assert "række 2" in bad.value.detail and "fem tusind" in bad.value.detail


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04broken zip"])
def test_a_broken_file(data):
    with pytest.raises(rules.BatchFileInvalid) as bad:
        read_sheet(data)
    assert (bad.value.row, bad.value.column) == (None, None)


def test_an_empty_sheet_lacks_every_column():
    with pytest.raises(rules.BatchFileInvalid) as bad:
        read_sheet(xlsx([]))
    assert bad.value.column == "Medarbejdernr."
