"""The SQL box refuses or bounds hostile statements, leaves the database unchanged and keeps serving."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import duckdb
import pytest

from insight import sql_sandbox
from insight.sql_rules import MAX_SQL_CHARS, SqlRefused
from insight.sql_sandbox import run_readonly_sql

ROWS, SECONDS = 50, 1.0
SCHEMA_HINT = "only the tables of the VCS Insight database"
NOT_SELECT = "Only SELECT (or WITH ... SELECT) queries are allowed"
STOPPED = "ran longer than 1 s and was stopped"
MEMORY = "needed more memory than the SQL box allows"

# (id, statement, fragment the user-facing message must contain). Each must be refused or stopped.
HOSTILE = [
    ("read_csv", "SELECT * FROM read_csv('/etc/passwd')", "table function read_csv()"),
    ("read_csv_auto", "SELECT * FROM read_csv_auto('/etc/passwd')", "table function read_csv_auto()"),
    ("read_text", "SELECT content FROM read_text('/etc/passwd')", "table function read_text()"),
    ("read_blob", "SELECT content FROM read_blob('/etc/hostname')", "table function read_blob()"),
    ("read_parquet", "SELECT * FROM read_parquet('/tmp/any.parquet')", "table function read_parquet()"),
    ("read_json", "SELECT * FROM read_json('/etc/os-release')", "table function read_json()"),
    ("glob", "SELECT * FROM glob('/*')", "table function glob()"),
    ("file_as_table", "SELECT * FROM '/etc/passwd'", "no table '/etc/passwd'"),
    ("csv_replacement_scan", "SELECT * FROM 'data/raw/anything.csv'", "no table 'data/raw/anything.csv'"),
    ("file_in_subquery", "SELECT * FROM areas WHERE code IN (SELECT * FROM read_text('/etc/passwd'))", "read_text()"),
    ("file_in_cte", "WITH t AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM t", "read_csv()"),
    ("query_function", "SELECT * FROM query('SELECT * FROM duckdb_databases()')", "table function query()"),
    ("query_table", "SELECT * FROM query_table('areas')", "table function query_table()"),
    ("duckdb_databases", "SELECT path FROM duckdb_databases()", "table function duckdb_databases()"),
    ("duckdb_settings", "SELECT * FROM duckdb_settings()", "table function duckdb_settings()"),
    ("pragma_fn", "SELECT * FROM pragma_database_list()", "pragma_database_list()"),
    ("system_catalog", "SELECT * FROM system.main.duckdb_settings", "outside the VCS Insight database"),
    ("pg_catalog", "SELECT * FROM pg_catalog.pg_settings", "outside the VCS Insight database"),
    ("sqlite_master", "SELECT * FROM sqlite_master", "no table 'sqlite_master'"),
    ("getenv", "SELECT getenv('HOME')", "function getenv()"),
    ("current_setting", "SELECT current_setting('temp_directory')", "function current_setting()"),
    ("show_databases", "SHOW DATABASES", "Only SHOW TABLES, DESCRIBE and SUMMARIZE"),
    ("copy_to", "COPY (SELECT * FROM areas) TO '/tmp/vcs_insight_leak.csv'", f"{NOT_SELECT}; this is a COPY"),
    ("copy_from", "COPY areas FROM '/etc/passwd'", "this is a COPY"),
    ("export_database", "EXPORT DATABASE '/tmp/vcs_insight_export'", "this is a EXPORT"),
    ("attach", "ATTACH '/tmp/other.duckdb' AS other", "this is a ATTACH"),
    ("detach", "DETACH vcs_insight", "this is a DETACH"),
    ("install", "INSTALL httpfs", "this is a LOAD"),
    ("load", "LOAD httpfs", "this is a LOAD"),
    ("pragma", "PRAGMA database_list", "this is a PRAGMA"),
    ("set", "SET enable_external_access = true", "this is a SET"),
    ("reset", "RESET lock_configuration", "this is a SET"),
    ("call", "CALL pragma_version()", "this is a CALL"),
    ("create_table", "CREATE TABLE pwned AS SELECT 1", "this is a CREATE"),
    ("create_macro", "CREATE MACRO getenv2(x) AS x", "this is a CREATE"),
    ("insert", "INSERT INTO areas VALUES ('E01999999', 'Invented', 'lsoa21', NULL)", "this is a INSERT"),
    ("update", "UPDATE areas SET name = 'pwned'", "this is a UPDATE"),
    ("delete", "DELETE FROM areas", "this is a DELETE"),
    ("drop", "DROP TABLE areas", "this is a DROP"),
    ("alter", "ALTER TABLE areas RENAME TO gone", "this is a ALTER"),
    ("checkpoint", "CHECKPOINT", "this is a"),
    ("explain_analyze", "EXPLAIN ANALYZE SELECT * FROM areas", "this is a EXPLAIN"),
    ("quoted_function", "SELECT * FROM \"read_csv\"('/etc/passwd')", "table function read_csv()"),
    ("upper_case", "SeLeCt * FrOm ReAd_TeXt('/etc/passwd')", "table function read_text()"),
    ("qualified_function", "SELECT * FROM system.main.read_text('/etc/passwd')", "table function read_text()"),
    ("parquet_scan", "SELECT * FROM parquet_scan('/tmp/any.parquet')", "table function parquet_scan()"),
    ("from_first", "FROM glob('/etc/*')", "table function glob()"),
    ("lateral", "SELECT * FROM range(2) t(x), LATERAL (SELECT * FROM read_blob('/etc/hostname'))", "read_blob()"),
    ("nested_subquery", "SELECT * FROM (SELECT * FROM (FROM read_text('/etc/passwd')))", "read_text()"),
    ("union", "SELECT code FROM areas UNION ALL SELECT content FROM read_text('/etc/passwd')", "read_text()"),
    ("unnest_list", "SELECT unnest((SELECT list(content) FROM read_text('/etc/passwd')))", "read_text()"),
    ("describe_read", "DESCRIBE SELECT * FROM read_text('/etc/passwd')", "read_text()"),
    ("summarize_read", "SUMMARIZE SELECT * FROM read_csv('/etc/passwd')", "read_csv()"),
    ("double_quoted_file", 'SELECT * FROM "/etc/passwd"', "no table '/etc/passwd'"),
    ("url_as_table", "SELECT * FROM 'https://example.invalid/data.csv'", "no table 'https://example.invalid/data.csv'"),
    ("json_execute", "SELECT * FROM json_execute_serialized_sql('{}')", "json_execute_serialized_sql()"),
    ("duckdb_functions", "SELECT * FROM duckdb_functions()", "table function duckdb_functions()"),
    ("use", "USE memory", "this is a"),
    ("set_variable", "SET VARIABLE x = 1", "this is a SET"),
    ("vacuum", "VACUUM", "this is a"),
    ("injection", "SELECT 1; DROP TABLE areas", "Only one statement can be run at a time; this text holds 2"),
    ("injection_comment", "SELECT 1 -- harmless?\n; DROP TABLE areas", "this text holds 2"),
    ("comment_hides_nothing", "/* SELECT 1 */ DROP TABLE areas", "this is a DROP"),
    ("pivot", "PIVOT areas ON level", "PIVOT (multi-part)"),
    ("cross_join", "SELECT count(*) FROM range(1000000) a, range(1000000) b", STOPPED),
    ("cross_join_sum", "SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b", STOPPED),
    (
        "cross_join_tables",
        "SELECT max(a.name || b.name || d.range) FROM areas a, areas b, range(1000000000) d",
        STOPPED,
    ),
    (
        "recursive_bomb",
        "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t",
        STOPPED,
    ),
    ("sort_huge", "SELECT * FROM range(1000000000000) ORDER BY random()", STOPPED),
    ("count_huge", "SELECT count(*) FROM range(1000000000000)", STOPPED),
    ("repeat_bomb", "SELECT repeat('x', 4000000000)", MEMORY),
    ("wide_bomb", "SELECT repeat('x', 100000000) FROM range(40)", MEMORY),
    ("list_bomb", "SELECT range(1000000000)", MEMORY),
    ("aggregate_bomb", "SELECT list(range) FROM range(1000000000)", MEMORY),
    ("too_long", "SELECT '" + "x" * MAX_SQL_CHARS + "'", "characters long; the limit is 20,000"),
    ("deep_nesting", "SELECT " + "(" * 5000 + "1" + ")" * 5000, "Max expression depth"),
    ("unparseable", "SELEC * FROM areas", "could not be parsed"),
    ("empty", "  -- nothing\n", "Write a SELECT query"),
]


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A three-row invented database in the public schema's shape."""
    path = tmp_path_factory.mktemp("sandbox") / "tiny.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE areas (code VARCHAR, name VARCHAR, level VARCHAR, lad_code VARCHAR)")
        con.execute(
            "INSERT INTO areas VALUES ('E01999001', 'Invented A', 'lsoa21', 'E06999001'),"
            "('E01999002', 'Invented B', 'lsoa21', 'E06999001'), ('E06999001', 'Invented District', 'lad24', NULL)"
        )
    return path


