"""Read an uploaded CSV, XLSX or 360Giving JSON file, in memory, into a frame of text columns.

Anything we cannot read safely is refused with an UploadError whose message is shown to the user.
Nothing is written to disk and no cell value is ever logged.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import orjson
import pandas as pd
import pyarrow
import python_calamine
from defusedxml import ElementTree

from insight import config
from insight.uploads import checks as upload_checks
from insight.uploads.checks import UploadError as UploadError  # re-exported: callers catch it from here

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>[^<]*</f>)\s*(<v\s*/>|<v>[^<]*</v>)?")
SAVED_VALUE = re.compile(rb"<v>[^<]+</v>")
HEADER_SCAN_ROWS = 20
CALAMINE_ERRORS = (python_calamine.CalamineError, python_calamine.XmlError, python_calamine.ZipError)

# 360Giving standard column titles for the fields this page uses (flattened from the JSON schema).
GRANT_FIELDS = {
    "Identifier": ("id",),
    "Title": ("title",),
    "Amount Awarded": ("amountAwarded",),
    "Currency": ("currency",),
    "Award Date": ("awardDate",),
    "Recipient Org:Identifier": ("recipientOrganization", 0, "id"),
    "Recipient Org:Name": ("recipientOrganization", 0, "name"),
    "Recipient Org:Postal Code": ("recipientOrganization", 0, "postalCode"),
    "Recipient Org:Location:0:Geographic Code": ("recipientOrganization", 0, "location", 0, "geoCode"),
    "Beneficiary Location:0:Geographic Code": ("beneficiaryLocation", 0, "geoCode"),
    "Funding Org:Name": ("fundingOrganization", 0, "name"),
}


@dataclass(frozen=True)
class Upload:
    """A file read into text columns, with what was done to it."""

    frame: pd.DataFrame
    kind: str
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    notes: tuple[str, ...] = ()


def upload_limit_mb() -> int:
    """The largest upload accepted, in MB (VCS_INSIGHT_UPLOAD_MB)."""
    return int(config.setting("VCS_INSIGHT_UPLOAD_MB"))


def parse_upload(data: bytes, *, name: str, sheet: str | None = None, limit_mb: int | None = None) -> Upload:
    """Parse an uploaded file held in memory, in this process (the app calls upload_sandbox.read_upload instead).

    Args:
        data: the file's bytes.
        name: the file name as uploaded (its extension picks the reader).
        sheet: for a workbook, the sheet to read (default: the first).
        limit_mb: size limit in MB (default: VCS_INSIGHT_UPLOAD_MB).

    Returns:
        Upload with every column as text.

    Raises:
        UploadError: the file is too large, empty, unsafe or unreadable.
    """
    limit = upload_limit_mb() if limit_mb is None else limit_mb
    if len(data) > limit * 1024 * 1024:
        raise UploadError(f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is {limit} MB.")
    if not data.strip():
        raise UploadError("The file is empty.")
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in ("xlsx", "xlsm") or data.startswith(b"PK\x03\x04"):
        upload = read_xlsx(data, sheet=sheet)
    elif suffix in ("xls", "ods"):
        raise UploadError(f"'.{suffix}' files are not supported: save the sheet as .xlsx or CSV.")
    elif suffix == "json" or data.lstrip()[:1] in (b"{", b"["):
        upload = read_360giving_json(data)
    else:
        upload = read_csv(data)
    return _finish(upload)


def _finish(upload: Upload) -> Upload:
    frame = upload.frame
    frame.columns = _unique_names([str(c).strip() for c in frame.columns])
    if len(frame.columns) and len(frame):
        frame = frame[(frame != "").any(axis=1)].reset_index(drop=True)
    if frame.empty:
        raise UploadError("The file has column names but no rows of data.")
    return Upload(frame=frame, kind=upload.kind, sheets=upload.sheets, sheet=upload.sheet, notes=upload.notes)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for index, raw in enumerate(names):
        label = "" if re.fullmatch(r"Unnamed: \d+", raw) else raw  # pandas' name for a blank header cell
        label = label or f"column {index + 1}"
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


# --- CSV -------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode text bytes: BOMs first, then UTF-8, then Windows-1252, then Latin-1; returns (text, encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", "UTF-8 with BOM"), "UTF-8 with BOM"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", "UTF-16"), "UTF-16"
    head = data[:4096]
    if b"\x00" in head:
        if head.count(b"\x00") * 3 < len(head):
            raise UploadError("This does not look like a text file (it contains binary data).")
        codec = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return _strict(data, codec, "UTF-16"), "UTF-16 (no BOM)"
    for codec, label in (("utf-8", "UTF-8"), ("cp1252", "Windows-1252")):
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "Latin-1"


def _strict(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise UploadError(f"The file says it is {label} but byte {error.start} is not valid {label}.") from error


def sniff_delimiter(text: str) -> str:
    """The delimiter (comma, semicolon, tab, pipe) giving the most columns consistently over the first lines."""
    lines = [line for line in text[:65536].splitlines()[:50] if line.strip()]
    if len(lines) > 1 and len(text) > 65536:
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_width = ",", 1
    for delimiter in DELIMITERS:
        widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        if len(widths) == 1 and (width := widths.pop()) > best_width:
            best, best_width = delimiter, width
    return best


def parse_delimited(utf8: bytes, text: str, *, delimiter: str) -> pd.DataFrame:
    """Text columns from delimited text: Arrow's fast multi-threaded reader, else pandas' (quoted newlines, errors).

    Raises:
        UploadError: the text is not consistently delimited.
    """
    options = {"sep": delimiter, "dtype": str, "keep_default_na": False}
    try:
        return pd.read_csv(io.BytesIO(utf8), engine="pyarrow", **options)
    except (pd.errors.ParserError, ValueError, pyarrow.ArrowInvalid):
        pass  # e.g. line breaks inside quoted cells or duplicate names: the C parser handles them or says where
    try:
        return pd.read_csv(io.StringIO(text), engine="c", na_filter=False, **options)
    except pd.errors.ParserError as error:
        raise UploadError(
            f"The file could not be read as {DELIMITER_NAMES[delimiter]}-separated text: {error}"
        ) from error
    except pd.errors.EmptyDataError as error:
        raise UploadError("The file is empty.") from error


def read_csv(data: bytes) -> Upload:
    """Read delimited text of any common encoding into text columns."""
    upload_checks.check_lines(data)
    text, encoding = decode_text(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise UploadError("The file is empty.")
    delimiter = sniff_delimiter(text)
    upload_checks.check_header(
        next(csv.reader(text[: upload_checks.MAX_LINE_BYTES * 2].splitlines()[:1], delimiter=delimiter), [])
    )
    utf8 = {"UTF-8": data, "UTF-8 with BOM": data[3:]}.get(encoding)  # no copy when the bytes are UTF-8 already
    frame = parse_delimited(text.encode("utf-8") if utf8 is None else utf8, text, delimiter=delimiter)
    del text
    notes = (f"Read as {encoding} text, {DELIMITER_NAMES[delimiter]}-separated, {len(frame.columns)} columns.",)
    return Upload(frame=frame, kind="csv", notes=notes)


# --- 360Giving JSON --------------------------------------------------------------------------------


def read_360giving_json(data: bytes) -> Upload:
    """Flatten a 360Giving JSON package ({"grants": [...]}) to the standard CSV column titles."""
    try:
        package = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise UploadError(f"The file is not valid JSON ({error}).") from error
    grants = package.get("grants") if isinstance(package, dict) else None
    if not isinstance(grants, list):
        raise UploadError("This JSON file is not a 360Giving grants file: it has no 'grants' list.")
    rows = [{title: _dig(grant, path) for title, path in GRANT_FIELDS.items()} for grant in grants]
    frame = pd.DataFrame(rows, columns=list(GRANT_FIELDS), dtype=str).fillna("")
    return Upload(frame=frame, kind="360giving-json", notes=(f"Read {len(frame):,} grants from 360Giving JSON.",))


def _dig(value: object, path: tuple) -> str:
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    return "" if value is None or isinstance(value, dict | list) else str(value)


# --- XLSX ------------------------------------------------------------------------------------------


def read_xlsx(data: bytes, *, sheet: str | None = None) -> Upload:
    """Read one sheet of an .xlsx workbook: saved formula results, merged cells filled, header row found."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        upload_checks.check_archive(archive)
        parts = sheet_parts(archive)
        upload_checks.check_sheet_parts(archive, parts)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, *CALAMINE_ERRORS, ValueError, KeyError) as error:
        if isinstance(error, UploadError):
            raise
        raise UploadError(f"The workbook could not be opened: {reader_problem(error)}.") from error
    names = tuple(book.sheet_names)
    chosen = sheet or (names[0] if names else "")
    try:
        if chosen not in names:
            raise UploadError(f"The workbook has no sheet called {chosen!r}.")
        if chosen in parts:
            upload_checks.check_sheet_extent(archive, parts[chosen])
        notes = [_formula_note(archive.read(parts[chosen])) if chosen in parts else ""]
        rows, merged = _fill_merged(book.get_sheet_by_name(chosen))
        frame, skipped = _to_frame(rows)
    except (*CALAMINE_ERRORS, zlib.error, zipfile.BadZipFile) as error:
        raise UploadError(f"Sheet {chosen!r} could not be read: {reader_problem(error)}.", sheets=names) from error
    except UploadError as error:
        raise UploadError(f"Sheet {chosen!r}: {error}", sheets=names) from error
    notes += [
        f"{merged} merged cell range(s): each value was repeated in every cell it covers." if merged else "",
        f"Skipped {skipped} title row(s) above the column names." if skipped else "",
        f"Sheet {chosen!r} of {len(names)}." if len(names) > 1 else "",
    ]
    return Upload(frame=frame, kind="xlsx", sheets=names, sheet=chosen, notes=tuple(n for n in notes if n))


