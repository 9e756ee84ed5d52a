"""The Area profile page's view-model: one area at one level against its own nation, region and similar areas."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from insight import charts, districts, nations, profile, queries
from insight.formatting import not_loaded_sentence
from insight.panel import Panel

LEVELS = {
    "lad24": "District (LAD)",
    "utla24": "Upper-tier LA / health and wellbeing board",
    "icb24": "Integrated care board",
}
NO_LSOA_CAPACITY = (
    "Ranking by capacity gap needs a neighbourhood-level capacity measure, which is not loaded in this build."
)
REGISTERED_OFFICE = "Charity counts are by registered office, which is not always where a charity works."
TABS = ("How the area compares", "Most similar areas", "Neighbourhoods ranked by need")
NO_SIMILAR = "This area lacks the need measures or population needed to find similar areas."
NO_LSOAS = "No neighbourhood (LSOA) data for this area in this build."
MEETING_FONT_SIZE, MEETING_HEIGHT = 22, 650  # the meeting view: large type, one tall chart at a time


def area_names(con: duckdb.DuckDBPyConnection, *, level: str) -> dict[str, str]:
    """The level's areas with values, for the area chooser: {code: 'Name (code)'} in name order."""
    areas = queries.area_list(con, level=level)
    return dict(zip(areas["code"], areas["name"] + " (" + areas["code"] + ")", strict=True))


def level_not_loaded(con: duckdb.DuckDBPyConnection, *, level: str) -> str:
    """What to say when no area of the level has values."""
    return not_loaded_sentence(
        f"Data for this type of area ({LEVELS[level]})", missing_titles=queries.missing_titles(con)
    )


def chart_counter(position: int, *, count: int) -> str:
    """The meeting view's 'Chart 2 of 5' (plain text: the page styles it, escaped)."""
    return f"Chart {position + 1} of {count}"


@dataclass(frozen=True)
class Slide:
    """The meeting view's one chart: the counter above it ('Chart 2 of 5'), the chart and its PNG name."""

    position: int  # kept by the page between runs
    counter: str
    figure: go.Figure
    filename: str


@dataclass(frozen=True)
class AreaProfile:
    """Everything the page shows for one area; `figures` ends with the ranked neighbourhoods chart."""

    code: str
    name: str
    level: str
    region_name: str | None
    nation: str
    table: pd.DataFrame  # profile.comparison_table
    display: pd.DataFrame  # profile.display_table: the table for people
    figures: list[tuple[str, go.Figure]]
    notes: list[str]  # what is not shown and why (health in Wales, layers not loaded)
    rule: str
    comparison_caption: str
    similar: pd.DataFrame  # area_code, area_name, distance (2 decimals)
    similarity_statement: str
    similarity_caption: str
    lsoas: pd.DataFrame  # profile.area_lsoas
    lsoa_notes: list[str]
    sources: pd.DataFrame  # queries.source_vintages, for the brief

    @property
    def heading(self) -> str:
        """'District (LAD) E06000001, North East. Compared with England.'"""
        region = f", {self.region_name}" if self.region_name else ""
        return f"{LEVELS[self.level]} {self.code}{region}. Compared with {self.nation}."

    @property
    def captions(self) -> tuple[str, ...]:
        """Under the area's name: its heading and the own-nation note."""
        return self.heading, nations.OWN_NATION_NOTE

    @property
    def comparison_charts(self) -> list[tuple[go.Figure, str]]:
        """The comparison tab's charts (every figure but the neighbourhoods one), each with its PNG name."""
        return [(figure, f"{self.name}_{name}") for name, figure in self.figures[:-1]]

    @property
    def similar_panel(self) -> Panel:
        """The "Most similar areas" tab: how they are found, and the areas (or why there are none)."""
        found = not self.similar.empty
        return Panel(
            captions=(self.similarity_statement, self.similarity_caption),
            text=None if found else NO_SIMILAR,
            table=self.similar if found else None,
            table_filename=f"{self.name}_similar_areas",
        )

    @property
    def lsoa_panel(self) -> Panel:
        """The "Neighbourhoods ranked by need" tab: the most deprived chart, its notes and every neighbourhood."""
        if self.lsoas.empty:
            return Panel(text=NO_LSOAS)
        return Panel(
            figure=self.figures[-1][1],
            filename=f"{self.name}_most_deprived_lsoas",
            captions=tuple(self.lsoa_notes),
            table=self.lsoas,
            table_filename=f"{self.name}_lsoas",
        )

    @property
    def brief_filename(self) -> str:
        """The HTML brief's download name."""
        return f"vcs_insight_brief_{self.code}.html"

    def brief_html(self) -> str:
        """The one-page HTML brief, self-contained (Plotly's script inline, ~4.9 MB; built in ~30 ms)."""
        return brief(self)

    def slide(self, position: int) -> Slide:
        """The meeting view at `position` (any int: it wraps around the charts), the chart drawn tall."""
        position %= len(self.figures)
        name, figure = self.figures[position]
        tall = go.Figure(figure).update_layout(height=MEETING_HEIGHT)
        return Slide(position, chart_counter(position, count=len(self.figures)), tall, f"{self.name}_{name}")


