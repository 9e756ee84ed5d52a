"""The online build rehearsed once per test session: `python -m etl build` with no mirror, every official host
played by the stand-in on 127.0.0.1 (VCS_INSIGHT_OFFICIAL_HOST), every other network connection refused.

Shared by tests/etl/test_online_rehearsal.py (what the build did) and tests/browser/test_rehearsal_jeopardy.py
(what the app shows on it) through the session fixture `rehearsal` in tests/conftest.py, so it runs only once.
Where the stand-in cannot hold the publisher's own bytes (files pinned by their published sha256 and size), the
pins are replaced by those of the served fixture, so the checksum code path still runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import etl.__main__ as cli
from etl.fetch import OFFICIAL_HOST_ENV, official_distribution
from etl.source import RemoteFile, Source
from etl.sources import all_sources
from tests.standin.content import collect
from tests.standin.server import LAYER_PATH, StandIn, body_of, serving

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@dataclass
class Rehearsal:
    db: Path
    exit_code: int
    output: str
    pending: list[str]
    standin: StandIn
    sources_listing: str
    seconds: float
    cache: Path

    def downloaded_bytes(self) -> dict[str, int]:
        """Bytes in the download cache per source (a file shared by two sources counts for both)."""
        records = [json.loads(p.read_text()) for p in self.cache.glob("*/*.json") if p.with_suffix("").is_file()]
        size_of = {record["url"]: record["bytes"] for record in records}
        sizes = {}
        for source in all_sources():
            files = getattr(official_distribution(source), "files", ())
            sizes[source.source_id] = sum(size_of.get(f.url, 0) for f in files)
        return sizes


def served(remote: RemoteFile, standin: StandIn) -> bool:
    """Whether the stand-in answers this official URL (a file, or a FeatureServer layer it holds)."""
    if remote.url in standin.files:
        return True
    match = LAYER_PATH.search(remote.url.split("?")[0])
    return bool(remote.paging == "arcgis" and match and match.group(1) in standin.layers)


def pinned_to_served(source: Source, standin: StandIn) -> Source:
    """The source with published sha256/size pins replaced by those of the stand-in's bytes (see docstring)."""
    official = official_distribution(source)
    if official is None or not any(f.sha256 or f.size for f in official.files):
        return source
    files = []
    for remote in official.files:
        if (remote.sha256 or remote.size) and remote.url in standin.files:
            body = body_of(standin.files[remote.url])
            remote = dataclasses.replace(remote, sha256=hashlib.sha256(body).hexdigest(), size=len(body))
        files.append(remote)
    replaced = dataclasses.replace(official, files=tuple(files))
    return dataclasses.replace(
        source, distributions=tuple(replaced if d is official else d for d in source.distributions)
    )


def pending_sources(sources: list[Source], standin: StandIn) -> list[str]:
    """Sources the stand-in cannot serve yet (no official distribution, or a file it does not hold)."""
    pending = []
    for source in sources:
        official = official_distribution(source)
        if official is None or not all(served(f, standin) for f in official.files):
            pending.append(source.source_id)
    return pending


def guarded(original):
    """socket.connect refusing every address but the loopback interface (the stand-in)."""

    def connect(self: socket.socket, address) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
            raise OSError(f"rehearsal: network blocked (tried {address})")
        return original(self, address)

    return connect


def run_cli(args: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(args)
    return code, out.getvalue()


def rehearse(work: Path, *, patch) -> Rehearsal:
    """One online build against the stand-in into `work` (a minute or two); `patch` is a pytest.MonkeyPatch."""
    standin = collect(work / "standin").standin()
    sources = [pinned_to_served(s, standin) for s in all_sources()]
    db = work / "out" / "vcs_insight.duckdb"
    with serving(standin):
        patch.delenv("VCS_INSIGHT_MIRROR", raising=False)
        patch.setenv(OFFICIAL_HOST_ENV, standin.base)
        patch.setattr(cli, "all_sources", lambda: sources)
        patch.setattr(socket.socket, "connect", guarded(socket.socket.connect))
        started = time.perf_counter()
        code, output = run_cli(["build", "--db", str(db), "--cache", str(work / "raw")])
        seconds = time.perf_counter() - started
        _, listing = run_cli(["sources", "--db", str(db)])
    pending = pending_sources(sources, standin)
    return Rehearsal(db, code, output, pending, standin, listing, seconds, work / "raw")
