"""Upload readers: every bad input gets a clear UploadError; encodings, delimiters, XLSX quirks and bombs."""

from __future__ import annotations

import codecs
import io
import json
import zipfile

import openpyxl
import pytest

from insight.uploads.readers import UploadError, decode_text, sniff_delimiter
from insight.uploads.sandbox import read_upload

HEADER = "Post Code,Service,Visits\n"
ROW = "ZZ1 1AA,Café advice,3\n"


def workbook_bytes(build) -> bytes:
    book = openpyxl.Workbook()
    build(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of an xlsx with some members replaced or added (deflated)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def simple_sheet(book: openpyxl.Workbook) -> None:
    sheet = book.active
    sheet.title = "Records"
    sheet.append(["Post Code", "Visits"])
    sheet.append(["ZZ1 1AA", 3])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\n ", "The file is empty."),
        (HEADER.encode(), "column names but no rows"),
        (b"Post Code,Service\n,\n,\n", "column names but no rows"),
        (b"\x00\x01\x02\x03binary\x00\x00garbage\xff" * 10, "not look like a text file"),
        (b'{"not": "grants"}', "not a 360Giving grants file"),
        (b"{broken json", "not valid JSON"),
    ],
)
def test_bad_csv_and_json_are_refused_clearly(data, message):
    with pytest.raises(UploadError, match=message):
        read_upload(data, name="upload.csv" if not data.startswith(b"{") else "upload.json")


def test_over_the_size_limit_is_refused_with_the_limit_stated():
    data = (HEADER + ROW * 60_000).encode()  # about 1.7 MB
    with pytest.raises(UploadError, match=r"The file is 1\.\d MB; the limit is 1 MB\."):
        read_upload(data, name="big.csv", limit_mb=1)


def test_size_limit_defaults_to_the_setting(monkeypatch):
    monkeypatch.setenv("VCS_INSIGHT_UPLOAD_MB", "1")
    with pytest.raises(UploadError, match="the limit is 1 MB"):
        read_upload((HEADER + ROW * 60_000).encode(), name="big.csv")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ((HEADER + ROW).encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + (HEADER + ROW).encode("utf-8"), "UTF-8 with BOM"),
        ((HEADER + ROW).encode("utf-16"), "UTF-16"),
        ((HEADER + ROW).encode("utf-16-le"), "UTF-16 (no BOM)"),
        ((HEADER + ROW).encode("cp1252"), "Windows-1252"),
        ((HEADER + ROW.replace("é", "é\x81")).encode("latin-1"), "Latin-1"),
    ],
)
def test_encodings_are_read_and_named(data, encoding):
    upload = read_upload(data, name="records.csv")
    assert upload.frame.columns.tolist() == ["Post Code", "Service", "Visits"]
    assert upload.frame.loc[0, "Service"].startswith("Café")
    assert upload.notes[0].startswith(f"Read as {encoding} text")


def test_invalid_bytes_after_a_bom_are_refused():
    with pytest.raises(UploadError, match="says it is UTF-8 with BOM"):
        decode_text(codecs.BOM_UTF8 + b"Post Code\n\xff\xfe\xfa\n")


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
def test_delimiters_are_sniffed(delimiter, name):
    text = f"Post Code{delimiter}Amount{delimiter}Notes\nZZ1 1AA{delimiter}1,5{delimiter}x\nZZ1 1AB{delimiter}2{delimiter}y\n"
    if delimiter == ",":
        text = text.replace("1,5", "15")
    assert sniff_delimiter(text) == delimiter
    upload = read_upload(text.encode(), name="records.txt")
    assert upload.frame.shape == (2, 3)
    assert f"{name}-separated" in upload.notes[0]


def test_wrong_delimiter_gives_one_column_not_a_crash():
    upload = read_upload(b"Post Code:Visits\nZZ1 1AA:3\n", name="records.csv")
    assert upload.frame.columns.tolist() == ["Post Code:Visits"]


def test_line_breaks_inside_quoted_cells_are_kept():
    upload = read_upload(b'Post Code,Notes\nZZ1 1AA,"first line\nsecond line"\nZZ1 1AB,plain\n', name="notes.csv")
    assert upload.frame["Notes"].tolist() == ["first line\nsecond line", "plain"]


def test_duplicate_and_blank_column_names_are_made_unique():
    upload = read_upload(b"Postcode,Postcode,\nZZ1 1AA,ZZ1 1AB,x\n", name="dupes.csv")
    assert upload.frame.columns.tolist() == ["Postcode", "Postcode.1", "column 3"]


def test_ragged_rows_are_refused_with_the_line():
    with pytest.raises(UploadError, match="Expected 2 fields in line 3, saw 3"):
        read_upload(b"a,b\n1,2\n1,2,3\n", name="ragged.csv")


