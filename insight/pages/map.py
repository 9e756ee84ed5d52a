"""The Map page's view-model: a choropleth of one measure (the raster viewer for every neighbourhood), or need ×
capacity in nine classes."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import plotly.graph_objects as go

from insight import captions, districts, queries
from insight.defaults import default_measure, role_options
from insight.formatting import is_count, not_loaded_sentence
from insight.maps import choropleth, classes, files, national
from insight.panel import Panel

INTRO = (
    "Colour each area by one measure, or by need and capacity together. Hover an area for its name, code and values."
)
VIEWS = {"single": "One measure", "bivariate": "Need × capacity (bivariate)"}
GEOGRAPHIES = queries.MAP_GEOGRAPHIES  # the "Areas" options: {geography: name}
CHOOSE_DISTRICTS = "Choose one or more districts to map their neighbourhoods."
LSOA_NOTE = (
    "All ~35,700 neighbourhoods. One measure is drawn as an image of every neighbourhood: hover for its value, "
    "scroll, pinch or use + and − to zoom, drag or use the arrow keys to pan, 0 to reset (map chosen districts for "
    "street detail). Need × capacity draws each neighbourhood as a shape and takes several seconds."
)
BIVARIATE_NOTE = (
    "Areas are split into thirds on each measure. Orange-red: high need, low capacity — where need most outstrips "
    "the voluntary sector. Capacity counts charities by registered office, which is not always where they work."
)


@dataclass(frozen=True)
class Choices:
    """What can be mapped for a geography: measures (no raw counts) with labels, and the roles' options."""

    geography: str
    measures: list[str]
    labels: dict[str, str]
    need: list[str]
    capacity: list[str]
    missing: str  # why nothing can be mapped ('' when something can)
    missing_capacity: str  # why the bivariate map cannot be drawn ('' when it can)

    def warning(self, view: str) -> str:
        """Why `view` ('single' or 'bivariate') cannot be drawn here ('' when it can)."""
        return self.missing or (self.missing_capacity if view == "bivariate" else "")

    def default(self, role: str = "measure") -> int:
        """Index of the default among the options: the preferred need measure (a map of any measure opens on one)."""
        options = self.measures if role == "measure" else getattr(self, role)
        found = default_measure(pd.DataFrame(), role="need" if role == "measure" else role, options=options)
        return options.index(found) if found else 0


@dataclass(frozen=True)
class Map:
    """One map: a Plotly figure, or the raster viewer's payload (every neighbourhood), with captions and its table."""

    figure: go.Figure | None
    payload: bytes | None
    filename: str
    captions: list[str]
    table: pd.DataFrame
    table_name: str
    legend: go.Figure | None = None  # the bivariate map's 3 × 3 key

    @property
    def on_request(self) -> bool:
        """Whether the table waits for the reader to ask: every neighbourhood (the raster viewer's map) is ~34,000
        rows, 1.3 MB to the browser, so it is downloadable at once but shown only when asked for."""
        return self.payload is not None

    @property
    def table_toggle(self) -> str:
        """The label of the switch that shows a table held back (on_request)."""
        return f"Show all {len(self.table):,} neighbourhoods as a table"

    def table_panel(self, *, held: bool) -> Panel:
        """The map's table with its CSV download, or (held: on request and not asked for) the download alone."""
        label = f"Download all {len(self.table):,} (CSV)" if held else Panel.table_label
        return Panel(table=self.table, table_filename=self.table_name, table_label=label, table_shown=not held)


