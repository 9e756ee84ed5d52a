"""Obtain a source's files: from a mirror folder when given, else from the official URL into a cache."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from tqdm import tqdm

from etl.source import Distribution, RemoteFile, Source, SourceError

RETRIES = 3
TIMEOUT_S = 60
CHUNK = 1 << 20
# Features asked for per ArcGIS query page; a server with a lower maxRecordCount sends fewer and
# sets exceededTransferLimit, and the next page starts after the features actually received.
PAGE_SIZE = 2000


@dataclass(frozen=True)
class Fetched:
    """The distribution chosen for a source and the local path of each of its files."""

    distribution: Distribution
    paths: dict[str, Path]
    sha256: dict[str, str]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(source_id: str, remote: RemoteFile, path: Path) -> str:
    """Check size and checksum where the publisher's bytes are known; return the sha256."""
    if not path.is_file() or path.stat().st_size == 0:
        raise SourceError(source_id, remote.file_name, "file is missing or empty")
    if remote.size is not None and path.stat().st_size != remote.size:
        raise SourceError(
            source_id,
            remote.file_name,
            f"size {path.stat().st_size:,} bytes, expected {remote.size:,} (truncated or changed)",
        )
    digest = sha256_of(path)
    if remote.sha256 is not None and digest != remote.sha256:
        raise SourceError(
            source_id, remote.file_name, f"sha256 {digest[:12]}… does not match the published {remote.sha256[:12]}…"
        )
    return digest


def download(source_id: str, remote: RemoteFile, cache: Path) -> Path:
    """Download one official file with retries, a timeout and a progress bar; atomic within the cache."""
    target = cache / source_id / remote.file_name
    if target.is_file() and remote.sha256 and sha256_of(target) == remote.sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    if remote.paging == "arcgis":
        return download_arcgis(source_id, remote, target=target, partial=partial)
    last_error: Exception | None = None
    for attempt in range(1, RETRIES + 1):
        try:
            with requests.get(remote.url, stream=True, timeout=TIMEOUT_S) as response:
                response.raise_for_status()
                total = int(response.headers.get("content-length", 0)) or None
                with (
                    partial.open("wb") as out,
                    tqdm(
                        total=total, unit="B", unit_scale=True, desc=remote.file_name, file=sys.stderr, leave=False
                    ) as bar,
                ):
                    for block in response.iter_content(CHUNK):
                        out.write(block)
                        bar.update(len(block))
            partial.replace(target)
            return target
        except (requests.RequestException, OSError) as error:
            last_error = error
            time.sleep(min(2**attempt, 10))
    partial.unlink(missing_ok=True)
    raise SourceError(source_id, remote.file_name, f"download failed after {RETRIES} tries: {last_error}")


def page_url(url: str, offset: int) -> str:
    """The ArcGIS query URL for the page of features starting at `offset`."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("resultOffset", "resultRecordCount")]
    query += [("resultOffset", str(offset)), ("resultRecordCount", str(PAGE_SIZE))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def exceeded_limit(page: dict) -> bool:
    """Whether ArcGIS holds more features: top level in Esri JSON, under `properties` in GeoJSON."""
    return bool(page.get("exceededTransferLimit") or (page.get("properties") or {}).get("exceededTransferLimit"))


def query_page(source_id: str, remote: RemoteFile, offset: int) -> dict:
    """One page of an ArcGIS query, with retries and a timeout.

    Raises:
        SourceError: the page failed (HTTP, connection, bad JSON or an ArcGIS error) on every try.
    """
    last_error: Exception | None = None
    for attempt in range(1, RETRIES + 1):
        try:
            response = requests.get(page_url(remote.url, offset), timeout=TIMEOUT_S)
            response.raise_for_status()
            page = response.json()
            if not isinstance(page, dict) or "error" in page or not isinstance(page.get("features"), list):
                raise ValueError(f"not a feature page: {str(page)[:200]}")
            return page
        except (requests.RequestException, OSError, ValueError) as error:
            last_error = error
            time.sleep(min(2**attempt, 10))
    raise SourceError(
        source_id, remote.file_name, f"download failed after {RETRIES} tries at feature {offset:,}: {last_error}"
    )


def download_arcgis(source_id: str, remote: RemoteFile, *, target: Path, partial: Path) -> Path:
    """Every page of an ArcGIS FeatureServer query, combined into one GeoJSON / Esri JSON file atomically.

    Raises:
        SourceError: a page failed on every try.
    """
    first: dict | None = None
    features: list = []
    with tqdm(unit=" features", desc=remote.file_name, file=sys.stderr, leave=False) as bar:
        while True:
            page = query_page(source_id, remote, len(features))
            first = first or page
            features.extend(page["features"])
            bar.update(len(page["features"]))
            if not page["features"] or not exceeded_limit(page):
                break
    combined = {k: v for k, v in first.items() if k not in ("exceededTransferLimit", "properties")}
    combined["features"] = features
    try:
        partial.write_text(json.dumps(combined), encoding="utf-8")
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise SourceError(source_id, remote.file_name, f"could not write the combined pages: {error}") from error
    return target


def in_mirror(distribution: Distribution, mirror: Path) -> bool:
    return all(f.mirror_path and (mirror / f.mirror_path).is_file() for f in distribution.files)


def fetch(source: Source, *, mirror: Path | None, cache: Path) -> Fetched | None:
    """Choose a distribution and return its local files, verified.

    With a mirror: the first distribution whose files are all present there (no network).
    Without: the first official distribution, downloaded. Returns None when an optional
    source is absent from the mirror, or has no official distribution to download; raises
    SourceError for a required one.
    """
    if mirror is not None:
        chosen = next((d for d in source.distributions if in_mirror(d, mirror)), None)
        if chosen is None:
            if not source.required:
                return None
            wanted = "; ".join(f.mirror_path or f.url for d in source.distributions for f in d.files)
            raise SourceError(
                source.source_id, str(mirror), f"no accepted distribution in the mirror (looked for {wanted})"
            )
        paths = {f.key: mirror / f.mirror_path for f in chosen.files}  # type: ignore[operator]
    else:
        chosen = next((d for d in source.distributions if d.official), None)
        if chosen is None:
            if not source.required:
                return None
            raise SourceError(source.source_id, source.landing_url, "no official distribution to download")
        paths = {f.key: download(source.source_id, f, cache) for f in chosen.files}
    sums = {f.key: verify(source.source_id, f, paths[f.key]) for f in chosen.files}
    return Fetched(chosen, paths, sums)
