"""360Giving files as publishers publish them, and the Data Registry that lists them all.

Standard column titles (CSV/spreadsheet) and the JSON package's fields map to the few columns the build uses.

The registry feed (https://registry.threesixtygiving.org/data.json, "updated daily") is a JSON array of datasets:
`identifier`, `license`, `publisher` {`name`, `prefix`} and `distribution[0].downloadURL`, the publisher's own
file (mostly XLSX, some CSV, JSON or ODS). 360Giving's datagetter, which builds the Datastore and GrantNav, reads
it the same way: the first distribution's downloadURL, kept only under an open licence (its acceptable_licenses,
below), file type from the bytes. Each file is streamed into a flat CSV of the standard columns used here; a file
that cannot be read is skipped with a one-line reason, never aborting the others.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from python_calamine import CalamineWorkbook

from etl.source import RemoteFile

# Standard CSV column titles → record columns.
STANDARD_CSV = {
    "Identifier": "identifier",
    "Amount Awarded": "amount",
    "Currency": "currency",
    "Award Date": "award_date",
    "Funding Org:Name": "funder",
    "Recipient Org:Name": "recipient_name",
    "Recipient Org:Postal Code": "recipient_postcode",
    "Recipient Org:Location:0:Geographic Code": "recipient_geo_code",
}
REQUIRED = ["Identifier", "Amount Awarded", "Award Date", "Funding Org:Name"]
RECIPIENT_ID = "Recipient Org:Identifier"
FLAT_TITLES = [*STANDARD_CSV, RECIPIENT_ID]
REGISTRY_URL = "https://registry.threesixtygiving.org/data.json"
# ThreeSixtyGiving/datagetter getter/get.py `acceptable_licenses`: what GrantNav and the Datastore accept as open.
OPEN_LICENCES = frozenset(
    {
        "http://www.opendefinition.org/licenses/odc-pddl",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/2/",
        "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "https://creativecommons.org/licenses/by/4.0/",
        "https://creativecommons.org/licenses/by-sa/3.0/",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    }
)
MAX_DATASETS = 5000
HEADER_SEARCH_ROWS = 10
SUFFIXES = (".csv", ".xlsx", ".json", ".ods")


def squash(title: object) -> str:
    """A column title compared as 360Giving's converter does: case and spaces ignored."""
    return re.sub(r"\s+", "", str(title or "")).lower()


def datasets(path: Path) -> list[dict]:
    """The registry's datasets that carry a download URL.

    Raises:
        ValueError: the registry is not a JSON array of dataset objects (its layout changed).
    """
    data = json.loads(path.read_text(encoding="utf-8-sig"))
    if not isinstance(data, list) or not data or len(data) > MAX_DATASETS:
        raise ValueError("the registry is not a non-empty JSON array of datasets")
    return [d for d in data if isinstance(d, dict) and download_url(d)]


def download_url(dataset: dict) -> str:
    """distribution[0].downloadURL, or '' when missing or not http(s)."""
    distribution = dataset.get("distribution") or [{}]
    url = str((distribution[0] if isinstance(distribution[0], dict) else {}).get("downloadURL") or "").strip()
    return url if url.startswith(("https://", "http://")) else ""


def is_open(dataset: dict) -> bool:
    return str(dataset.get("license") or "").strip() in OPEN_LICENCES


def local_name(dataset: dict, url: str) -> str:
    """A safe cache file name: the dataset identifier plus the URL's suffix when it names a known format."""
    identifier = re.sub(r"[^A-Za-z0-9_-]", "_", str(dataset.get("identifier") or "dataset"))[:80]
    suffix = Path(url.split("?")[0]).suffix.lower()
    return identifier + (suffix if suffix in SUFFIXES else "")


def listed_files(path: Path) -> list[RemoteFile]:
    """RemoteFile.expand for the registry: each openly licensed dataset's file, keyed by its URL (once each)."""
    files: dict[str, RemoteFile] = {}
    for dataset in datasets(path):
        url = download_url(dataset)
        if is_open(dataset) and url not in files:
            files[url] = RemoteFile(key=url, url=url, name=local_name(dataset, url))
    return list(files.values())


def not_open(path: Path) -> list[tuple[str, str]]:
    """(url, reason) for each listed dataset whose licence is not one 360Giving accepts as open."""
    found = [(download_url(d), str(d.get("license") or "none")) for d in datasets(path) if not is_open(d)]
    return [(url, f"licence {licence} is not one 360Giving accepts as open") for url, licence in found]