def link_labels(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """{URL key: {id: label}} for the bound widgets that links written before the binding name by id
    (?view=bivariate, ?geo=lsoa21, ?measure=imd_score, ?scale=classes): the page rewrites them to labels
    (ui.link_ids). Measures: every measure in the catalog (labels are unique); one not offered is then dropped."""
    catalog = queries.measure_catalog(con)
    measures = dict(zip(catalog["measure"], catalog["label"], strict=True))
    return {
        "view": VIEWS,
        "geo": GEOGRAPHIES,
        "measure": measures,
        "need": measures,
        "capacity": measures,
        "scale": classes.SCHEMES,
    }


def lad_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Districts to choose neighbourhoods from: {code: name} in name order."""
    lads = queries.area_list(con, level="lad24")
    return dict(zip(lads["code"], lads["name"], strict=True))


def choices(con: duckdb.DuckDBPyConnection, *, geography: str, lad_codes: tuple[str, ...] = ()) -> Choices:
    """The measures that can be mapped for a geography (and chosen districts), or why none can."""
    level = queries.map_level(geography)
    catalog = queries.available_measures(con, level=level)
    catalog = catalog[~catalog["unit"].map(is_count).astype(bool)]
    missing = queries.missing_titles(con)
    empty = "Measures" if catalog.empty else "Boundaries"
    drawable = not catalog.empty and not queries.map_geometry(con, geography=geography, lad_codes=lad_codes).empty
    need, capacity = role_options(catalog, role="need"), role_options(catalog, role="capacity")
    where = f"for this geography ({queries.MAP_GEOGRAPHIES[geography]})"
    return Choices(
        geography=geography,
        measures=catalog["measure"].tolist(),
        labels=dict(zip(catalog["measure"], catalog["label"], strict=True)),
        need=need,
        capacity=capacity,
        missing="" if drawable else not_loaded_sentence(f"{empty} {where}", missing_titles=missing),
        missing_capacity=""
        if need and capacity
        else not_loaded_sentence(f"A capacity measure {where}", missing_titles=missing),
    )


def natural_scheme(con: duckdb.DuckDBPyConnection, *, geography: str, measure: str, lad_codes: tuple[str, ...]) -> str:
    """The colouring a measure opens with: deciles for need, deciles and skewed measures, else continuous."""
    row = queries.available_measures(con, level=queries.map_level(geography)).set_index("measure").loc[measure]
    rule = districts.rule_for(con, measures=(measure,))
    frame = queries.map_frame(con, geography=geography, measures=(measure,), lad_codes=lad_codes, districts=rule)
    return classes.default_scheme(layer=row["layer"], unit=row["unit"], values=frame[measure])


def scheme_index(con: duckdb.DuckDBPyConnection, *, geography: str, measure: str, lad_codes: tuple[str, ...]) -> int:
    """The position of the measure's natural scheme among classes.SCHEMES: the option "Colours" opens on."""
    return list(classes.SCHEMES).index(natural_scheme(con, geography=geography, measure=measure, lad_codes=lad_codes))


def single_map(
    con: duckdb.DuckDBPyConnection,
    *,
    geography: str,
    measure: str,
    scheme: str,
    lad_codes: tuple[str, ...] = (),
    serve_geometry: bool = True,
) -> Map:
    """One measure: every neighbourhood as the raster viewer's payload, any other geography as a Plotly choropleth."""
    level = queries.map_level(geography)
    row = queries.available_measures(con, level=level).set_index("measure").loc[measure]
    rule = districts.rule_for(con, measures=(measure,))
    frame = queries.map_frame(con, geography=geography, measures=(measure,), lad_codes=lad_codes, districts=rule)
    title, filename = f"{row['label']} — {queries.MAP_GEOGRAPHIES[geography]}", f"map_{measure}_{geography}"
    found = (
        queries.map_classes(
            con, geography=geography, measure=measure, label=row["label"], lad_codes=lad_codes, districts=rule
        )
        if scheme == "classes"
        else None
    )
    notes = [f"{row['definition']} {captions.caption(con, level=level, measures=(measure,))} Grey: no value."]
    if geography == "lsoa21":  # every LSOA painted into one image, drawn by the app's viewer (docs/performance.md)
        payload = national.national_map(
            con,
            measure=measure,
            label=row["label"],
            unit=row["unit"],
            title=title,
            filename=filename,
            source=captions.source_line(con, level=level, measures=(measure,)),
            serve_geometry=serve_geometry,
            scheme=scheme,
        )
        return Map(
            None, payload, filename, [*notes, districts.national_note(con, rule=rule)], frame, f"{measure}_{geography}"
        )
    geo = queries.map_geometry(con, geography=geography, lad_codes=lad_codes, districts=rule)
    figure = choropleth.choropleth(
        frame.rename(columns={measure: "value"}),
        geo,
        label=row["label"],
        unit=row["unit"],
        title=title,
        revision=f"{geography}:{','.join(lad_codes)}",
        geojson_url=files.geojson_url(con, level=level),
        classes=found,
    )
    notes += [districts.note_for(con, level="lad24", codes=lad_codes, rule=rule) if lad_codes else ""]
    if found is not None:
        notes.append(classes.scheme_sentence(found, published=geography.startswith("lsoa") and measure != "imd_decile"))
    return Map(figure, None, filename, [n for n in notes if n], frame, f"{measure}_{geography}")


def bivariate_map(
    con: duckdb.DuckDBPyConnection, *, geography: str, need: str, capacity: str, lad_codes: tuple[str, ...] = ()
) -> Map:
    """Need × capacity in thirds of each (nine classes), with its key and the class of every area."""
    level = queries.map_level(geography)
    labels = queries.available_measures(con, level=level).set_index("measure")["label"]
    rule = districts.rule_for(con, measures=(need, capacity))
    geo = queries.map_geometry(con, geography=geography, lad_codes=lad_codes, districts=rule)
    frame = queries.map_frame(con, geography=geography, measures=(need, capacity), lad_codes=lad_codes, districts=rule)
    figure = choropleth.bivariate_map(
        frame,
        geo,
        need=need,
        capacity=capacity,
        need_label=labels[need],
        capacity_label=labels[capacity],
        title=f"Need × capacity — {queries.MAP_GEOGRAPHIES[geography]}",
        revision=f"{geography}:{','.join(lad_codes)}",
        geojson_url=files.geojson_url(con, level=level),
    )
    notes = [captions.caption(con, level=level, measures=(need, capacity)), BIVARIATE_NOTE]
    notes += [districts.note_for(con, level="lad24", codes=lad_codes, rule=rule) if lad_codes else ""]
    name = f"bivariate_{need}_{capacity}_{geography}"
    return Map(
        figure,
        None,
        name,
        [n for n in notes if n],
        choropleth.bivariate_classes(frame, need=need, capacity=capacity),
        name,
        legend=choropleth.bivariate_legend(need_label=labels[need], capacity_label=labels[capacity]),
    )