def reader_problem(error: BaseException) -> str:
    """What the workbook reader found wrong, in a few words: broken XML, a missing part, a damaged archive."""
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    kind = {
        "XmlError": "a part of it is not well-formed XML",
        "ParseError": "a part of it is not well-formed XML",
        "KeyError": "a part it refers to is missing",
        "ZipError": "the archive is damaged",
        "BadZipFile": "the archive is damaged",
        "error": "the archive is damaged",
    }.get(type(error).__name__, "it is not a workbook this page can read")
    return f"{kind} ({type(error).__name__}{': ' + detail if detail else ''})"


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member path, from workbook.xml and its relationships."""
    namespace = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    rel_id = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.findall("r:Relationship", namespace)}
    parts = {}
    for element in book.findall("m:sheets/m:sheet", namespace):
        target = targets.get(element.get(rel_id), "")
        parts[element.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _formula_note(sheet_xml: bytes) -> str:
    if b"<f" not in sheet_xml:
        return ""
    results = [match.group(1) for match in FORMULA.finditer(sheet_xml)]
    missing = sum(1 for value in results if value is None or not SAVED_VALUE.fullmatch(value))
    if missing:
        raise UploadError(
            f"{missing:,} formula cell(s) in this sheet have no saved result (the file was made by a program "
            "that does not calculate formulas). Open it in Excel or LibreOffice and save it, or export it as CSV."
        )
    return f"{len(results):,} formula cell(s): their saved results were used; formulas are never run."


# A worksheet cell as python-calamine gives it.
Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def _fill_merged(grid: python_calamine.CalamineSheet) -> tuple[list[list[Cell]], int]:
    rows = grid.to_python(skip_empty_area=False)
    ranges = grid.merged_cell_ranges or []
    for (top, left), (bottom, right) in ranges:
        value = rows[top][left] if top < len(rows) and left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                rows[r][c] = value
    return rows, len(ranges)


def _to_frame(rows: Sequence[Sequence[object]]) -> tuple[pd.DataFrame, int]:
    """Header = first row at least half as full (and 2 cells) as the fullest of the first rows; values as text."""
    if not rows:
        raise UploadError("The sheet is empty.")
    filled = [sum(1 for v in row if v not in ("", None)) for row in rows[:HEADER_SCAN_ROWS]]
    if not max(filled):
        raise UploadError("The sheet is empty.")
    needed = max(min(2, max(filled)), (max(filled) + 1) // 2)
    header_at = next(i for i, n in enumerate(filled) if n >= needed)
    header = [_text(v) for v in rows[header_at]]
    body = rows[header_at + 1 :]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame = frame.apply(lambda column: column.map(_text)).astype(str) if len(frame) else frame.astype(str)
    return frame, header_at


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