def test_360giving_json_is_flattened_to_standard_columns():
    grant = {
        "id": "360G-INVENTED-1",
        "amountAwarded": 5000,
        "awardDate": "2024-01-31",
        "recipientOrganization": [
            {"name": "Invented Trust", "postalCode": "ZZ1 1AA", "location": [{"geoCode": "E06999001"}]}
        ],
        "fundingOrganization": [{"name": "Invented Funder"}],
    }
    upload = read_upload(json.dumps({"grants": [grant, {"id": "360G-INVENTED-2"}]}).encode(), name="grants.json")
    row = upload.frame.iloc[0]
    assert (row["Recipient Org:Postal Code"], row["Amount Awarded"], row["Funding Org:Name"]) == (
        "ZZ1 1AA",
        "5000",
        "Invented Funder",
    )
    assert row["Recipient Org:Location:0:Geographic Code"] == "E06999001"
    assert upload.frame.iloc[1]["Recipient Org:Postal Code"] == ""
    assert upload.kind == "360giving-json"


def test_360giving_csv_keeps_standard_titles():
    data = (
        b"Identifier,Amount Awarded,Award Date,Recipient Org:Postal Code,Funding Org:Name\nX,100,2024-01-01,ZZ1 1AA,F\n"
    )
    assert read_upload(data, name="grants.csv").frame.columns[3] == "Recipient Org:Postal Code"


def test_xlsx_several_sheets_pick_one():
    def build(book):
        simple_sheet(book)
        other = book.create_sheet("Grants")
        other.append(["LSOA code", "Amount"])
        other.append(["E01999001", 10])
        other.append(["E01999002", 20])

    data = workbook_bytes(build)
    first = read_upload(data, name="book.xlsx")
    assert first.sheets == ("Records", "Grants") and first.sheet == "Records"
    second = read_upload(data, name="book.xlsx", sheet="Grants")
    assert second.frame["LSOA code"].tolist() == ["E01999001", "E01999002"]
    with pytest.raises(UploadError, match="no sheet called 'Nope'"):
        read_upload(data, name="book.xlsx", sheet="Nope")


def test_xlsx_merged_cells_are_filled_and_title_rows_skipped():
    def build(book):
        sheet = book.active
        sheet.append(["Invented service records"])
        sheet.append([])
        sheet.append(["Post Code", "Visits"])
        sheet.append(["ZZ1 1AA", 1])
        sheet.append([None, 2])
        sheet.merge_cells("A4:A5")

    upload = read_upload(workbook_bytes(build), name="book.xlsx")
    assert upload.frame["Post Code"].tolist() == ["ZZ1 1AA", "ZZ1 1AA"]
    assert upload.frame["Visits"].tolist() == ["1", "2"]
    assert any("1 merged cell range" in n for n in upload.notes)
    assert any("Skipped 2 title row" in n for n in upload.notes)


def test_xlsx_formula_without_saved_result_is_refused():
    def build(book):
        simple_sheet(book)
        book.active.append(["ZZ1 1AB", "=B2*2"])

    with pytest.raises(UploadError, match="1 formula cell\\(s\\) in this sheet have no saved result"):
        read_upload(workbook_bytes(build), name="book.xlsx")


def test_xlsx_formula_with_saved_result_uses_the_result():
    def build(book):
        simple_sheet(book)
        book.active.append(["ZZ1 1AB", "=B2*2"])

    data = workbook_bytes(build)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    saved = sheet_xml.replace(b"<f>B2*2</f><v />", b"<f>B2*2</f><v>6</v>")
    upload = read_upload(rezip(data, replace={"xl/worksheets/sheet1.xml": saved}), name="book.xlsx")
    assert upload.frame["Visits"].tolist() == ["3", "6"]
    assert any("saved results were used" in n for n in upload.notes)


def test_zip_bomb_xlsx_is_refused():
    bomb = rezip(workbook_bytes(simple_sheet), add={"xl/media/padding.xml": b" " * 50_000_000})
    assert len(bomb) < 200_000
    with pytest.raises(UploadError, match="zip bomb"):
        read_upload(bomb, name="book.xlsx")


def test_xml_entity_bomb_xlsx_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
    )
    bomb = rezip(workbook_bytes(simple_sheet), add={"xl/sharedStrings.xml": laughs})
    with pytest.raises(UploadError, match="XML bomb"):
        read_upload(bomb, name="book.xlsx")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04 not really a zip", "book.xlsx", "could not be opened"),
        (b"\xd0\xcf\x11\xe0 old excel", "book.xls", "save the sheet as .xlsx or CSV"),
    ],
)
def test_broken_or_old_workbooks_are_refused(data, name, message):
    with pytest.raises(UploadError, match=message):
        read_upload(data, name=name)


def test_empty_sheet_is_refused():
    with pytest.raises(UploadError, match="sheet is empty"):
        read_upload(workbook_bytes(lambda book: None), name="book.xlsx")
