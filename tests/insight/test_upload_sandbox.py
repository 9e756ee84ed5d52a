"""Uploaded bytes become a frame or a clear refusal, in a limited child process: issue 19's files and fuzzing.

Hypothesis (tests/fuzz.py profiles), CI example counts: CSV byte mutations 20, JSON byte mutations 12, XLSX
archive byte mutations 12, XLSX sheet-XML mutations 24, fixed seed. Every example goes through the child process.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insight.uploads import checks as upload_checks
from insight.uploads.checks import UploadError
from insight.uploads.sandbox import read_upload, run_child
from tests.fuzz import examples
from tests.insight import hostile_uploads as hostile
from tests.insight.unchecked_reader import read_unchecked

# (id, bytes, file name, fragment of the message)
ISSUE_FILES = [
    ("huge_dimension", hostile.huge_dimension(), "book.xlsx", "A1:XFD1048576: 1,048,576 rows by 16,384 columns"),
    ("far_cell", hostile.far_cell(), "book.xlsx", "cells as far as row 1,048,576 and column 16,384"),
    ("repeated_merges", hostile.many_merges(), "book.xlsx", "20,000 merged cell ranges"),
    ("undeclared_entity", hostile.undeclared_entity(), "book.xlsx", "not well-formed XML (XmlError"),
    ("broken_sheet_xml", hostile.broken_xml(), "book.xlsx", "not well-formed XML (XmlError"),
    ("missing_sheet_part", hostile.missing_sheet_part(), "book.xlsx", "holds no part 'xl/worksheets/sheet1.xml'"),
    ("zip_named_csv", hostile.zip_named_csv(), "records.csv", "a zip archive but not an Excel workbook"),
    ("duplicate_header", hostile.duplicate_header(), "records.csv", "20,000 columns; at most 1,000"),
    ("repeated_names", hostile.duplicate_header(500), "records.csv", "repeats column names 499 times"),
    ("long_line", hostile.long_line(), "records.csv", "50.0 MB long; the limit is 1 MB per line"),
]
CSV = b"Post Code,Service,Visits\nZZ1 1AA,Advice,3\nZZ1 1AB,Food,1\n"
GRANTS = json.dumps(
    {"grants": [{"id": "360G-INVENTED-1", "amountAwarded": 500, "recipientOrganization": [{"postalCode": "ZZ1 1AA"}]}]}
).encode()


@pytest.mark.parametrize(("data", "name", "fragment"), [c[1:] for c in ISSUE_FILES], ids=[c[0] for c in ISSUE_FILES])
def test_issue_files_are_refused_clearly(data: bytes, name: str, fragment: str) -> None:
    with pytest.raises(UploadError) as refused:
        read_upload(data, name=name)
    assert fragment in str(refused.value)
    assert len(data) < 60 << 20


def test_a_reader_that_aborts_ends_its_child_only() -> None:
    """Without the checks the Rust reader aborts the process on a 512 GB allocation: only the child dies."""
    with pytest.raises(UploadError, match="the reader stopped while parsing it"):
        run_child(hostile.far_cell(), name="book.xlsx", sheet=None, limit_mb=10, target=read_unchecked)
    assert read_upload(hostile.workbook(), name="book.xlsx").frame["Post Code"].tolist() == ["ZZ1 1AA"]


def test_valid_files_still_read() -> None:
    assert read_upload(CSV, name="records.csv").frame["Visits"].tolist() == ["3", "1"]
    assert read_upload(GRANTS, name="grants.json").frame["Recipient Org:Postal Code"].tolist() == ["ZZ1 1AA"]
    assert read_upload(hostile.many_merges(50), name="book.xlsx").notes[0].startswith("50 merged cell range")


def test_limits_are_on_work_not_only_size() -> None:
    assert upload_checks.MAX_CELLS <= 50_000_000 and upload_checks.MAX_LINE_BYTES <= 1 << 20


def mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, bytes removed, bytes inserted) edits at positions taken modulo the length."""
    for position, removed, inserted in edits:
        at = position % (len(data) + 1)
        data = data[:at] + inserted + data[at + removed :]
    return data


EDITS = st.lists(
    st.tuples(st.integers(0, 1 << 20), st.integers(0, 8), st.binary(max_size=8) | st.sampled_from([b"\x00", b"\n"])),
    min_size=1,
    max_size=6,
)
XML_EDITS = st.lists(
    st.tuples(
        st.integers(0, 1 << 20),
        st.integers(0, 8),
        st.sampled_from([b'r="XFD1048576"', b'ref="A1:XFD1048576"', b"&x;", b"<", b'"', b'<mergeCell ref="A1:C9"/>'])
        | st.binary(max_size=8),
    ),
    min_size=1,
    max_size=4,
)


def read_or_refused(data: bytes, name: str) -> None:
    """The property: a frame of text columns, or UploadError with a sentence; never anything else."""
    try:
        upload = read_upload(data, name=name)
    except UploadError as refused:
        assert str(refused).strip() and "Traceback" not in str(refused)
        return
    assert len(upload.frame.columns) <= upload_checks.MAX_COLUMNS
    assert all(isinstance(c, str) for c in upload.frame.columns)


@examples(ci=20)
@given(EDITS)
def test_fuzz_csv_mutations(edits: list[tuple[int, int, bytes]]) -> None:
    read_or_refused(mutate(CSV, edits), "records.csv")


@examples(ci=12)
@given(EDITS)
def test_fuzz_json_mutations(edits: list[tuple[int, int, bytes]]) -> None:
    read_or_refused(mutate(GRANTS, edits), "grants.json")


@examples(ci=12)
@given(EDITS)
def test_fuzz_xlsx_archive_mutations(edits: list[tuple[int, int, bytes]]) -> None:
    read_or_refused(mutate(hostile.workbook(), edits), "book.xlsx")


@examples(ci=24)
@given(XML_EDITS)
def test_fuzz_xlsx_sheet_xml_mutations(edits: list[tuple[int, int, bytes]]) -> None:
    book = hostile.workbook()
    xml = mutate(hostile.sheet_xml(book), edits)
    read_or_refused(hostile.rezip(book, replace={hostile.SHEET: xml}), "book.xlsx")
