"""The Your data page as data: the example offer, the column-mapping form, and the protected results (`results_view`).

The page keeps the widgets and the session (parse once per file and sheet, run on the button); what it shows comes
from here, so it can be tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from insight.panel import Panel
from insight.uploads import analyse as byod
from insight.uploads import example
from insight.uploads import figures as byod_figures
from insight.uploads.readers import Upload
from insight.uploads.tables import STATUS_LABELS, ByodResult

PRIVACY = (
    "Your file is processed in memory for this browser session only: nothing is written to disk or to the "
    "database, and no row is logged. Closing the tab discards it. Numbers are protected before anything is shown or "
    "downloaded: small counts are hidden ([c]) and every other count gets a small fixed random adjustment (at most "
    "±2, the same in every table, filter and date range), so no two views can be subtracted to reveal a small count."
)
NONE = "(none)"
LOCATION_PLACEHOLDER = "Choose the column with postcodes or area codes"
OPTIONAL_FIELDS = {"count": "Count per row", "amount": "Amount (£)", "date": "Date", "category": "Category"}
NOT_PLACED_LABEL = "Download the rows not placed (your own rows, to fix them; not a summary to share)"


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
class Section:
    """A protected table with its heading and caption, shown labelled and downloaded through byod.export_csv."""

    heading: str | None
    caption: str | None
    frame: pd.DataFrame
    columns: dict[str, str]
    file_name: str
    label: str = "Download (CSV)"

    @property
    def shown(self) -> pd.DataFrame:
        """The table as displayed: known columns, rounded, readable names."""
        return byod.labelled(self.frame, columns=self.columns)

    def csv(self) -> bytes:
        """The download: hidden cells as [c], formula-like text neutralised (built when clicked)."""
        return byod.export_csv(self.frame, columns=self.columns)


@dataclass(frozen=True)
class ResultsView:
    """Everything shown after "Map my records", every count already protected.

    metrics: (label, value, help) for the match summary; out_of_scope: its table, or None when nothing was outside;
    not_matched: the user's own unplaced rows (a download to fix them). map_level and map_areas: what to map.
    """

    metrics: tuple[tuple[str, str, str | None], ...]
    match_caption: str
    out_of_scope: pd.DataFrame | None
    not_matched: pd.DataFrame
    notes: tuple[str, ...]
    suppression: str
    headline: str
    decile_figure: object
    deciles: Section
    map_level: str
    map_areas: pd.DataFrame
    sections: tuple[Section, ...]

    @property
    def map_codes(self) -> tuple[str, ...]:
        """The areas the map draws."""
        return tuple(sorted(self.map_areas["code"].dropna()))


def results_view(result: ByodResult) -> ResultsView:
    """Compose the protected result of byod.analyse for the page."""
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
        decile_figure=byod_figures.reach_by_decile(
            result.deciles, title="Your records and neighbourhoods by IMD decile"
        ),
        deciles=Section(None, None, result.deciles, byod.DECILE_COLUMNS, "by_decile.csv", "Download by decile (CSV)"),
        map_level=level,
        map_areas=areas,
        sections=_sections(result),
    )


def _sections(result: ByodResult) -> tuple[Section, ...]:
    underserved = (
        "Neighbourhoods in the most deprived 20% of their nation, in the districts you reach, with none or few of "
        "your records."
    )
    return (
        Section(
            "High need, low reach", underserved, result.underserved, byod.UNDERSERVED_COLUMNS, "high_need_low_reach.csv"
        ),
        Section("By district", None, result.lad, byod.LAD_COLUMNS, "by_district.csv", "Download by district (CSV)"),
        Section(
            "By neighbourhood (LSOA)", None, result.lsoa, byod.LSOA_COLUMNS, "by_lsoa.csv", "Download by LSOA (CSV)"
        ),
    )


def map_panel(view: ResultsView, *, geo: pd.DataFrame) -> Panel:
    """Your records on a map of the neighbourhoods (or districts) reached, or why there is no map."""
    if view.map_areas.empty:
        return Panel()
    if geo.empty:
        return Panel(notice="Boundaries are not loaded in this database, so there is no map.")
    title = "Your records by neighbourhood (LSOA)" if view.map_level == "lsoa21" else "Your records by district"
    return Panel(figure=byod_figures.reach_map(view.map_areas, geo=geo, title=title), filename="your_data_map")
