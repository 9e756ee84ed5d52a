"""Obtain a source's files: from a mirror folder when given, else from the official URLs into a cache.

`resolve_url` (etl.fetch.web) is the one switch between the real publishers and a stand-in host
(VCS_INSIGHT_OFFICIAL_HOST); `download` (etl.fetch.files) caches, resumes and verifies one file;
ArcGIS layers are paged in object-id order by etl.fetch.arcgis.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from etl.fetch.files import check_published, download, sha256_of
from etl.fetch.web import OFFICIAL_HOST_ENV, USER_AGENT, resolve_url
from etl.source import Distribution, RemoteFile, Source, SourceError

__all__ = [
    "OFFICIAL_HOST_ENV", "USER_AGENT", "Fetched", "download", "fetch", "official_distribution", "resolve_url",
    "sha256_of", "verify",
]  # fmt: skip


@dataclass(frozen=True)
class Fetched:
    """The distribution chosen for a source and the local path of each of its files."""

    distribution: Distribution
    paths: dict[str, Path]
    sha256: dict[str, str]


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
    if mirror is not None:
        found = from_mirror(source, mirror)
        if found is None:
            return None
        chosen, paths = found
    else:
        chosen = official_distribution(source)
        if chosen is None:
            if not source.required:
                return None
            raise SourceError(source.source_id, source.landing_url, "no official distribution to download")
        paths = {f.key: download(source.source_id, f, cache, refresh=refresh) for f in chosen.files}
    sums = {f.key: verify(source.source_id, f, paths[f.key]) for f in chosen.files}
    return Fetched(chosen, paths, sums)
