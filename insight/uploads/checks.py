"""Checks an upload passes before any parser sees it: limits on the work a file asks for, not only its size.

A few kilobytes can declare a sheet of 17 billion cells, thousands of overlapping merged ranges, a CSV header
of a million repeated names or one endless line. Each is refused here, with a message saying what and the limit.
"""

from __future__ import annotations

import re
import zipfile

import numpy as np

MAX_COLUMNS = 1000
MAX_CELLS = 30_000_000  # rows x columns of a sheet's used range, and of all its merged ranges together
MAX_MERGED_RANGES = 10_000
MAX_DUPLICATE_NAMES = 100
MAX_LINE_BYTES = 1 << 20
# XLSX is a zip of XML: refuse members that would inflate past these before anything parses them.
MAX_UNCOMPRESSED_MB = 1000
MAX_RATIO = 100  # deflate of a normal sheet stays well under this; zip bombs are in the thousands
RATIO_FLOOR_BYTES = 1_000_000  # small members (styles, themes) may compress very well; ignore them
MAX_MEMBERS = 10_000
CHUNK = 1 << 20
XML_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
REQUIRED_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
# A1-style references in sheet XML: a cell's r="XFD1048576", a dimension or a merged range's ref="A1:B2".
CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
ROW_REF = re.compile(rb'<row\b[^>]*?\br="([0-9]{1,7})"')
RANGE_REF = re.compile(rb'<(dimension|mergeCell)\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')


class UploadError(ValueError):
    """An upload we refuse; the message says why, in words for the user (sheets: a workbook's sheet names)."""

    def __init__(self, message: str, *, sheets: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.sheets = sheets


def column_number(letters: bytes) -> int:
    """1 for A, 26 for Z, 27 for AA, 16384 for XFD."""
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


# --- XLSX ------------------------------------------------------------------------------------------


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs, XML with DTDs (entity bombs) and archives that are not workbooks, inflating in chunks."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UploadError(f"The workbook has {len(members):,} parts; this is not a normal spreadsheet.")
    names = {member.filename for member in members}
    if missing := [part for part in REQUIRED_PARTS if part not in names]:
        raise UploadError(
            f"This is a zip archive but not an Excel workbook (.xlsx): it has no {missing[0]}. "
            "Save the sheet as .xlsx or CSV."
        )
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED_MB * 1024 * 1024:
        raise UploadError(
            f"The workbook would unpack to {declared / 1024**2:,.0f} MB (limit {MAX_UNCOMPRESSED_MB} MB)."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise UploadError(f"The workbook is compressed {ratio:,.0f} times over (a 'zip bomb'); it was refused.")
        if member.filename.endswith((".xml", ".rels")):
            scan_for_dtd(archive, member)


def scan_for_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Refuse a member declaring a document type or entities (the only way to define an entity bomb)."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            if any(marker in window for marker in XML_DTD_MARKERS):
                raise UploadError("The workbook contains an XML document type declaration (a possible XML bomb).")
            tail = chunk[-16:]


def check_sheet_parts(archive: zipfile.ZipFile, parts: dict[str, str]) -> None:
    """Refuse a workbook naming a sheet whose part is missing from the archive."""
    names = set(archive.namelist())
    for sheet, part in parts.items():
        if part not in names:
            raise UploadError(f"The workbook lists a sheet {sheet!r} but the file holds no part {part!r} for it.")


def check_sheet_extent(archive: zipfile.ZipFile, part: str) -> None:
    """Refuse a sheet whose declared or used range, columns or merged ranges are beyond the limits.

    Streams the sheet's XML once, reading only cell, row, dimension and merged-range references.
    """
    extent = {"rows": 0, "columns": 0, "merged": 0, "merged_cells": 0}
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            window = tail + chunk
            cut = max(window.rfind(b">") + 1, len(window) - 256)  # keep a possibly cut tag for the next window
            _add_cells(window[:cut], extent)
            _add_ranges(window[:cut], extent)
            _refuse_extent(**extent)
            tail = window[cut:]


def _add_cells(xml: bytes, extent: dict[str, int]) -> None:
    for letters, row in CELL_REF.findall(xml):
        extent["rows"], extent["columns"] = (
            max(extent["rows"], int(row)),
            max(extent["columns"], column_number(letters)),
        )
    extent["rows"] = max([extent["rows"], *(int(row) for row in ROW_REF.findall(xml))])


def _add_ranges(xml: bytes, extent: dict[str, int]) -> None:
    for kind, first_col, first_row, last_col, last_row in RANGE_REF.findall(xml):
        bottom, right = int(last_row or first_row), column_number(last_col or first_col)
        cells = max(bottom - int(first_row) + 1, 1) * max(right - column_number(first_col) + 1, 1)
        if kind == b"dimension":
            _refuse_declared(first_col + first_row + (b":" + last_col + last_row if last_col else b""), bottom, right)
        else:
            extent["merged"], extent["merged_cells"] = extent["merged"] + 1, extent["merged_cells"] + cells
        extent["rows"], extent["columns"] = max(extent["rows"], bottom), max(extent["columns"], right)


def _refuse_declared(ref: bytes, rows: int, columns: int) -> None:
    if columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise UploadError(
            f"The sheet declares its used range as {ref.decode()}: {rows:,} rows by {columns:,} columns "
            f"({rows * columns:,} cells); at most {MAX_CELLS:,} cells in {MAX_COLUMNS:,} columns can be read. "
            "Delete the empty rows and columns below and right of the data and save again, or export it as CSV."
        )


def _refuse_extent(*, rows: int, columns: int, merged: int, merged_cells: int) -> None:
    if columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
        raise UploadError(
            f"The sheet has cells as far as row {rows:,} and column {columns:,} ({rows * columns:,} cells); at most "
            f"{MAX_CELLS:,} cells in {MAX_COLUMNS:,} columns can be read. Delete the cells far from the data and "
            "save again, or export it as CSV."
        )
    if merged > MAX_MERGED_RANGES or merged_cells > MAX_CELLS:
        raise UploadError(
            f"The sheet has {merged:,} merged cell ranges covering {merged_cells:,} cells; at most "
            f"{MAX_MERGED_RANGES:,} ranges and {MAX_CELLS:,} cells can be filled. Unmerge the cells and save again."
        )


# --- CSV -------------------------------------------------------------------------------------------


def check_lines(data: bytes) -> None:
    """Refuse text with a line longer than MAX_LINE_BYTES (the parsers' worst case: one line never finishes)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero((codes == 10) | (codes == 13))  # LF, CRLF or a lone CR ends a line
    bounds = np.concatenate(([-1], newlines, [len(data)]))
    longest = int(np.diff(bounds).max()) - 1
    if longest > MAX_LINE_BYTES:
        raise UploadError(
            f"A line of the file is {longest / 2**20:,.1f} MB long; the limit is {MAX_LINE_BYTES >> 20} MB per line. "
            "Is this really a CSV file?"
        )


def check_header(names: list[str]) -> None:
    """Refuse a header with too many columns or too many repeated names (the parser's quadratic case)."""
    if len(names) > MAX_COLUMNS:
        raise UploadError(f"The file has {len(names):,} columns; at most {MAX_COLUMNS:,} can be read.")
    repeats = len(names) - len(set(names))
    if repeats > MAX_DUPLICATE_NAMES:
        raise UploadError(
            f"The header repeats column names {repeats:,} times; at most {MAX_DUPLICATE_NAMES} repeats are accepted."
        )
