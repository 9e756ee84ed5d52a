"""Command line: `python -m etl build [--db PATH] [--mirror DIR] [--refresh SOURCE]`, `status` and `sources`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from etl import paths
from etl.build import build
from etl.listing import run_sources
from etl.source import SourceError, ValidationError
from etl.sources import all_sources


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="download (or read the mirror), validate and build the database")
    build_cmd.add_argument("--db", type=Path, default=paths.DEFAULT_DB, help="database file to (re)build")
    build_cmd.add_argument("--mirror", type=Path, default=None, help="local mirror folder (else $VCS_INSIGHT_MIRROR)")
    build_cmd.add_argument("--cache", type=Path, default=paths.RAW_CACHE, help="download cache folder")
    build_cmd.add_argument("--if-missing", action="store_true", help="do nothing when the database already exists")
    build_cmd.add_argument(
        "--refresh",
        action="append",
        default=[],
        metavar="SOURCE",
        help="download this source again even if cached (repeatable; 'all' for every source)",
    )
    status_cmd = sub.add_parser("status", help="print the provenance table of a built database")
    status_cmd.add_argument("--db", type=Path, default=paths.DEFAULT_DB)
    sources_cmd = sub.add_parser("sources", help="list every source: URL, licence, vintage, loaded by the last build")
    sources_cmd.add_argument("--db", type=Path, default=paths.DEFAULT_DB, help="database of the last build")
    return parser.parse_args(argv)


def run_build(args: argparse.Namespace) -> int:
    if args.if_missing and args.db.exists():
        print(f"{args.db} exists; not rebuilding")
        return 0
    mirror = args.mirror or paths.mirror_from_env()
    if mirror is not None and not mirror.is_dir():
        print(f"build failed: mirror folder {mirror} does not exist", file=sys.stderr)
        return 2
    started = time.perf_counter()
    sources = all_sources()
    if unknown := sorted(set(args.refresh) - {s.source_id for s in sources} - {"all"}):
        print(
            f"build failed: unknown source(s) to refresh: {', '.join(unknown)} (see python -m etl sources)",
            file=sys.stderr,
        )
        return 2
    try:
        report = build(args.db, sources=sources, mirror=mirror, cache=args.cache, refresh=args.refresh)
    except (SourceError, ValidationError) as error:
        print(f"build failed: {one_line(error)}. The previous database (if any) is unchanged.", file=sys.stderr)
        return 1
    except (OSError, duckdb.Error) as error:  # e.g. disk full while writing the new database
        print(
            f"build failed while building {args.db}: {type(error).__name__}: {one_line(error)}. "
            "The previous database (if any) is unchanged.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("build interrupted. The previous database (if any) is unchanged.", file=sys.stderr)
        return 130
    for table, count in report.tables.items():
        print(f"  {table:<28} {count:>10,} rows")
    for source_id in report.missing:
        print(f"  not loaded: {source_id} ({report.reasons.get(source_id, 'absent')})")
    print(f"built {args.db} in {time.perf_counter() - started:.1f} s")
    return 0


def one_line(error: BaseException) -> str:
    """The error message on one line (DuckDB messages carry line breaks and caret diagrams)."""
    return " ".join(str(error).split())


def run_status(args: argparse.Namespace) -> int:
    if not args.db.exists():
        print(f"no database at {args.db}; build it with: python -m etl build", file=sys.stderr)
        return 1
    with duckdb.connect(str(args.db), read_only=True) as con:
        frame = con.execute(
            "SELECT source_id, vintage, distribution, file_name, rows, left(sha256, 12) AS sha256, loaded_at "
            "FROM provenance ORDER BY source_id, file_name"
        ).df()
        missing = con.execute("SELECT source_id, reason FROM missing_layers ORDER BY 1").fetchall()
    print(frame.to_string(index=False))
    for source_id, reason in missing:
        print(f"not loaded: {source_id} ({reason})")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    commands = {"build": run_build, "status": run_status, "sources": run_sources}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
