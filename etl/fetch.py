"""Obtain a source's files: from a mirror folder when given, else from the official URL into a cache."""

from __future__ import annotations

import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from tqdm import tqdm

from etl.source import Distribution, RemoteFile, Source, SourceError

RETRIES = 3
TIMEOUT_S = 60
CHUNK = 1 << 20


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


def in_mirror(distribution: Distribution, mirror: Path) -> bool:
    return all(f.mirror_path and (mirror / f.mirror_path).is_file() for f in distribution.files)


def fetch(source: Source, *, mirror: Path | None, cache: Path) -> Fetched | None:
    """Choose a distribution and return its local files, verified.

    With a mirror: the first distribution whose files are all present there (no network).
    Without: the first official distribution, downloaded. Returns None when an optional
    source is absent from the mirror; raises SourceError for a required one.
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
            raise SourceError(source.source_id, source.landing_url, "no official distribution to download")
        paths = {f.key: download(source.source_id, f, cache) for f in chosen.files}
    sums = {f.key: verify(source.source_id, f, paths[f.key]) for f in chosen.files}
    return Fetched(chosen, paths, sums)
