"""Tiny invented sources for the ETL fault tests, a loopback file server, and a child entry point.

`python -u -m tests.etl.fake_sources STAGE DB MIRROR CACHE [URL]` runs the real CLI (`etl.__main__.main`)
with a fake source that stalls at STAGE (fetch, load, derive, validate, replace) so a test can SIGKILL it
there; STAGE=ok builds normally. A marker file `<DB>.at-<STAGE>` says the stage has been reached.
"""

from __future__ import annotations

import http.server
import io
import os
import sys
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from etl import checks
from etl.source import Distribution, Frames, RemoteFile, Source, require_columns

SOURCE_ID = "fake_lad"
HEADER = ("LAD24CD", "LAD24NM")
# Invented districts with well-formed English GSS codes.
ROWS_V1 = (("E06999001", "Invented Town"), ("E06999002", "Invented Vale"), ("E07999003", "Invented Downs"))
ROWS_V2 = (*ROWS_V1, ("E08999004", "Invented Metro"))
CSV_PATH = "fake/lad_names.csv"
# The real cross-source checks that apply to a build holding only these districts.
FAKE_BUILD_CHECKS = (checks.check_gss_prefixes, checks.check_unique_keys)


def csv_text(rows: tuple[tuple[str, str], ...], *, header: tuple[str, str] = HEADER) -> str:
    return "\n".join([",".join(header), *(f'{code},"{name}"' for code, name in rows)]) + "\n"


def write_mirror(mirror: Path, rows: tuple[tuple[str, str], ...] = ROWS_V1) -> Path:
    """Write the fake publisher's CSV into a mirror folder; return its path."""
    path = mirror / CSV_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text(rows))
    return path


def areas_frame(frame: pd.DataFrame, file_name: str) -> Frames:
    require_columns(frame, list(HEADER), source_id=SOURCE_ID, file_name=file_name)
    return {"areas": pd.DataFrame({"code": frame["LAD24CD"], "name": frame["LAD24NM"], "level": "lad24"})}


def read_csv(paths: Mapping[str, Path]) -> Frames:
    return areas_frame(pd.read_csv(paths["lad"], dtype=str), paths["lad"].name)


def read_zip(paths: Mapping[str, Path]) -> Frames:
    with zipfile.ZipFile(paths["lad"]) as archive:
        frame = pd.read_csv(io.BytesIO(archive.read("lad_names.csv")), dtype=str)
    return areas_frame(frame, paths["lad"].name)


def read_xlsx(paths: Mapping[str, Path]) -> Frames:
    return areas_frame(pd.read_excel(paths["lad"], dtype=str), paths["lad"].name)


def fake_source(
    *,
    mirror_path: str = CSV_PATH,
    reader=read_csv,
    url: str = "http://127.0.0.1:9/lad_names.csv",
    sha256: str | None = None,
    size: int | None = None,
    derive_sql: str = "",
) -> Source:
    """A one-file source in the shape the real source modules declare."""
    remote = RemoteFile("lad", url, mirror_path=mirror_path, sha256=sha256, size=size)
    return Source(
        source_id=SOURCE_ID,
        title="Invented district names",
        publisher="Nobody (test fixture)",
        licence="none",
        vintage="test",
        landing_url=url,
        distributions=(Distribution("fake csv", (remote,), reader),),
        derive_sql=derive_sql,
    )


def db_rows(db: Path) -> list[tuple]:
    """The areas rows of a database, opened read-only."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT code, name FROM areas ORDER BY code").fetchall()


def leftovers(db: Path) -> list[str]:
    """Temp files a build left beside the database."""
    return sorted(p.name for p in db.parent.glob(f".{db.name}.building-*"))


class FileServer(http.server.ThreadingHTTPServer):
    """Serves one body on 127.0.0.1.

    mode: ok; truncate (promise the length, send a third); unsized (no length, send a third); stall (send
    a third, go quiet); flaky (truncate once, then ok); drip (a byte at a time).
    """

    daemon_threads = True

    def __init__(self, body: bytes, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.body, self.mode, self.requests = body, mode, 0
        self.started = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/lad_names.csv"


class Handler(http.server.BaseHTTPRequestHandler):
    server: FileServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        server = self.server
        server.requests += 1
        server.started.set()
        self.send_response(200)
        if server.mode == "unsized":  # no length: the body ends when the connection closes, here early
            self.end_headers()
            self.wfile.write(server.body[: len(server.body) // 3])
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(server.body)))
        self.end_headers()
        if server.mode == "ok" or (server.mode == "flaky" and server.requests > 1):
            self.wfile.write(server.body)
        elif server.mode == "drip":
            for byte in server.body * 1000:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        else:  # truncate / stall: promise the whole body, send a third of it, then hang up / go quiet
            self.wfile.write(server.body[: len(server.body) // 3])
            self.wfile.flush()
            if server.mode == "stall":
                time.sleep(3)
        self.close_connection = True

    def log_message(self, *_args) -> None:
        pass


@contextmanager
def file_server(body: bytes, *, mode: str) -> Iterator[FileServer]:
    server = FileServer(body, mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def marker(db: Path, stage: str) -> Path:
    return db.with_name(f"{db.name}.at-{stage}")


def stall(db: Path, stage: str) -> None:
    """Say the stage has been reached, then wait to be killed."""
    marker(db, stage).touch()
    time.sleep(600)


def staged_source(stage: str, db: Path, url: str) -> Source:
    """The fake source, arranged to stall at one stage of the build."""
    if stage == "fetch":
        return fake_source(url=url, mirror_path="absent/lad_names.csv")
    if stage == "load":
        return fake_source(reader=lambda paths: stall(db, "load") or read_csv(paths))
    if stage == "derive":
        at = marker(db, "derive")
        slow = "CREATE TABLE spin AS SELECT count(*) FROM range(1000000) a, range(1000000) b"
        return fake_source(derive_sql=f"COPY (SELECT 1) TO '{at}' (FORMAT csv); {slow};")
    return fake_source()


def child_main(argv: list[str]) -> int:
    """Run the real CLI with the staged fake source (see the module docstring)."""
    import etl.__main__ as cli

    stage, db, mirror, cache = argv[0], Path(argv[1]), argv[2], argv[3]
    url = argv[4] if len(argv) > 4 else "http://127.0.0.1:9/"
    source = staged_source(stage, db, url)
    cli.all_sources = lambda: [source]
    checks.CHECKS = FAKE_BUILD_CHECKS
    if stage == "validate":
        checks.CHECKS = (*FAKE_BUILD_CHECKS, lambda _con: stall(db, "validate") or [])
    if stage == "replace":
        os.replace = lambda *_args: stall(db, "replace")  # this child process only
    args = ["build", "--db", str(db), "--cache", cache]
    if stage == "fetch":
        os.environ.pop("VCS_INSIGHT_MIRROR", None)  # download from the loopback server
        return cli.main(args)
    return cli.main([*args, "--mirror", mirror])


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
