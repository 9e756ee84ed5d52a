"""Writing small invented workbooks in a publisher's layout (openpyxl), for the reader tests."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook


def write_xlsx(path: Path, sheets: dict[str, list[list]], *, notes_first: bool = False) -> Path:
    """A workbook with these sheets (name → rows) in order; with notes_first, an empty Notes sheet before them,
    as in the published IoD files."""
    book = Workbook()
    if notes_first:
        book.active.title = "Notes"
    else:
        book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path
