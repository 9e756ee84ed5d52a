"""Obtain a source's files: from a mirror folder when given, else from the official URLs into a cache.

`resolve_url` (etl.fetch.web) is the one switch between the real publishers and a stand-in host
(VCS_INSIGHT_OFFICIAL_HOST); `download` (etl.fetch.files) caches, resumes and verifies one file;
ArcGIS layers are paged in object-id order by etl.fetch.arcgis; `current` (etl.fetch.discover) asks the
publisher for a file's current URL where the source declares how; an index file (`RemoteFile.expand`) is
followed to the files it lists, skipping (and reporting) each that fails.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

from etl.fetch.discover import current
from etl.fetch.files import check_published, download, sha256_of
from etl.fetch.web import OFFICIAL_HOST_ENV, USER_AGENT, resolve_url
from etl.source import Distribution, RemoteFile, Source, SourceError

__all__ = [
    "OFFICIAL_HOST_ENV",
    "USER_AGENT",
    "Fetched",
    "current",
    "download",
    "fetch",
    "official_distribution",
    "resolve_url",
    "sha256_of",
    "verify",
]


@dataclass(frozen=True)
class Fetched:
    """The distribution chosen for a source (with the files actually used) and the local path of each.

    skipped: files listed by an index that could not be obtained, by URL, with the one-line reason.
    """

    distribution: Distribution
    paths: dict[str, Path]
    sha256: dict[str, str]
    skipped: dict[str, str] = field(default_factory=dict)


def verify(source_id: str, remote: RemoteFile, path: Path) -> str:
    """Check size and checksum where the publisher's bytes are known; return the sha256."""
    return check_published(source_id, remote, path)


def in_mirror(distribution: Distribution, mirror: Path) -> bool:
    return all(f.mirror_path and (mirror / f.mirror_path).is_file() for f in distribution.files)


def official_distribution(source: Source) -> Distribution | None:
    """The distribution an online build downloads: the first official one."""
    return next((d for d in source.distributions if d.official), None)


def from_mirror(source: Source, mirror: Path) -> tuple[Distribution, dict[str, Path]] | None:
    """The first distribution whose files are all in the mirror, or None for an absent optional source.

    Raises:
        SourceError: a required source has no accepted distribution in the mirror.
    """
    chosen = next((d for d in source.distributions if in_mirror(d, mirror)), None)
    if chosen is None:
        if not source.required:
            return None
        wanted = "; ".join(f.mirror_path or f.url for d in source.distributions for f in d.files)
        raise SourceError(
            source.source_id, str(mirror), f"no accepted distribution in the mirror (looked for {wanted})"
        )
    return chosen, {f.key: mirror / f.mirror_path for f in chosen.files}  # type: ignore[operator]


def fetch(source: Source, *, mirror: Path | None, cache: Path, refresh: bool = False) -> Fetched | None:
    """Choose a distribution and return its local files, verified.

    With a mirror: the first distribution whose files are all present there (no network).
    Without: the first official distribution, downloaded (or reused from the cache unless `refresh`).
    Returns None when an optional source is absent from the mirror, or has no official distribution
    to download; raises SourceError for a required one, and for any download or verification failure.
    """
    skipped: dict[str, str] = {}
    if mirror is not None:
        found = from_mirror(source, mirror)
        if found is None:
            return None
        chosen, paths = found
    else:
        official = official_distribution(source)
        if official is None:
            if not source.required:
                return None
            raise SourceError(source.source_id, source.landing_url, "no official distribution to download")
        files = tuple(current(source.source_id, f) for f in official.files)
        paths = {f.key: download(source.source_id, f, cache, refresh=refresh) for f in files}
        listed, skipped = follow_indexes(source.source_id, files, paths, cache=cache, refresh=refresh)
        chosen = dataclasses.replace(official, files=files + tuple(listed))
        paths |= {f.key: p for f, p in listed.items()}
    sums = {f.key: verify(source.source_id, f, paths[f.key]) for f in chosen.files}
    return Fetched(chosen, paths, sums, skipped)


def follow_indexes(
    source_id: str, files: tuple[RemoteFile, ...], paths: dict[str, Path], *, cache: Path, refresh: bool
) -> tuple[dict[RemoteFile, Path], dict[str, str]]:
    """Download every file listed by the index files among `files`; a file that fails is skipped, not fatal.

    Raises:
        SourceError: an index cannot be read (its layout changed): nothing of the source is loaded.
    """
    listed: dict[RemoteFile, Path] = {}
    skipped: dict[str, str] = {}
    for index in files:
        if index.expand is None:
            continue
        try:
            entries = index.expand(paths[index.key])
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
            problem = f"index not readable ({type(error).__name__}: {error})"
            raise SourceError(source_id, index.file_name, problem) from error
        for entry in entries:
            try:
                listed[entry] = download(source_id, entry, cache, refresh=refresh)
            except SourceError as error:
                skipped[entry.url] = error.problem
                print(f"[{source_id}] skipped {entry.file_name}: {error.problem}", file=sys.stderr)
    return listed, skipped