@pytest.fixture(scope="module")
def original_sha(tiny_db: Path) -> str:
    return sha256(tiny_db)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(db: Path, sql: str, *, max_rows: int = ROWS):
    return run_readonly_sql(db, sql, max_rows=max_rows, timeout_s=SECONDS)


@pytest.mark.parametrize(("sql", "fragment"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE])
def test_hostile_statement_is_refused_or_bounded(tiny_db: Path, original_sha: str, sql: str, fragment: str) -> None:
    with pytest.raises(SqlRefused) as refused:
        run(tiny_db, sql)
    assert fragment in str(refused.value)
    assert "Traceback" not in str(refused.value)
    assert sha256(tiny_db) == original_sha


def test_after_the_battery_the_database_is_unchanged_and_serves(tiny_db: Path, original_sha: str) -> None:
    assert sha256(tiny_db) == original_sha
    assert run(tiny_db, "SELECT code FROM areas ORDER BY code")["code"].tolist() == [
        "E01999001",
        "E01999002",
        "E06999001",
    ]


def test_hostile_battery_is_large_enough() -> None:
    assert len(HOSTILE) >= 25


def test_table_functions_name_the_schema(tiny_db: Path) -> None:
    with pytest.raises(SqlRefused, match=SCHEMA_HINT):
        run(tiny_db, "SELECT * FROM read_csv('/etc/passwd')")


