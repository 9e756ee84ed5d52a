"""The Your data page's view-model: the example offer, the parsed upload with its column form, and the results.

The page keeps the widgets and the session (parse once per file and sheet, run on the button); what it shows comes
from here, so it can be tested without a browser. A file is parsed only by insight.uploads.sandbox.read_upload, in
its limited child process (docs/security.md); every count in the results is protected (insight.uploads.cellkey).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Protocol

import duckdb
import pandas as pd

from insight import queries
from insight.export import neutralised
from insight.panel import ExampleOffer, Panel
from insight.uploads import analyse as byod
from insight.uploads import cellkey, example
from insight.uploads import figures as byod_figures
from insight.uploads.checks import UploadError
from insight.uploads.readers import Upload, upload_limit_mb
from insight.uploads.sandbox import read_upload
from insight.uploads.tables import STATUS_LABELS, ByodResult

INTRO = "Upload service records or grants (postcodes, LSOA codes or district codes) to see your reach against need."
PRIVACY = (
    "Your file is processed in memory for this browser session only: nothing is written to disk or to the "
    "database, and no row is logged. Closing the tab discards it. Numbers are protected before anything is shown or "
    "downloaded: small counts are hidden ([c]) and every other count gets a small fixed random adjustment (at most "
    "±2, the same in every table, filter and date range), so no two views can be subtracted to reveal a small count."
)
FILE_TYPES = ("csv", "txt", "tsv", "xlsx", "json")
EXAMPLES = tuple(example.FORMATS)  # the example's formats: csv, xlsx, json
NONE = "(none)"
LOCATION_PLACEHOLDER = "Choose the column with postcodes or area codes"
KINDS, KIND_LABELS = byod.KINDS, byod.KIND_LABELS
OPTIONAL_FIELDS = {"count": "Count per row", "amount": "Amount (£)", "date": "Date", "category": "Category"}
MIN_THRESHOLD, DEFAULT_THRESHOLD = cellkey.MIN_THRESHOLD, cellkey.DEFAULT_THRESHOLD
PRESS_TO_MAP = "Press **Map my records** to see the results."
NOT_PLACED_LABEL = "Download the rows not placed (your own rows, to fix them; not a summary to share)"
POPULATION_NOTE = byod.POPULATION_NOTE
SUPPRESSION_ICON = ":material/visibility_off:"


def upload_limit(server_mb: int) -> int:
    """The largest file taken, in MB: VCS_INSIGHT_UPLOAD_MB, or the server's maxUploadSize when smaller (the server
    refuses bodies over it before the page sees them, so the page states the smaller limit)."""
    return min(upload_limit_mb(), server_mb)


def uploader_label(limit_mb: int) -> str:
    """The file chooser's label, with the limit."""
    return f"CSV, Excel (.xlsx) or 360Giving JSON file, up to {limit_mb} MB"


def example_blurb() -> str:
    """What the example file is: invented records in real districts, never mixed with published data."""
    return (
        f"A small set of **invented** service records ({len(example.records())} rows in {len(example.DISTRICTS)} real "
        "districts; every count, date and service is made up, and every row says so). It shows the column layout this "
        "page expects; it is never mixed with published data."
    )


def example_warning(name: str) -> str:
    """Said above everything while the example file is shown."""
    return f"Showing the example file **{name}**: invented records, not real data. Upload a file above to use your own."


def example_format(kind: str) -> str:
    """An example format's name, for the format chooser."""
    return example.FORMATS[kind]


def example_upload(kind: str) -> example.ExampleFile:
    """The invented example in one format, shaped like the page's upload (name, file_id, getvalue())."""
    return example.example_file(kind)


def example_download(kind: str) -> tuple[bytes, str, str]:
    """The example download button's data, file name and MIME type."""
    file = example.example_file(kind)
    return file.data, file.name, example.MIME[kind]


def example_offer() -> ExampleOffer:
    """The invented example offered beside the file chooser (ui.file_or_example)."""
    return ExampleOffer(
        title="No file to hand? Try an example file",
        blurb=example_blurb(),
        formats={kind: example_format(kind) for kind in EXAMPLES},
        file=example_upload,
        download=example_download,
        notice=example_warning,
    )


