"""The one read-side module that imports streamlit: a cached read-only connection and cached queries."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb
import streamlit as st
from streamlit.errors import StreamlitAPIException

from insight import config, db
from insight.panel import ExampleOffer, Panel

if TYPE_CHECKING:
    from insight.pages.explore import SqlRun

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _connection(path: str, mtime: float) -> duckdb.DuckDBPyConnection:
    """One read-only connection per database file version (a rebuild changes mtime)."""
    return db.connect(Path(path))


def _db_key() -> tuple[str, float]:
    path = config.db_path()
    return str(path), (path.stat().st_mtime if path.exists() else 0.0)


def connection() -> duckdb.DuckDBPyConnection:
    """The shared read-only connection; raises db.DatabaseMissing when there is no database."""
    return _connection(*_db_key())


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(module: str, name: str, db_key: tuple[str, float], items: tuple[tuple[str, Any], ...]) -> Any:
    function = getattr(importlib.import_module(module), name)
    return function(_connection(*db_key), **dict(items))


def cached_query(function: Callable[..., Any], /, **kwargs: Any) -> Any:
    """Call a pure query function `function(con, **kwargs)` through Streamlit's data cache.

    kwargs must be hashable (use tuples, not lists); results are cached per database version.
    """
    items = tuple(sorted(kwargs.items()))
    return _cached_call(function.__module__, function.__qualname__, _db_key(), items)


def require_database() -> duckdb.DuckDBPyConnection:
    """Return the connection, or show how to build the database and stop the page."""
    try:
        return connection()
    except db.DatabaseMissing as error:
        st.error(
            f"The VCS Insight database is not built yet ({error}). Build it from the project folder with:\n\n"
            f"`{config.BUILD_COMMAND}`  (offline: `{config.BUILD_COMMAND} --mirror ../shared/data`)"
        )
        st.stop()
        raise  # unreachable: st.stop() ends the script run


def link_ids(key: str, labels: Mapping[str, str], *, many: bool = False) -> None:
    """Read a link written before the page's widgets bound their own parameter (?measure=imd_score, ?lads=E1,E2).

    A widget with bind="query-params" keeps the option as shown (its label) in the URL and drops any other value;
    older links name the option by id. Call before the widget with its key and {id: label}: a link naming only known
    ids is rewritten to their labels (once, by a rerun), so the widget reads it and the address bar keeps it.
    Anything else is left to Streamlit, which ignores and removes what no option matches.
    """
    text = st.query_params.get(key, "")
    ids = text.split(",") if many else [text]
    if not text or text in labels.values() or not all(i in labels for i in ids):
        return
    try:
        st.query_params[key] = [labels[i] for i in ids] if many else labels[text]
    except st.errors.StreamlitAPIException:  # already bound this session: the widget has read the URL itself
        return
    st.rerun()


def rewrite_old_link(params: Mapping[str, str | list[str] | None]) -> None:
    """Put a link written before a page bound its widgets to the URL into their form, and run the page again.

    params: URL name → its new value (a list for a range slider's two ends; None removes the name). Call before the
    widgets bound to these names are drawn: Streamlit reads a bound widget's value from the URL when it first draws
    it, and refuses changes to a name once bound (then the old value is left to Streamlit, which drops it).
    """
    try:
        for name, value in params.items():
            if value is None:
                st.query_params.pop(name, None)
            else:
                st.query_params[name] = value
    except StreamlitAPIException:  # already bound (a browser-history visit): Streamlit validates it
        return
    st.rerun()


def bound_selectbox(
    title: str,
    options: Sequence[str],
    *,
    key: str,
    default: str | None = None,
    labels: Mapping[str, str] | None = None,
    empty: str = "Not loaded for this geography",
) -> str | None:
    """A selectbox whose choice lives in the URL as `key` (Streamlit's bind="query-params"); returns the option.

    labels name the options: the URL holds the label, and a link holding the option itself (`level=lad24`, written
    before the binding) is rewritten to the label (rewrite_old_link).
    With no options it shows `empty`, disabled, and returns None. An unknown URL value gives `default` (else the first).
    """
    if not options:
        st.selectbox(title, [empty], disabled=True, key=f"{key}_none")
        return None
    old = st.query_params.get(key) if labels else None  # an option's own name, where the URL now holds its label
    if labels and old is not None and old in options and old not in labels.values():
        rewrite_old_link({key: labels.get(old, old)})
    index = list(options).index(default) if default is not None and default in options else 0
    if st.session_state.get(key, options[index]) not in options:  # the options changed: set the default in code,
        st.session_state[key] = options[index]  # so Streamlit also clears the URL (it does not when it resets itself)
    name = (lambda option: labels.get(option, option)) if labels else str
    return st.selectbox(title, options, index, format_func=name, key=key, bind="query-params")


def once_per_session(name: str, key: Hashable, compute: Callable[[], T]) -> T:
    """compute() once per `key` in this browser session, kept in st.session_state[name] (a new key replaces it).

    An exception from compute() propagates and leaves nothing stored, so the next run tries again.
    """
    stored = st.session_state.get(name)
    if stored is None or stored[0] != key:
        st.session_state.pop(name, None)
        st.session_state[name] = (key, compute())
    return st.session_state[name][1]


def file_or_example(
    label: str, types: Sequence[str], *, key: str, max_upload_size: int, offer: ExampleOffer
) -> Any | None:
    """A file chooser (key `{key}_file`) and, while no file is chosen, an open expander offering an example file: what
    it is, a choice of formats (`{key}_example_format`), "Try the example file" (`{key}_example_try`) and "Download the
    example file". Returns the chosen file; else the example once tried (its format kept in st.session_state as
    `{key}_example`), with offer.notice above the page; else None.
    """
    file = st.file_uploader(label, list(types), key=f"{key}_file", max_upload_size=max_upload_size)
    if file is not None:
        return file
    with st.expander(offer.title, expanded=True):
        st.write(offer.blurb)
        kind = st.radio(
            "Example format",
            list(offer.formats),
            format_func=offer.formats.get,
            horizontal=True,
            key=f"{key}_example_format",
        )
        try_column, download_column = st.columns(2)
        if try_column.button("Try the example file", key=f"{key}_example_try"):
            st.session_state[f"{key}_example"] = kind
        with download_column:
            download("Download the example file", *offer.download(kind))
    if not (tried := st.session_state.get(f"{key}_example")):
        return None
    example = offer.file(tried)
    st.warning(offer.notice(example.name))
    return example


def show_metrics(metrics: Sequence[tuple[str, str, str | None]]) -> None:
    """Headline numbers side by side: (label, value, help or None) each."""
    for cell, (label, value, help_text) in zip(st.columns(len(metrics)), metrics, strict=True):
        cell.metric(label, value, help=help_text)


def show_panel(panel: Panel) -> None:
    """Render a Panel (insight.panel): its heading, then its notice alone, or its headline numbers, chart, captions,
    text, table with download and warning."""
    if panel.heading:
        st.subheader(panel.heading)
    if panel.notice:
        st.info(panel.notice)
        return
    if panel.metrics:
        show_metrics(panel.metrics)
    if panel.figure is not None:
        show_chart(panel.figure, filename=panel.filename)
    for caption in panel.captions:
        st.caption(caption)
    if panel.text:
        st.markdown(panel.text)
    if panel.table is not None and panel.table_shown:
        show_grid(panel.table, formats=panel.formats)
    if panel.table is not None and panel.downloadable:
        download = panel.table if panel.table_download is None else panel.table_download
        download_csv(download, filename=panel.table_filename, label=panel.table_label)
    if panel.warning:
        st.warning(panel.warning, icon=panel.warning_icon)


def show_chart(fig: Any, *, filename: str, key: str | None = None) -> None:
    """Render a Plotly figure full width with the modebar PNG download named `filename`."""
    from insight.charts import plotly_config  # local import: charts sits below this module

    if any(trace.type == "choropleth" for trace in getattr(fig, "data", ())) and not static_serving():
        st.warning(
            "This map cannot be drawn: the app was started without its settings, so it does not serve the small "
            "file its maps load. Start it from the project folder with `bash scripts/run.sh`."
        )
        return
    st.plotly_chart(fig, width="stretch", theme=None, config=plotly_config(filename), key=key)


@functools.cache
def _raster_map() -> Callable[..., Any]:
    """The raster map viewer (insight/assets/raster_map.js, on Leaflet), registered once per process."""
    return st.components.v2.component(
        "vcs_insight_raster_map",
        css=(config.ASSETS_DIR / "leaflet" / "leaflet.css").read_text()
        + (config.ASSETS_DIR / "raster_map.css").read_text(),
        js=(config.ASSETS_DIR / "raster_map.js").read_text(),
    )


def static_serving() -> bool:
    """True when the app serves static/ (the project's .streamlit/config.toml turns it on)."""
    return bool(st.get_option("server.enableStaticServing"))


def show_raster_map(payload: bytes, *, key: str = "raster_map") -> None:
    """Render a packed raster map (insight.maps.national) on Leaflet: zoom, pan, exact hover, PNG download."""
    _raster_map()(data=payload, key=key, height="content")


def show_table(
    frame: Any,
    *,
    filename: str,
    label: str = "Download table (CSV)",
    key: str | None = None,
    styled: Any = None,
    formats: dict[str, str] | None = None,
    download: Any = None,
) -> None:
    """Render a table (or its pandas Styler `styled`) with a CSV download of `frame` (formula-safe, Excel-readable),
    or of `download` when given (a protected table's download writes hidden cells as [c]).

    Number columns show thousands separators; formats gives a column its own number format ("percent", "%.2f").
    """
    show_grid(frame, styled=styled, formats=formats)
    download_csv(frame if download is None else download, filename=filename, label=label, key=key)


def show_grid(frame: Any, *, styled: Any = None, formats: Mapping[str, str] | None = None) -> None:
    """Render a table (or its pandas Styler `styled`) full width: number columns show thousands separators, formats
    gives a column its own number format ("percent", "%.2f")."""
    numbers = {
        column: st.column_config.NumberColumn(format="localized")  # 1,234.5: thousands separators for people
        for column in getattr(frame, "columns", [])
        if str(frame[column].dtype) in {"float64", "int64", "Int64", "Float64", "int32"}
    } | number_formats(formats or {})
    st.dataframe(frame if styled is None else styled, width="stretch", hide_index=True, column_config=numbers)


def number_formats(formats: Mapping[str, str]) -> dict[str, Any]:
    """Streamlit column settings giving each column its number format ("percent", "%.2f", "localized")."""
    return {column: st.column_config.NumberColumn(format=fmt) for column, fmt in formats.items()}


SENT_WITH_PAGE_ROWS = 20_000  # tables up to this size travel with the page; bigger ones are built on click


def download_data(frame: Any, build: Callable[[Any], bytes]) -> bytes | Callable[[], bytes]:
    """A download's data: a small table's bytes now (the click downloads at once, no round trip to the server,
    which once failed to answer under load in CI), a big table's built only when clicked."""
    return build(frame) if len(frame) <= SENT_WITH_PAGE_ROWS else partial(build, frame)


def download(label: str, data: Any, file_name: str, mime: str, *, key: str | None = None) -> None:
    """Every download button: a click fetches the file and leaves the page as it is (no rerun, which would also
    replace a file built on click before the browser asked for it)."""
    st.download_button(label, data, file_name, mime, key=key, on_click="ignore")


def download_csv(frame: Any, *, filename: str, label: str = "Download table (CSV)", key: str | None = None) -> None:
    """A CSV download of `frame` (formula-safe, Excel-readable); a big table is built when clicked."""
    from insight.export import to_csv_bytes

    download(label, download_data(frame, to_csv_bytes), f"{filename}.csv", "text/csv", key=key or f"csv_{filename}")


def download_table(frame: Any, *, filename: str) -> None:
    """CSV and Parquet downloads of `frame` side by side (a big table's built when clicked)."""
    from insight.export import to_parquet_bytes

    csv, parquet = st.columns(2)
    with csv:
        download_csv(frame, filename=filename, label="Download CSV")
    with parquet:
        download(
            "Download Parquet",
            download_data(frame, to_parquet_bytes),
            f"{filename}.parquet",
            "application/octet-stream",
        )


def sql_box(
    run: Callable[[str], SqlRun], *, example: str, from_link: Callable[[object], str | None], key: str = "ex"
) -> None:
    """A read-only SQL box kept in the URL as ?sql=: a link's query (from_link reads the parameter) fills the box and
    runs once per session, else `example` waits for the button. Shows the run's refusal, or its size in words, its
    cells and a CSV download; a query run is written into the URL when short enough to share (SqlRun.link)."""
    linked = from_link(st.query_params.get("sql"))
    sql = st.text_area("SQL", linked or example, height=140, key=f"{key}_sql")
    if st.button("Run query", type="primary", key=f"{key}_run") or (linked and f"{key}_result" not in st.session_state):
        st.session_state[f"{key}_result"] = ran = run(sql)
        if ran.link:
            st.query_params["sql"] = ran.link
    shown: SqlRun | None = st.session_state.get(f"{key}_result")
    if shown is not None and shown.error:
        st.error(shown.error)
    elif shown is not None:
        st.markdown(shown.sentence)
        st.dataframe(shown.shown, hide_index=True)  # the grid's own CSV download takes cells as shown
        download_csv(shown.result, filename="query", label="Download query result (CSV)")