def test_copy_writes_no_file(tiny_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "leak.csv"
    with pytest.raises(SqlRefused):
        run(tiny_db, f"COPY (SELECT * FROM areas) TO '{target}'")
    assert not target.exists()


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("SELECT * FROM areas", 3),
        ("select code from areas where level = 'lsoa21';", 2),
        ("FROM areas", 3),
        ("WITH d AS (SELECT lad_code, count(*) AS n FROM areas GROUP BY ALL) SELECT * FROM d WHERE n = 2", 1),
        ("SELECT * FROM vcs_insight.main.areas", 3),
        ("SELECT table_name FROM information_schema.tables", 1),
        ("DESCRIBE areas", 4),
        ("SHOW TABLES", 1),
        ("SELECT * FROM range(3)", 3),
        ("SELECT unnest([1, 2])", 2),
        ("SELECT 1 /* ; DROP TABLE areas */", 1),
        ("WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t", 5),
    ],
)
def test_ordinary_queries_work(tiny_db: Path, sql: str, rows: int) -> None:
    frame = run(tiny_db, sql)
    assert len(frame) == rows
    assert frame.attrs == {"truncated": False, "max_rows": ROWS}


def test_row_cap_says_when_capped(tiny_db: Path) -> None:
    frame = run(tiny_db, "SELECT * FROM range(1000000) ORDER BY range LIMIT 1000", max_rows=10)
    assert frame["range"].tolist() == list(range(10))
    assert frame.attrs == {"truncated": True, "max_rows": 10}


def test_exact_cap_is_not_truncated(tiny_db: Path) -> None:
    assert run(tiny_db, "SELECT * FROM areas", max_rows=3).attrs["truncated"] is False


def test_values_and_order_come_back(tiny_db: Path) -> None:
    frame = run(tiny_db, "SELECT code, name FROM areas WHERE level = 'lsoa21' ORDER BY code DESC")
    assert frame.to_dict("records") == [
        {"code": "E01999002", "name": "Invented B"},
        {"code": "E01999001", "name": "Invented A"},
    ]


def test_query_errors_are_one_clear_line(tiny_db: Path) -> None:
    with pytest.raises(SqlRefused, match=r'^The query failed: Binder Error: Referenced column "nope" not found'):
        run(tiny_db, "SELECT nope FROM areas")


def test_missing_database_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(SqlRefused, match="python -m etl build"):
        run(tmp_path / "absent.duckdb", "SELECT 1")


def test_works_while_the_app_holds_the_database_open(tiny_db: Path) -> None:
    with duckdb.connect(str(tiny_db), read_only=True) as app_connection:
        assert len(run(tiny_db, "SELECT * FROM areas")) == 3
        assert app_connection.execute("SELECT count(*) FROM areas").fetchone() == (3,)


@pytest.mark.integration
def test_real_database_refuses_and_serves(built_db: Path) -> None:
    before = sha256(built_db)
    with pytest.raises(SqlRefused, match="this is a DROP"):
        run(built_db, "DROP TABLE imd_lsoa")
    with pytest.raises(SqlRefused, match="table function read_csv"):
        run(built_db, "SELECT * FROM read_csv('/etc/passwd')")
    frame = run(built_db, "SELECT edition, count(*) AS n FROM imd_lsoa GROUP BY edition ORDER BY edition")
    assert dict(zip(frame["edition"], frame["n"], strict=True))["IoD2025"] == 33_755
    assert sha256(built_db) == before


def test_repeated_column_names_are_made_unique(tiny_db: Path) -> None:
    frame = run(tiny_db, "SELECT code AS a, name AS a, level AS a FROM areas WHERE code = 'E06999001'")
    assert frame.to_dict("records") == [{"a": "E06999001", "a_1": "Invented District", "a_2": "lad24"}]