def file_kind(path: Path) -> str:
    """csv, xlsx, ods or json, from the bytes (publishers' URLs and content types are unreliable)."""
    with path.open("rb") as handle:
        head = handle.read(64)
    if head.startswith(b"PK"):
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return "ods"
        return "xlsx"
    return "json" if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else "csv"


def text_encoding(path: Path) -> str:
    """utf-8-sig when the whole file decodes as UTF-8 (checked in blocks), else cp1252 as the datagetter does."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def csv_rows(path: Path) -> Iterator[Sequence[object]]:
    with path.open(encoding=text_encoding(path), errors="replace", newline="") as handle:
        yield from csv.reader(handle)


def workbook_rows(path: Path) -> Iterator[Sequence[object]]:
    """Rows of the first sheet (XLSX or ODS) whose header, in its first rows, has the required titles.

    Read with calamine (Rust; one sheet's cells held at a time): openpyxl's streaming reader took 6.8 s for a
    4,676-row publisher file that calamine reads in 0.25 s, and XLSX is what most publishers publish.
    """
    book = CalamineWorkbook.from_path(str(path))
    try:
        for name in book.sheet_names:
            rows = iter(book.get_sheet_by_name(name).iter_rows())
            head = [list(r) for _, r in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
            if any(has_required(r) for r in head):
                yield from head
                yield from (list(r) for r in rows)
                return
    finally:
        book.close()


def has_required(row: Iterable[object]) -> bool:
    present = {squash(c) for c in row}
    return all(squash(t) in present for t in REQUIRED)


def first(items: object, key: str) -> object:
    """items[0][key] for a 360Giving JSON list-of-objects field, else None."""
    return items[0].get(key) if isinstance(items, list) and items and isinstance(items[0], dict) else None


def json_grant(grant: dict) -> dict:
    """One JSON grant object → the flat standard CSV titles."""
    recipient = (grant.get("recipientOrganization") or [{}])[0]
    return {
        "Identifier": grant.get("id"),
        "Amount Awarded": grant.get("amountAwarded"),
        "Currency": grant.get("currency"),
        "Award Date": grant.get("awardDate"),
        "Funding Org:Name": first(grant.get("fundingOrganization"), "name"),
        "Recipient Org:Name": recipient.get("name"),
        "Recipient Org:Postal Code": recipient.get("postalCode"),
        "Recipient Org:Location:0:Geographic Code": first(recipient.get("location"), "geoCode"),
        RECIPIENT_ID: recipient.get("id"),
    }


def json_rows(path: Path) -> Iterator[dict]:
    """The grants of a 360Giving JSON package (one publisher's file, read whole)."""
    package = json.loads(path.read_text(encoding="utf-8-sig"))
    if not isinstance(package, dict) or not isinstance(package.get("grants"), list):
        raise ValueError('not a 360Giving JSON package (no "grants" list)')
    return (json_grant(g) for g in package["grants"] if isinstance(g, dict))


def text(value: object) -> str:
    """A cell as text: dates in ISO form, None as ''."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def table_rows(rows: Iterable[Sequence[object]]) -> Iterator[dict]:
    """Rows after the header (the first row, within the first few, with the required titles) by standard title.

    Raises:
        ValueError: no header with the required 360Giving titles near the top.
    """
    columns: dict[str, int] | None = None
    for number, row in enumerate(rows):
        if columns is None:
            if has_required(row):
                position = {squash(title): i for i, title in reversed(list(enumerate(row)))}
                columns = {t: position[squash(t)] for t in FLAT_TITLES if squash(t) in position}
            elif number >= HEADER_SEARCH_ROWS:
                break
            continue
        yield {title: row[i] if i < len(row) else None for title, i in columns.items()}
    if columns is None:
        raise ValueError(f"no header with the 360Giving titles {', '.join(REQUIRED)}")


def standard_rows(path: Path) -> Iterator[dict]:
    """Every grant of one publisher's file, whatever its format, as {standard title: value}."""
    kind = file_kind(path)
    if kind == "json":
        return json_rows(path)
    readers: dict[str, Callable[[Path], Iterator[Sequence[object]]]] = {
        "csv": csv_rows,
        "xlsx": workbook_rows,
        "ods": workbook_rows,
    }
    return table_rows(readers[kind](path))


def write_flat(path: Path, out: Path) -> int:
    """Stream one publisher's file into a CSV of FLAT_TITLES (UTF-8); return the number of grants.

    Raises:
        ValueError (and the format readers' errors): the file is not 360Giving data in a known format.
    """
    count = 0
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(FLAT_TITLES)
        for row in standard_rows(path):
            writer.writerow([text(row.get(title)) for title in FLAT_TITLES])
            count += 1
    return count
