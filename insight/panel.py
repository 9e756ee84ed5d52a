"""What one section or tab of a page shows, as plain data: the page renders it (ui.show_panel), tests read it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Panel:
    """In order: a heading, a notice (shown instead of everything else when there is nothing to draw), headline
    numbers, a chart, captions, text, a table with its CSV download (or the download alone, or the table alone), and a
    warning.

    figure is a Plotly figure; filename names its PNG download. formats gives table columns their own number format
    ("percent", "%.2f"), as ui.show_table takes them. table_download is what the CSV download writes when it is not
    the table as shown (a protected table's download writes hidden cells as [c]); downloadable=False shows the table
    without a download. metrics are (label, value, help or None) side by side (ui.show_metrics); warning_icon is a
    Material icon (":material/visibility_off:").
    """

    notice: str | None = None
    figure: Any = None
    filename: str = "chart"
    captions: tuple[str, ...] = ()
    text: str | None = None
    table: pd.DataFrame | None = None
    table_filename: str = "table"
    table_label: str = "Download table (CSV)"
    formats: dict[str, str] = field(default_factory=dict)
    table_shown: bool = True
    heading: str | None = None
    table_download: pd.DataFrame | None = None
    metrics: tuple[tuple[str, str, str | None], ...] = ()
    downloadable: bool = True
    warning: str | None = None
    warning_icon: str | None = None


@dataclass(frozen=True)
class ExampleOffer:
    """An example file offered beside a file chooser while no file is chosen (ui.file_or_example).

    title heads the offer, blurb says what the file is; formats: format → its name in the format chooser; file(format)
    is the example as the page reads an upload (name, file_id, getvalue()); download(format) is its download button's
    data, file name and MIME type; notice(file name) is said above the page while the example is shown.
    """

    title: str
    blurb: str
    formats: Mapping[str, str]
    file: Callable[[str], Any]
    download: Callable[[str], tuple[bytes, str, str]]
    notice: Callable[[str], str]
