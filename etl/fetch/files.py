"""One official file into the download cache: resumable, verified before it enters the cache, reused while fresh.

Cache layout: `<cache>/<sha256(url)[:16]>/<file name>` plus `<file name>.json` recording the URL,
when it was fetched, its size, sha256 and the server's validator (ETag / Last-Modified). A cached file is
reused when its sha256 equals the published one, or (no published checksum) for MAX_AGE_DAYS after it was
fetched; `python -m etl build --refresh SOURCE` fetches a source again. An interrupted download keeps
`<file name>.part` and resumes with an HTTP Range request (guarded by If-Range) when the server named a
validator; otherwise it starts again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import urllib3
from tqdm import tqdm

from etl.fetch import arcgis
from etl.fetch.web import RETRIES, Permanent, Transient, get, html_instead_of_file, resolve_url, with_retries
from etl.source import RemoteFile, SourceError

CHUNK = 1 << 20
MAX_AGE_DAYS = 7


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_path(cache: Path, remote: RemoteFile) -> Path:
    """Where a file of this URL lives in the cache: one folder per URL, shared by the sources that use it
    (the ONS lookups serve several), so a changed URL is a new entry and no file is fetched twice."""
    return cache / hashlib.sha256(remote.url.encode()).hexdigest()[:16] / remote.file_name


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_fresh(target: Path, remote: RemoteFile, *, now: datetime) -> bool:
    """A cached file fit to reuse: same URL, and the published checksum or fetched within MAX_AGE_DAYS."""
    meta = read_json(sidecar(target, ".json"))
    if not target.is_file() or meta.get("url") != remote.url or meta.get("bytes") != target.stat().st_size:
        return False
    if remote.sha256:
        return meta.get("sha256") == remote.sha256
    try:
        fetched = datetime.fromisoformat(str(meta.get("fetched_at")))
    except ValueError:
        return False
    return now - fetched < timedelta(days=MAX_AGE_DAYS)


def validator_of(headers) -> str | None:
    """The server's strong-enough identity of the bytes: ETag (not weak) or Last-Modified."""
    etag = headers.get("etag")
    if etag and not etag.startswith("W/"):
        return etag
    return headers.get("last-modified")


def resume_from(partial: Path) -> tuple[int, dict[str, str]]:
    """Offset and headers for resuming a partial download; (0, {}) when it cannot be resumed safely."""
    validator = read_json(sidecar(partial, ".json")).get("validator")
    if not (validator and partial.is_file() and partial.stat().st_size):
        return 0, {}
    offset = partial.stat().st_size
    return offset, {"Range": f"bytes={offset}-", "If-Range": validator}


def forget_partial(partial: Path) -> None:
    partial.unlink(missing_ok=True)
    sidecar(partial, ".json").unlink(missing_ok=True)


def resumed_at(response, offset: int) -> bool:
    """True when the server answered the Range request with the bytes from `offset` on."""
    content_range = response.headers.get("content-range", "")
    return response.status_code == 206 and content_range.startswith(f"bytes {offset}-")


def arriving(raw) -> Iterator[bytes]:
    """The body as it arrives (read1), so the bytes before a cut connection reach the partial file."""
    while block := raw.read1(CHUNK):
        yield block


def fetch_body(remote: RemoteFile, partial: Path) -> None:
    """One attempt at the body, appended to `partial` when resuming.

    Raises:
        Transient: the connection failed or closed before the promised length; the partial is kept.
        Permanent: an HTTP 4xx or an HTML page instead of the file.
    """
    offset, headers = resume_from(partial)
    # identity: Range offsets count the bytes stored, not a compressed transfer of them
    with get(remote.url, headers=headers | {"Accept-Encoding": "identity"}, stream=True, allow=(416,)) as response:
        if response.status_code == 416:
            forget_partial(partial)
            raise Transient("HTTP 416 (the partial file no longer fits the server's); starting again")
        offset = offset if resumed_at(response, offset) else 0
        sidecar(partial, ".json").write_text(json.dumps({"validator": validator_of(response.headers)}))
        length = response.headers.get("content-length")
        expected = offset + int(length) if length and length.isdigit() else None
        blocks = arriving(response.raw)
        first = next(blocks, b"")
        if not offset and html_instead_of_file(first, response.headers.get("content-type", "")):
            forget_partial(partial)
            raise Permanent("an HTML page came back instead of the file (the link has probably moved)")
        try:
            write_blocks(partial, itertools.chain([first], blocks), append=bool(offset), total=expected, offset=offset)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            cut = short_body(partial, expected)
            raise Transient(cut or f"{type(error).__name__}: {error}") from error
    if cut := short_body(partial, expected):
        raise Transient(cut)


def short_body(partial: Path, expected: int | None) -> str:
    """Why the body is incomplete ('' when it is not, or its length was not promised)."""
    received = partial.stat().st_size if partial.exists() else 0
    if expected is None or received == expected:
        return ""
    return f"the connection closed after {received:,} of {expected:,} bytes"


def write_blocks(partial: Path, blocks: Iterable[bytes], *, append: bool, total: int | None, offset: int) -> None:
    """Write the body to `partial` with a progress bar (to stderr)."""
    with (
        partial.open("ab" if append else "wb") as out,
        tqdm(
            total=total, initial=offset, unit="B", unit_scale=True, desc=partial.stem, file=sys.stderr, leave=False
        ) as bar,
    ):
        for block in blocks:
            out.write(block)
            bar.update(len(block))


def check_published(source_id: str, remote: RemoteFile, path: Path) -> str:
    """Size and sha256 against the publisher's known bytes (when given); return the sha256.

    Raises:
        SourceError: the file is empty, or its size or checksum differs from the published one.
    """
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


def download(source_id: str, remote: RemoteFile, cache: Path, *, refresh: bool = False) -> Path:
    """The cached file for this official URL: reused when fresh, else downloaded, verified and cached.

    Raises:
        SourceError: one line naming source, file and URL (404, HTML page, retries exhausted, bad checksum).
    """
    target = cache_path(cache, remote)
    now = datetime.now(UTC).replace(tzinfo=None)
    if not refresh and is_fresh(target, remote, now=now):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = sidecar(target, ".part")
    try:
        if remote.paging == "arcgis":
            arcgis.download_layer(remote.url, partial, name=remote.file_name)
        else:
            with_retries(lambda: fetch_body(remote, partial))
    except Permanent as error:
        forget_partial(partial)
        raise SourceError(source_id, remote.file_name, f"{error} at {remote.url}") from error
    except Transient as error:
        if not read_json(sidecar(partial, ".json")).get("validator"):
            forget_partial(partial)  # cannot be resumed safely: do not keep it
        raise SourceError(
            source_id, remote.file_name, f"download failed after {RETRIES} tries: {error} at {remote.url}"
        ) from error
    try:
        digest = check_published(source_id, remote, partial)
    except SourceError:
        forget_partial(partial)
        raise
    commit(partial, target, url=remote.url, digest=digest, now=now)
    return target


def commit(partial: Path, target: Path, *, url: str, digest: str, now: datetime) -> None:
    """Move a verified download into the cache with its record."""
    meta: dict[str, object] = {
        "url": url,
        "requested": resolve_url(url),
        "fetched_at": now.isoformat(timespec="seconds"),
    }
    meta |= {"bytes": partial.stat().st_size, "sha256": digest}
    meta |= {"validator": read_json(sidecar(partial, ".json")).get("validator")}
    partial.replace(target)
    sidecar(partial, ".json").unlink(missing_ok=True)
    sidecar(target, ".json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