def test_busy_box_says_so(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_sandbox, "WORKERS", threading.BoundedSemaphore(1))
    sql_sandbox.WORKERS.acquire()  # someone else's query is running
    with pytest.raises(SqlRefused, match="busy with other people's queries"):
        run_readonly_sql(tiny_db, "SELECT 1", max_rows=1, timeout_s=0.1)


# Issue 19's examples: values Python cannot hold come back as text, the rest is refused with a clear message.
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT DATE '9999-12-31' + 1 AS d", {"d": "10000-01-01"}),
        ("SELECT 'infinity'::DATE AS d, '-infinity'::TIMESTAMP AS t", {"d": "infinity", "t": "-infinity"}),
        ("SELECT union_value(k := 1) AS u", {"u": "1"}),
        (
            "SELECT [[1, 2], [3]] AS l, {'a': 1} AS s, INTERVAL 3 DAY AS i",
            {"l": "[[1, 2], [3]]", "s": "{'a': 1}", "i": "3 days"},
        ),
        ("SELECT " + "(" * 300 + "1" + ")" * 300 + " AS x", {"x": 1}),
        ("SELECT 2::HUGEINT ** 70 AS h, 1.25::DECIMAL(10, 2) AS d", {"h": 2.0**70, "d": 1.25}),
    ],
    ids=["date_beyond_9999", "infinite", "union", "nested_and_interval", "deep_parentheses", "wide_numbers"],
)
def test_exotic_values_are_displayable(tiny_db: Path, sql: str, expected: dict) -> None:
    frame = run(tiny_db, sql)
    assert frame.to_dict("records") == [expected]
    assert all(str(dtype) in {"int32", "float64", "str", "string"} for dtype in frame.dtypes), frame.dtypes


@pytest.mark.parametrize(
    ("sql", "fragment"),
    [
        ("UPDATE EXTENSIONS", "Only SELECT (or WITH ... SELECT) queries are allowed; this is a non-SELECT statement"),
        ("WITH pg_settings AS (FROM pg_settings) SELECT * FROM pg_settings", "system state (duckdb_settings)"),
        ("WITH duckdb_databases AS (FROM duckdb_databases) FROM duckdb_databases", "(duckdb_databases)"),
        ("WITH duckdb_extensions AS (FROM duckdb_extensions()) FROM duckdb_extensions", "table function"),
        ("SELECT " + "[" * 300 + "1" + "]" * 300, "was stopped"),  # out of memory or time, whichever first
        ("SELECT repeat('x', 1000000) FROM range(60)", "results are limited to 64 MB"),
    ],
    ids=["update_extensions", "cte_pg_settings", "cte_duckdb_databases", "cte_extensions", "deep_list", "near_size"],
)
def test_issue_examples_are_refused_clearly(tiny_db: Path, original_sha: str, sql: str, fragment: str) -> None:
    with pytest.raises(SqlRefused) as refused:
        run(tiny_db, sql)
    assert fragment in str(refused.value)
    assert sha256(tiny_db) == original_sha


def test_catalog_listings_stay_allowed(tiny_db: Path) -> None:
    frame = run(tiny_db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'areas'")
    assert frame["column_name"].tolist() == ["code", "name", "level", "lad_code"]


def test_any_unexpected_failure_becomes_a_refusal(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ArithmeticError("invented failure")

    monkeypatch.setattr(sql_sandbox, "run_worker", broken)
    with pytest.raises(SqlRefused, match=r"could not be shown \(ArithmeticError: invented failure\)"):
        run(tiny_db, "SELECT 1")


def test_duckdb_own_guarantees_are_on(tiny_db: Path) -> None:
    """The walls that do not depend on the keyword checks: DuckDB's own settings, locked, and a read-only attach."""
    con = sql_sandbox.open_sandbox(tiny_db)
    try:
        settings = dict(con.execute("SELECT name, value FROM duckdb_settings()").fetchall())
        assert settings["enable_external_access"] == "false" and settings["lock_configuration"] == "true"
        assert settings["allowed_directories"] == "[]"
        assert all(str(tiny_db) in path for path in settings["allowed_paths"].strip("[]").split(", "))
        assert settings["autoload_known_extensions"] == settings["allow_community_extensions"] == "false"
        assert con.execute("SELECT readonly FROM duckdb_databases() WHERE database_name = 'vcs_insight'").fetchone()[0]
        for statement, error in [
            ("SET enable_external_access = true", duckdb.InvalidInputException),
            ("SELECT * FROM read_text('/etc/hostname')", duckdb.PermissionException),
            ("CREATE TABLE vcs_insight.main.pwned AS SELECT 1", duckdb.InvalidInputException),
            ("LOAD httpfs", duckdb.PermissionException),
        ]:
            with pytest.raises(error):
                con.execute(statement)
    finally:
        con.close()
