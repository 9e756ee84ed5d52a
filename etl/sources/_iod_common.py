"""Parsing shared by the deprivation sources: headers, numbers with separators, spreadsheets, summaries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
import python_calamine

from etl.source import Distribution, Source, SourceError, require_columns

OGL = "Open Government Licence v3.0"
MHCLG = "Ministry of Housing, Communities and Local Government (MHCLG)"
WELSH_GOVERNMENT = "Welsh Government"


def iod_source(
    source_id: str,
    title: str,
    distributions: tuple[Distribution, ...],
    *,
    vintage: str,
    landing_url: str,
    derive_sql: str = "",
    publisher: str = MHCLG,
    notes: str = "",
) -> Source:
    """A Source under the OGL: an Indices of Deprivation file set (MHCLG's by default, or the Welsh Government's
    WIMD), or another OGL table such as ONS population estimates (etl/sources/population.py)."""
    return Source(
        source_id=source_id,
        title=title,
        publisher=publisher,
        licence=OGL,
        vintage=vintage,
        landing_url=landing_url,
        distributions=distributions,
        derive_sql=derive_sql,
        notes=notes,
    )


LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
AREA_CODE = re.compile(r"^[EW]\d{8}$")
# Canonical domain names (imd_lsoa column prefixes and imd_lad.domain values), matched on the
# start of a published domain title; the longer titles come first so "Income Deprivation
# Affecting Children" is not read as "Income".
DOMAIN_TITLES: tuple[tuple[str, str], ...] = (
    ("income deprivation affecting children", "idaci"),
    ("income deprivation affecting older", "idaopi"),
    ("idaci", "idaci"),
    ("idaopi", "idaopi"),
    ("index of multiple deprivation", "imd"),
    ("imd", "imd"),
    ("income", "income"),
    ("employment", "employment"),
    ("education", "education"),
    ("health", "health"),
    ("crime", "crime"),
    ("barriers", "housing"),
    ("living", "environment"),
)
# Published summary measure titles (after the "<Domain> - " prefix) → imd_lad.measure.
SUMMARY_MEASURES = {
    "average rank": "average_rank",
    "rank of average rank": "rank_of_average_rank",
    "average score": "average_score",
    "rank of average score": "rank_of_average_score",
    "proportion of lsoas in most deprived 10% nationally": "proportion_most_deprived_10",
    "rank of proportion of lsoas in most deprived 10% nationally": "rank_of_proportion_most_deprived_10",
    "extent": "extent",
    "rank of extent": "rank_of_extent",
    "local concentration": "local_concentration",
    "rank of local concentration": "rank_of_local_concentration",
    "scale": "scale",
    "rank of scale": "rank_of_scale",
}
SUMMARY_COLUMNS = ["code", "name", "domain", "measure", "value"]


def normalise_header(text: object) -> str:
    """Collapse whitespace and strip a published header (the workbooks carry trailing spaces)."""
    return " ".join(str(text).split())


def select_columns(frame: pd.DataFrame, spec: Mapping[str, str], *, source_id: str, file_name: str) -> pd.DataFrame:
    """Rename published headers to canonical names and keep only those.

    Args:
        frame: the file as read, headers as published.
        spec: published header (or its unambiguous start, for headers the publisher truncated) → canonical name.
        source_id: source id for the error message.
        file_name: file name for the error message.

    Returns:
        A frame with exactly the canonical columns, in spec order.

    Raises:
        SourceError: an expected header is missing.
    """
    headers = {normalise_header(c): c for c in frame.columns}
    renames = {}
    for expected in spec:
        found = [original for header, original in headers.items() if header.startswith(expected)]
        if len(found) == 1:
            renames[found[0]] = expected
    renamed = frame.rename(columns=renames)
    require_columns(renamed, list(spec), source_id=source_id, file_name=file_name)
    return renamed[list(spec)].rename(columns=dict(spec))


def to_number(series: pd.Series, *, integer: bool, source_id: str, file_name: str) -> pd.Series:
    """Parse published numbers, including text with thousands separators ("29,199"); blanks become NULL."""
    text = series.astype("string").str.replace(",", "", regex=False).str.strip().replace("", pd.NA)
    try:
        values = pd.to_numeric(text, errors="raise")
    except (ValueError, TypeError) as error:
        raise SourceError(source_id, file_name, f"column {series.name!r} is not numeric ({error})") from error
    if not integer:
        return values.astype("Float64")
    if ((values.dropna() % 1) != 0).any():
        raise SourceError(source_id, file_name, f"column {series.name!r} should hold whole numbers")
    return values.astype("Float64").astype("Int64")


def convert_numbers(frame: pd.DataFrame, *, source_id: str, file_name: str) -> pd.DataFrame:
    """Parse every *_rank/*_decile column as integers and every *_score column as decimals."""
    out = frame.copy()
    for column in out.columns:
        if column.endswith(("_rank", "_decile")):
            out[column] = to_number(out[column], integer=True, source_id=source_id, file_name=file_name)
        elif column.endswith("_score"):
            out[column] = to_number(out[column], integer=False, source_id=source_id, file_name=file_name)
    return out


def read_csv(path: Path, *, source_id: str) -> pd.DataFrame:
    """Read a published CSV (optionally gzip'd, with or without a UTF-8 BOM; Windows-1252 as a fallback) as text.

    Raises:
        SourceError: the file is not a readable CSV (e.g. a truncated gzip stream).
    """
    try:
        try:
            return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        except UnicodeDecodeError:  # spreadsheet CSV exports are sometimes saved as Windows-1252
            return pd.read_csv(path, encoding="cp1252", dtype=str, keep_default_na=False)
    except (ValueError, OSError, EOFError) as error:
        raise SourceError(source_id, path.name, f"could not be read as CSV ({error})") from error


def open_workbook(path: Path, *, source_id: str) -> python_calamine.CalamineWorkbook:
    """Open an xlsx/ods workbook, naming the file when it is truncated or not a workbook."""
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types for damaged zips
        raise SourceError(source_id, path.name, f"could not be opened as a workbook ({error})") from error


def sheet_frame(rows: list[list], *, first_header: str) -> pd.DataFrame | None:
    """The table in a sheet whose header row starts with first_header (None when the sheet has none)."""
    wanted = first_header.lower()
    for index, row in enumerate(rows[:20]):
        if row and normalise_header(row[0]).lower() == wanted:
            headers = [normalise_header(h) for h in row]
            body = [r for r in rows[index + 1 :] if any(str(v).strip() for v in r)]
            return pd.DataFrame(body, columns=headers)
    return None


def read_sheet(path: Path, *, first_header: str, source_id: str, sheet: str | None = None) -> pd.DataFrame:
    """Read the first sheet (or the named one) holding a table whose first header is first_header.

    Raises:
        SourceError: the workbook cannot be opened or no sheet has that table.
    """
    book = open_workbook(path, source_id=source_id)
    names = [sheet] if sheet else book.sheet_names
    for name in names:
        if name not in book.sheet_names:
            break
        frame = sheet_frame(book.get_sheet_by_name(name).to_python(), first_header=first_header)
        if frame is not None:
            return frame
    where = f"sheet {sheet!r}" if sheet else "any sheet"
    raise SourceError(source_id, path.name, f"no table starting with column {first_header!r} in {where}")


def check_lsoas(frame: pd.DataFrame, *, required: list[str], source_id: str, file_name: str) -> pd.DataFrame:
    """Refuse bad LSOA codes, duplicates and rows with blank required values (a truncated file)."""
    bad = frame.loc[~frame["lsoa_code"].astype(str).str.match(LSOA_CODE), "lsoa_code"]
    if len(bad):
        raise SourceError(source_id, file_name, f"{len(bad):,} rows without an LSOA code, e.g. {bad.iloc[0]!r}")
    if frame["lsoa_code"].duplicated().any():
        raise SourceError(source_id, file_name, "duplicate LSOA codes")
    blanks = frame[required].isna().any(axis=1)
    if blanks.any():
        code = frame.loc[blanks, "lsoa_code"].iloc[0]
        raise SourceError(source_id, file_name, f"{int(blanks.sum()):,} incomplete rows (e.g. {code}); truncated?")
    if frame.empty:
        raise SourceError(source_id, file_name, "no rows")
    return frame


def domain_of(title: str) -> str | None:
    """Canonical domain for a published domain title or sheet name, or None."""
    lowered = normalise_header(title).lower()
    return next((domain for prefix, domain in DOMAIN_TITLES if lowered.startswith(prefix)), None)


def measure_of(header: str) -> str | None:
    """Canonical summary measure for a published header like 'IMD - Average score' or 'Rank of Income Scale'."""
    title = normalise_header(header).lower()
    title = title.split(" - ", 1)[1] if " - " in title else title
    title = re.sub(r"^(rank of )?\w+ scale$", lambda m: f"{m.group(1) or ''}scale", title)
    return SUMMARY_MEASURES.get(title)


def tidy_summary_sheet(frame: pd.DataFrame, *, source_id: str, file_name: str) -> pd.DataFrame:
    """One summary sheet (code, name, '<Domain> - <measure>' columns) → tidy rows."""
    code, name, first_measure = frame.columns[0], frame.columns[1], frame.columns[2]
    domain = domain_of(first_measure.split(" - ")[0])
    columns = {c: measure_of(c) for c in frame.columns[2:]}
    unknown = [c for c, m in columns.items() if m is None]
    if domain is None or unknown:
        raise SourceError(source_id, file_name, f"unrecognised summary columns: {unknown or [first_measure]}")
    long = frame.rename(columns={code: "code", name: "name"}).melt(
        id_vars=["code", "name"], value_vars=list(columns), var_name="header", value_name="value"
    )
    long["domain"] = domain
    long["measure"] = long["header"].map(columns)
    return long[SUMMARY_COLUMNS]


def read_summary_workbook(path: Path, *, first_header: str, source_id: str) -> pd.DataFrame:
    """Every domain sheet of a published LAD/ICB summary workbook (File 10/13) as tidy rows.

    Raises:
        SourceError: the workbook cannot be opened, a sheet has unknown columns, or no sheet has data.
    """
    book = open_workbook(path, source_id=source_id)
    parts = []
    for sheet in book.sheet_names:
        frame = sheet_frame(book.get_sheet_by_name(sheet).to_python(), first_header=first_header)
        if frame is not None:
            parts.append(tidy_summary_sheet(frame, source_id=source_id, file_name=path.name))
    if not parts:
        raise SourceError(source_id, path.name, f"no summary sheet starting with column {first_header!r}")
    return finish_summary(pd.concat(parts, ignore_index=True), source_id=source_id, file_name=path.name)


def finish_summary(tidy: pd.DataFrame, *, source_id: str, file_name: str) -> pd.DataFrame:
    """Parse values, drop blank trailing rows and check the codes and the headline measures."""
    tidy = tidy[tidy["code"].astype(str).str.strip() != ""].copy()
    tidy["value"] = to_number(tidy["value"], integer=False, source_id=source_id, file_name=file_name)
    bad = tidy.loc[~tidy["code"].astype(str).str.match(AREA_CODE), "code"]
    if len(bad):
        raise SourceError(source_id, file_name, f"summary rows without a GSS code, e.g. {bad.iloc[0]!r}")
    headline = tidy[(tidy["domain"] == "imd") & (tidy["measure"] == "average_score")]
    if headline.empty or headline["value"].isna().any():
        raise SourceError(source_id, file_name, "IMD average score missing or blank (truncated?)")
    return tidy.reset_index(drop=True)


# Column prefixes of the humaniverse/IMD janitor-cleaned summary CSVs → canonical domain.
DERIVED_SUMMARY_DOMAINS = {
    "imd25_": "imd",
    "imd_2025_": "imd",
    "imd_": "imd",
    "income_": "income",
    "employment_": "employment",
    "education_skills_and_training_": "education",
    "health_deprivation_and_disability_": "health",
    "crime_": "crime",
    "barriers_to_housing_and_services_": "housing",
    "living_environment_": "environment",
}


def derived_measure(column: str) -> tuple[str, str] | None:
    """(domain, measure) for a humaniverse summary column such as 'imd_average_score'."""
    scale = re.fullmatch(r"rank_of_(\w+)_scale", column)
    if scale:
        domain = DERIVED_SUMMARY_DOMAINS.get(f"{scale.group(1)}_")
        return (domain, "rank_of_scale") if domain else None
    prefix = next((p for p in DERIVED_SUMMARY_DOMAINS if column.startswith(p)), None)
    if prefix is None:
        return None
    rest = column[len(prefix) :].replace("lso_as", "lsoas").replace("_percent", "%").replace("_", " ")
    measure = SUMMARY_MEASURES.get(rest)
    return (DERIVED_SUMMARY_DOMAINS[prefix], measure) if measure else None


def read_derived_summary(path: Path, *, code_column: str, source_id: str) -> pd.DataFrame:
    """A humaniverse/IMD summary CSV (one row per area, all File 10/13 sheets joined) as tidy rows.

    Raises:
        SourceError: the layout is not the expected one or values are blank.
    """
    frame = read_csv(path, source_id=source_id)
    name_column = code_column.replace("_code", "_name")
    require_columns(frame, [code_column, name_column], source_id=source_id, file_name=path.name)
    found = {c: derived_measure(c) for c in frame.columns if c not in (code_column, name_column)}
    unknown = [c for c, m in found.items() if m is None]
    if unknown:
        raise SourceError(source_id, path.name, f"unrecognised summary columns: {unknown}")
    columns = {c: m for c, m in found.items() if m is not None}
    long = frame.rename(columns={code_column: "code", name_column: "name"}).melt(
        id_vars=["code", "name"], value_vars=list(columns), var_name="column", value_name="value"
    )
    long["domain"] = long["column"].map(lambda c: columns[c][0])
    long["measure"] = long["column"].map(lambda c: columns[c][1])
    return finish_summary(long[SUMMARY_COLUMNS], source_id=source_id, file_name=path.name)


def summary_table(tidy: pd.DataFrame, *, edition: str, level: str, file_key: str) -> pd.DataFrame:
    """Tidy summary rows → imd_lad (level 'lad') or imd_icb (level 'icb') columns."""
    frame = tidy.rename(columns={"code": f"{level}_code", "name": f"{level}_name"})
    frame.insert(0, "edition", edition)
    frame.attrs["file_key"] = file_key
    return frame


def domain_headers(titles: tuple[tuple[str, str, str], ...], *, full: bool) -> dict[str, str]:
    """Published score/rank/decile headers → canonical columns, for (title, domain, score suffix) triples.

    full=True spells rank and decile headers out as in File 7; False matches their start only
    (the workbooks and their CSV exports shorten or truncate them). An empty suffix means no score.
    """
    rank, decile = (
        (" Rank (where 1 is most deprived)", " Decile (where 1 is most deprived 10% of LSOAs)")
        if full
        else (" Rank", " Decile")
    )
    spec = {}
    for title, domain, score in titles:
        if score:
            spec[f"{title} {score}"] = f"{domain}_score"
        spec[f"{title}{rank}"] = f"{domain}_rank"
        spec[f"{title}{decile}"] = f"{domain}_decile"
    return spec


# The IoD domains in File 7 order, with the wording of each score header.
IOD_DOMAINS: tuple[tuple[str, str, str], ...] = (
    ("Index of Multiple Deprivation (IMD)", "imd", "Score"),
    ("Income", "income", "Score (rate)"),
    ("Employment", "employment", "Score (rate)"),
    ("Education, Skills and Training", "education", "Score"),
    ("Health Deprivation and Disability", "health", "Score"),
    ("Crime", "crime", "Score"),
    ("Barriers to Housing and Services", "housing", "Score"),
    ("Living Environment", "environment", "Score"),
    ("Income Deprivation Affecting Children Index (IDACI)", "idaci", "Score (rate)"),
    ("Income Deprivation Affecting Older People (IDAOPI)", "idaopi", "Score (rate)"),
)


def area_headers(*, lsoa_year: str, lad_year: str) -> dict[str, str]:
    """The four identifying headers every IoD LSOA file starts with."""
    return {
        f"LSOA code ({lsoa_year})": "lsoa_code",
        f"LSOA name ({lsoa_year})": "lsoa_name",
        f"Local Authority District code ({lad_year})": "lad_code",
        f"Local Authority District name ({lad_year})": "lad_name",
    }


def read_file7(path: Path, *, lsoa_year: str, lad_year: str, source_id: str) -> pd.DataFrame:
    """An official File 7 CSV (all ranks, scores, deciles and denominators) → imd_lsoa columns.

    Raises:
        SourceError: a header is missing, a number does not parse, or rows are incomplete.
    """
    spec = area_headers(lsoa_year=lsoa_year, lad_year=lad_year) | domain_headers(IOD_DOMAINS, full=True)
    frame = select_columns(read_csv(path, source_id=source_id), spec, source_id=source_id, file_name=path.name)
    frame = convert_numbers(frame, source_id=source_id, file_name=path.name)
    required = [c for c in frame.columns if c != "lsoa_name"]
    return check_lsoas(frame, required=required, source_id=source_id, file_name=path.name)


def join_parts(left: pd.DataFrame, right: pd.DataFrame, *, source_id: str, file_name: str) -> pd.DataFrame:
    """Join two files of one distribution on lsoa_code, refusing files that cover different LSOAs."""
    if set(left["lsoa_code"]) != set(right["lsoa_code"]):
        raise SourceError(source_id, file_name, "covers different LSOAs from the other file(s) of this distribution")
    return left.merge(right, on="lsoa_code", how="inner", validate="one_to_one")


def lsoa_table(frame: pd.DataFrame, *, edition: str, country: str, file_key: str | None = None) -> pd.DataFrame:
    """Tag LSOA rows with edition and country for imd_lsoa."""
    out = frame.copy()
    out.insert(0, "country", country)
    out.insert(0, "edition", edition)
    if file_key:
        out.attrs["file_key"] = file_key
    return out