def preview_line(upload: Upload) -> str:
    """'**48 rows** and 5 columns. First rows (shown as plain text):'"""
    frame = upload.frame
    return f"**{len(frame):,} rows** and {len(frame.columns)} columns. First rows (shown as plain text):"


@dataclass(frozen=True)
class MappingForm:
    """The column-mapping widgets: the upload's columns, and what each widget preselects from the detected mapping.

    location: index into columns (None = nothing detected, then `problem` says so); kind: index into byod.KINDS;
    optional: field → index into `optional` (NONE first, then the columns).
    """

    columns: list[str]
    optional: list[str]
    location: int | None
    kind: int
    picks: dict[str, int]
    problem: str | None

    @property
    def fields(self) -> tuple[tuple[str, str, int], ...]:
        """The optional columns' widgets in order: (field, label, preselected index into `optional`)."""
        return tuple((field, label, self.picks[field]) for field, label in OPTIONAL_FIELDS.items())


def mapping_form(frame: pd.DataFrame) -> MappingForm:
    """The form's options and preselections for an uploaded table (byod.detect_mapping)."""
    guess = byod.detect_mapping(frame)
    columns = list(frame.columns)
    optional = [NONE, *columns]
    guessed = {field: getattr(guess, field) for field in OPTIONAL_FIELDS}
    picks = {field: optional.index(column) if column in optional else 0 for field, column in guessed.items()}
    return MappingForm(
        columns=columns,
        optional=optional,
        location=columns.index(guess.location) if guess.location in columns else None,
        kind=byod.KINDS.index(guess.location_kind),
        picks=picks,
        problem=None if guess.location else byod.escape_markdown(byod.NO_LOCATION_MESSAGE),
    )


def chosen_mapping(*, location: str | None, kind: str, picks: Mapping[str, str]) -> byod.ColumnMapping:
    """The mapping the user confirmed; NONE means no such column."""
    optional = {field: None if value == NONE else value for field, value in picks.items()}
    return byod.ColumnMapping(location=location, location_kind=kind, **optional)


@dataclass(frozen=True)
class Uploaded:
    """A parsed file as the page shows it before the mapping is confirmed (composed once per file and sheet).

    sheets: the sheet chooser's options (empty when the file has one sheet); notes: what the reader did, escaped for
    markdown; preview: the first rows with formula-like text neutralised (the grid's CSV download takes cells as shown).
    """

    upload: Upload
    sheets: tuple[str, ...]
    notes: tuple[str, ...]
    preview_line: str
    preview: pd.DataFrame
    form: MappingForm

    @property
    def panel(self) -> Panel:
        """The reader's notes, the size line and the first rows (no download of ours: the grid's own takes them as
        shown)."""
        return Panel(captions=self.notes, text=self.preview_line, table=self.preview, downloadable=False)


class File(Protocol):
    """What the page reads of a file: Streamlit's UploadedFile, or example.ExampleFile."""

    name: str

    def getvalue(self) -> bytes: ...


def read(file: File, sheet: str | None, limit_mb: int) -> Uploaded:
    """Parse the file in the upload sandbox's child process (sandbox.read_upload) and compose what the page shows.

    Raises:
        UploadError: the file is refused (its message: refusal(error); other sheets to try: sheet_options).
    """
    return uploaded(read_upload(file.getvalue(), name=file.name, sheet=sheet, limit_mb=limit_mb))


def uploaded(upload: Upload) -> Uploaded:
    """What the page shows of a parsed upload: sheet chooser, reader notes, preview and the column form."""
    return Uploaded(
        upload=upload,
        sheets=sheet_options(upload.sheets),
        notes=tuple(byod.escape_markdown(note) for note in upload.notes),
        preview_line=preview_line(upload),
        preview=neutralised(upload.frame.head(10)),
        form=mapping_form(upload.frame),
    )


