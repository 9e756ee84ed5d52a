"""A child target that runs the workbook reader with no checks first: what upload_checks exists to prevent."""

from __future__ import annotations

import io
from multiprocessing.connection import Connection

import python_calamine

from insight.uploads.sandbox import limit_child


def read_unchecked(sender: Connection, data: bytes, _name: str, _sheet: str | None, _limit_mb: int) -> None:
    """Open the first sheet straight away (a huge declared dimension makes the reader abort the process)."""
    limit_child()
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python(skip_empty_area=False)
    sender.send_bytes(b'{"refused": "read %d rows"}' % len(rows))
