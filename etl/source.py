"""The vocabulary every source module uses: files, distributions, sources and the named errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

Frames = dict[str, pd.DataFrame]
Reader = Callable[[Mapping[str, Path]], Frames]


class SourceError(Exception):
    """A source could not be fetched, verified or parsed. The message names source and file."""

    def __init__(self, source_id: str, file_name: str, problem: str) -> None:
        self.source_id = source_id
        self.file_name = file_name
        self.problem = problem
        super().__init__(f"[{source_id}] {file_name}: {problem}")


class ValidationError(Exception):
    """The assembled database failed a cross-source check; the old database is kept."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a distribution.

    key: name the reader uses for this file.
    url: official download URL (for derived distributions: the publisher's file it re-packages).
    mirror_path: path of the same bytes (or the faithful re-packaging) inside a mirror folder.
    sha256 / size: the publisher's known bytes, verified when given.
    paging: "arcgis" for an ArcGIS FeatureServer query, fetched page by page into one file.
    name: local file name, for URLs that do not end in one (ArcGIS queries, ONS `file?uri=` links).
    discover: finds the current URL on the publisher's landing page or API (etl.fetch.discover); `url` is
        then the last known one, used when discovery fails.
    expand: for an index file listing further files (the 360Giving registry): given the downloaded index,
        the files it lists; each is downloaded, and one that fails is skipped and reported (etl.fetch).
    """

    key: str
    url: str
    mirror_path: str | None = None
    sha256: str | None = None
    size: int | None = None
    paging: str | None = None
    name: str | None = None
    discover: Callable[[Callable[[str], object]], str] | None = field(default=None, compare=False, repr=False)
    expand: Callable[[Path], list[RemoteFile]] | None = field(default=None, compare=False, repr=False)

    @property
    def file_name(self) -> str:
        if self.mirror_path:
            return Path(self.mirror_path).name
        return self.name or Path(self.url.split("?")[0]).name


@dataclass(frozen=True)
class Distribution:
    """One accepted way of obtaining a source: its files and the reader mapping them to tables.

    official=True means these are the publisher's bytes and can be downloaded from `url`.
    A derived distribution is only ever taken from a mirror folder.
    """

    name: str
    files: tuple[RemoteFile, ...]
    reader: Reader
    official: bool = True


@dataclass(frozen=True)
class Source:
    """A published dataset: who publishes it, under what licence, and how to read it."""

    source_id: str
    title: str
    publisher: str
    licence: str
    vintage: str
    landing_url: str
    distributions: tuple[Distribution, ...]
    required: bool = True
    # SQL run after every source has loaded (e.g. INSERTs into area_measures).
    derive_sql: str = ""
    notes: str = field(default="")


def require_columns(frame: pd.DataFrame, expected: list[str], *, source_id: str, file_name: str) -> None:
    """Raise SourceError naming the missing columns when a publisher's layout changed."""
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise SourceError(source_id, file_name, f"missing expected column(s): {', '.join(missing)}")