def sheet_options(sheets: tuple[str, ...]) -> tuple[str, ...]:
    """A workbook's sheets to choose from, or () when there is nothing to choose."""
    return tuple(sheets) if len(sheets) > 1 else ()


def refusal(error: UploadError) -> str:
    """Why a file (or a run) was refused, with the file's own text made literal for markdown."""
    return byod.escape_markdown(error)


@dataclass(frozen=True)
class Filters:
    """The confirmed mapping and the filters it offers.

    categories: the category filter's options, most frequent first (the filter is offered when the mapping has a
    category column); dates: the date slider's range (None: no date column, or fewer than two distinct readable dates).
    """

    mapping: byod.ColumnMapping
    categories: list[str]
    dates: tuple[dt.date, dt.date] | None

    @property
    def category(self) -> bool:
        """Whether to offer the category filter."""
        return bool(self.mapping.category)


def filters(frame: pd.DataFrame, *, location: str | None, kind: str, picks: Mapping[str, str]) -> Filters:
    """The mapping the user confirmed (chosen_mapping) with its category values and date range."""
    mapping = chosen_mapping(location=location, kind=kind, picks=picks)
    dates = byod.date_range(frame, mapping=mapping)
    return Filters(
        mapping=mapping,
        categories=byod.category_values(frame, mapping=mapping),
        dates=dates if dates and dates[0] < dates[1] else None,
    )


@dataclass(frozen=True)
class Run:
    """What one press of "Map my records" analyses: which file and sheet, the mapping and the filters. The page shows
    its results while the choices stay the same (an equal Run)."""

    file_id: str
    sheet: str | None
    mapping: byod.ColumnMapping
    categories: tuple[str, ...] = ()
    span: tuple[dt.date, dt.date] | None = None
    threshold: int = DEFAULT_THRESHOLD


def protected_table(
    frame: pd.DataFrame,
    *,
    columns: dict[str, str],
    filename: str,
    label: str = "Download (CSV)",
    heading: str | None = None,
    caption: str | None = None,
) -> Panel:
    """A protected table as a Panel: shown labelled (known columns, rounded, readable names; hidden cells blank) and
    downloaded as byod.export_csv writes it (hidden cells as [c]; the download neutralises formula-like text)."""
    return Panel(
        heading=heading,
        captions=(caption,) if caption else (),
        table=byod.labelled(frame, columns=columns),
        table_filename=filename,
        table_label=label,
        table_download=byod.export_frame(frame, columns=columns),
    )


@dataclass(frozen=True)
class ResultsView:
    """Everything shown after "Map my records", every count already protected.

    metrics: (label, value, help) for the match summary; out_of_scope: its table, or None when nothing was outside;
    not_matched: the user's own unplaced rows (a download to fix them); deciles: the chart and table of reach against
    need; map_level and map_areas: what the map draws (byod.map_areas), and map: the map or why there is none;
    sections: the other protected tables, each under its heading.
    """

    metrics: tuple[tuple[str, str, str | None], ...]
    match_caption: str
    out_of_scope: pd.DataFrame | None
    not_matched: pd.DataFrame
    notes: tuple[str, ...]
    suppression: str
    headline: str
    deciles: Panel
    map_level: str
    map_areas: pd.DataFrame
    map: Panel
    sections: tuple[Panel, ...]

    @property
    def panels(self) -> tuple[Panel, ...]:
        """Everything the page shows of the results, in order: the match summary (numbers, caption and the rows
        outside England and Wales), the download of the rows not placed (when there are any; built when clicked),
        the notes and what was hidden, reach against need, the chart and table by decile, the map and the tables."""
        not_placed = Panel(
            table=self.not_matched, table_shown=False, table_filename="rows_not_placed", table_label=NOT_PLACED_LABEL
        )
        return (
            Panel(
                heading="How your rows matched",
                metrics=self.metrics,
                captions=(self.match_caption,),
                table=self.out_of_scope,
                downloadable=False,
            ),
            not_placed if len(self.not_matched) else Panel(),
            Panel(captions=self.notes, warning=self.suppression, warning_icon=SUPPRESSION_ICON),
            Panel(heading="Reach against need", text=self.headline),
            Panel(captions=(POPULATION_NOTE,)),
            self.deciles,
            self.map,
            *self.sections,
        )