def area_profile(
    con: duckdb.DuckDBPyConnection, *, data: profile.LevelData, code: str, meeting: bool = False
) -> AreaProfile:
    """The profile of `code` from its level's data (profile.level_data, read once per level) and a few queries.

    meeting: charts in large type for the meeting view.
    """
    font_size = MEETING_FONT_SIZE if meeting else charts.FONT_SIZE
    row = data.areas.set_index("code").loc[code]
    nation = nations.nation_name(code)
    region_name = None if pd.isna(row["region_name"]) else row["region_name"]
    similar = profile.similar_areas(data, code=code)
    table = profile.comparison_table(data, code=code, similar=similar)
    lsoas = profile.area_lsoas(con, level=data.level, code=code)
    figures = profile.profile_figures(
        table, lsoas, area_name=row["name"], region_name=region_name, font_size=font_size, nation=nation
    )
    return AreaProfile(
        code=code,
        name=row["name"],
        level=data.level,
        region_name=region_name,
        nation=nation,
        table=table,
        display=profile.display_table(table, area_name=row["name"], region_name=region_name, nation=nation),
        figures=figures,
        notes=comparison_notes(con, table=table, level=data.level, nation=nation),
        rule=profile.comparison_rule(code),
        comparison_caption=profile.comparison_caption(con, level=data.level, measures=tuple(table["measure"])),
        similar=similar.assign(distance=similar["distance"].round(2)),
        similarity_statement=profile.similarity_statement(data, code=code),
        similarity_caption=profile.similarity_caption(con, data, code=code),
        lsoas=lsoas,
        lsoa_notes=lsoa_notes(con, lsoas=lsoas, level=data.level, code=code),
        sources=queries.source_vintages(con),
    )


def comparison_notes(con: duckdb.DuckDBPyConnection, *, table: pd.DataFrame, level: str, nation: str) -> list[str]:
    """Why some layers are not in the comparison: the Health Index is England's only; sources not in the build."""
    notes = [nations.HEALTH_WALES_NOTE] if nation == "Wales" and "health" not in set(table["layer"]) else []
    missing = [layer for layer in queries.LAYER_ORDER if layer not in set(table["layer"])]
    if missing:
        what = f"For this type of area ({LEVELS[level]}), the {' and '.join(missing)} layer"
        notes.append(not_loaded_sentence(what, missing_titles=queries.missing_titles(con)))
    return notes


def lsoa_notes(con: duckdb.DuckDBPyConnection, *, lsoas: pd.DataFrame, level: str, code: str) -> list[str]:
    """Under the neighbourhood ranking: LSOAs the IoD places in another district; no capacity gap without a measure."""
    notes = [districts.note_for(con, level=level, codes=(code,), rule="iod")]
    if "capacity_gap" not in lsoas.columns:
        notes.append(NO_LSOA_CAPACITY)
    return [note for note in notes if note]


def styled(view: AreaProfile) -> Styler:
    """The table for people with the comparison column coloured (Better / Similar / Worse)."""
    return view.display.style.map(profile.comparison_style, subset=[f"vs {view.nation}"])


def brief(view: AreaProfile) -> str:
    """The one-page HTML brief of a profile."""
    notes = [
        view.rule,
        view.similarity_statement,
        nations.OWN_NATION_NOTE,
        REGISTERED_OFFICE,
        view.comparison_caption,
        view.similarity_caption,
    ]
    return profile.brief_html(
        area_name=view.name,
        level_label=LEVELS[view.level],
        table=view.table,
        figures=[figure for _, figure in view.figures],
        sources=view.sources,
        notes=notes,
        nation=view.nation,
    )
