"""Small hostile uploads from issue 19, built in memory from an invented two-row workbook (no real data)."""

from __future__ import annotations

import io
import zipfile

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


def workbook() -> bytes:
    """A valid workbook: Post Code, Visits; one invented record."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Records"
    sheet.append(["Post Code", "Visits"])
    sheet.append(["ZZ1 1AA", 3])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, *, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = ()) -> bytes:
    """A copy of a zip with members replaced or dropped."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in drop:
                target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
    return out.getvalue()


def sheet_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(SHEET)


def edit_sheet(old: bytes, new: bytes) -> bytes:
    """The valid workbook with one replacement made in its sheet XML."""
    data = workbook()
    xml = sheet_xml(data)
    assert old in xml, old
    return rezip(data, replace={SHEET: xml.replace(old, new, 1)})


def huge_dimension() -> bytes:
    """A sheet declaring its used range as the whole grid, A1:XFD1048576 (17 billion cells)."""
    return edit_sheet(b'<dimension ref="A1:B2" />', b'<dimension ref="A1:XFD1048576" />')


def far_cell() -> bytes:
    """One extra cell at the last row and column, XFD1048576."""
    return edit_sheet(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>')


def many_merges(count: int = 20_000) -> bytes:
    """The same merged range repeated `count` times."""
    merges = b'<mergeCells count="%d">' % count + b'<mergeCell ref="A1:Z1000"/>' * count + b"</mergeCells>"
    return edit_sheet(b"</sheetData>", b"</sheetData>" + merges)


def undeclared_entity() -> bytes:
    return edit_sheet(b"<t>Post Code</t>", b"<t>&undeclared;</t>")


def broken_xml() -> bytes:
    return edit_sheet(b"</sheetData>", b"</sheetDat")


def missing_sheet_part() -> bytes:
    return rezip(workbook(), drop=(SHEET,))


def zip_named_csv() -> bytes:
    """A plain zip archive (not a workbook), as uploaded under a .csv name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "invented notes")
    return out.getvalue()


def duplicate_header(columns: int = 20_000) -> bytes:
    return (",".join(["Postcode"] * columns) + "\n" + ",".join(["ZZ1 1AA"] * columns) + "\n").encode()


def long_line(megabytes: int = 50) -> bytes:
    return b"Postcode,Notes\nZZ1 1AA," + b"x" * (megabytes << 20) + b"\n"


def huge_dimension_and_far_cell() -> bytes:
    """Both: the declared range and a cell at XFD1048576 (the reader itself then asks for 512 GB and aborts)."""
    xml = sheet_xml(far_cell()).replace(b'<dimension ref="A1:B2" />', b'<dimension ref="A1:XFD1048576" />')
    return rezip(workbook(), replace={SHEET: xml})