def results(
    con: duckdb.DuckDBPyConnection, *, frame: pd.DataFrame, run: Run, progress: byod.Progress | None = None
) -> ResultsView:
    """Place, count and protect the upload's rows (byod.analyse) and compose what the page shows of them.

    Raises:
        UploadError: the rows could not be analysed as mapped (its message: refusal(error)).
    """
    result = byod.analyse(
        con,
        frame=frame,
        mapping=run.mapping,
        threshold=run.threshold,
        categories=run.categories,
        span=run.span,
        progress=progress,
    )
    level, areas = byod.map_areas(result)
    codes = map_codes(areas)  # the map is drawn once per press, not on every rerun of the page
    return results_view(result, geo=queries.geometry(con, level=level, codes=codes) if codes else None)


def results_view(result: ByodResult, *, geo: pd.DataFrame | None = None) -> ResultsView:
    """Compose the protected result of byod.analyse for the page; geo: the boundaries the map draws (map_panel)."""
    summary = result.summary
    level, areas = byod.map_areas(result)
    return ResultsView(
        metrics=tuple(
            (label, byod.shown_count(summary[status]), STATUS_LABELS.get(status))
            for status, label in byod.METRIC_LABELS.items()
        ),
        match_caption=(
            f"Blank location: {byod.shown_count(summary['missing'])}. Terminated postcodes still placed: "
            f"{byod.shown_count(summary['terminated'])}. These counts are protected like every table below."
        ),
        out_of_scope=byod.labelled(result.out_of_scope, columns=byod.SCOPE_COLUMNS)
        if summary["out_of_scope"]
        else None,
        not_matched=result.not_matched,
        notes=tuple(byod.escape_markdown(note) for note in result.notes),
        suppression=byod.suppression_sentence(result),
        headline=result.headline,
        deciles=replace(
            protected_table(
                result.deciles, columns=byod.DECILE_COLUMNS, filename="by_decile", label="Download by decile (CSV)"
            ),
            figure=byod_figures.reach_by_decile(result.deciles, title="Your records and neighbourhoods by IMD decile"),
            filename="your_data_by_decile",
        ),
        map_level=level,
        map_areas=areas,
        map=map_panel(level, areas, geo=geo),
        sections=_sections(result),
    )


def _sections(result: ByodResult) -> tuple[Panel, ...]:
    underserved = (
        "Neighbourhoods in the most deprived 20% of their nation, in the districts you reach, with none or few of "
        "your records."
    )
    return (
        protected_table(
            result.underserved,
            columns=byod.UNDERSERVED_COLUMNS,
            filename="high_need_low_reach",
            heading="High need, low reach",
            caption=underserved,
        ),
        protected_table(
            result.lad,
            columns=byod.LAD_COLUMNS,
            filename="by_district",
            label="Download by district (CSV)",
            heading="By district",
        ),
        protected_table(
            result.lsoa,
            columns=byod.LSOA_COLUMNS,
            filename="by_lsoa",
            label="Download by LSOA (CSV)",
            heading="By neighbourhood (LSOA)",
        ),
    )


def map_codes(areas: pd.DataFrame) -> tuple[str, ...]:
    """The areas the map draws (byod.map_areas)."""
    return tuple(sorted(areas["code"].dropna()))


def map_panel(level: str, areas: pd.DataFrame, *, geo: pd.DataFrame | None) -> Panel:
    """Your records on a map of the neighbourhoods (or districts) reached (byod.map_areas), or why there is no map.

    geo: the boundaries of map_codes(areas) (queries.geometry; None when there are none, then there is no map).
    """
    if not map_codes(areas):
        return Panel()
    if geo is None or geo.empty:
        return Panel(notice="Boundaries are not loaded in this database, so there is no map.")
    title = "Your records by neighbourhood (LSOA)" if level == "lsoa21" else "Your records by district"
    return Panel(figure=byod_figures.reach_map(areas, geo=geo, title=title), filename="your_data_map")
