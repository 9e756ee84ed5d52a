"""What the SQL box allows: one SELECT, over the VCS Insight tables, with a result every page can display.

Three walls, each on its own (docs/security.md): the statement's type (DuckDB's own parser), the names in its
syntax tree (table functions, system tables), and the bound plan (what the query would actually scan, which a
CTE named after a system view cannot disguise). Results are reshaped so that every column has a type pandas
and the data grid can hold: exotic values (dates beyond year 9999, intervals, unions, nested lists) become text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import duckdb

MAX_SQL_CHARS = 20_000
CATALOG = "vcs_insight"
# Table functions a query may call; every other one (read_csv, glob, query, duckdb_settings, ...) is refused.
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
DENIED_FUNCTIONS = frozenset({"getenv", "current_setting", "current_database", "current_catalog"})
DENIED_PREFIXES = ("duckdb_", "pragma_", "pg_")
# Scans the bound plan may contain: the allowed table functions and the catalog listings behind
# information_schema, SHOW TABLES and DESCRIBE. Settings, databases (file paths), extensions, secrets,
# memory and temporary files are not among them, however the query names them.
ALLOWED_PLAN_FUNCTIONS = frozenset(
    {"RANGE", "GENERATE_SERIES", "UNNEST", "DUCKDB_TABLES", "DUCKDB_VIEWS", "DUCKDB_COLUMNS", "DUCKDB_SCHEMAS"}
    | {"DUCKDB_CONSTRAINTS"}
)
# DuckDB type ids pandas and the data grid hold exactly; exact wide numbers become DOUBLE, everything else text.
PLAIN_TYPES = frozenset(
    {"boolean", "tinyint", "smallint", "integer", "bigint", "utinyint", "usmallint", "uinteger", "float", "double"}
    | {"varchar", "null"}
)
NUMBER_TYPES = frozenset({"ubigint", "hugeint", "uhugeint", "decimal"})
SCHEMA_HINT = "Queries can read only the tables of the VCS Insight database (see the Methods page and docs/schema.md)."


class SqlRefused(Exception):
    """The query was refused, stopped or failed; the message is written for the person who typed it."""


def single_select(sql: str) -> str:
    """Return the one SELECT statement in sql, or raise SqlRefused saying why not."""
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRefused(f"The query is {len(sql):,} characters long; the limit is {MAX_SQL_CHARS:,}.")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as error:
        raise SqlRefused(f"The SQL could not be parsed: {first_line(error)}") from error
    if not statements:
        raise SqlRefused("Write a SELECT query, for example: SELECT * FROM areas LIMIT 10")
    if len(statements) > 1:
        raise SqlRefused(f"Only one statement can be run at a time; this text holds {len(statements)}.")
    kind = statement_kind(statements[0])
    if kind != "SELECT":
        raise SqlRefused(f"Only SELECT (or WITH ... SELECT) queries are allowed; this is a {kind} statement.")
    return statements[0].query.strip().rstrip(";")


def statement_kind(statement: duckdb.Statement) -> str:
    """The statement's type name; types this DuckDB client does not name (e.g. UPDATE EXTENSIONS) say so."""
    try:
        kind = statement.type
    except ValueError:  # the parser knows a statement type the Python enum does not
        return "non-SELECT"
    return "PIVOT (multi-part)" if kind == duckdb.StatementType.MULTI else kind.name


def syntax_tree(con: duckdb.DuckDBPyConnection, query: str) -> dict:
    """DuckDB's own parse tree of the query, as JSON."""
    [(serialised,)] = con.execute("SELECT json_serialize_sql(?)", [query]).fetchall()
    tree = json.loads(serialised)
    if tree.get("error"):
        raise SqlRefused(f"The SQL could not be parsed: {tree.get('error_message', 'unknown error')}")
    return tree


def nodes(tree: object) -> Iterator[dict]:
    """Every object node of a parse tree or plan, depth first (iterative: deep trees cannot exhaust the stack)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def documented_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the tables and views in the attached database's main schema."""
    found = con.execute(
        "SELECT lower(table_name) FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main'",
        [CATALOG],
    ).fetchall()
    return {name for (name,) in found}


def check_references(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Refuse functions and tables outside the documented schema, naming the first one found."""
    tree = syntax_tree(con, query)
    tables = documented_tables(con)
    ctes = {entry["key"].lower() for node in nodes(tree) for entry in node.get("cte_map", {}).get("map", [])}
    for node in nodes(tree):
        problem = refused_function(node) or refused_table(node, allowed=tables | ctes)
        if problem:
            raise SqlRefused(f"{problem} {SCHEMA_HINT}")


def refused_function(node: dict) -> str | None:
    """Why a function call is not allowed, or None."""
    if node.get("type") == "TABLE_FUNCTION":
        name = node["function"].get("function_name", "").lower()
        if name not in ALLOWED_TABLE_FUNCTIONS:
            return f"The table function {name}() is not available here (it can read files or system state)."
    if node.get("class") == "FUNCTION":
        name = node.get("function_name", "").lower()
        if name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES):
            return f"The function {name}() is not available here."
    return None


def refused_table(node: dict, *, allowed: set[str]) -> str | None:
    """Why a table reference is not allowed, or None."""
    kind = node.get("type")
    if kind == "SHOW_REF":
        is_show_tables = node.get("table_name") == '"tables"' and not node.get("catalog_name")
        return None if node.get("query") or is_show_tables else "Only SHOW TABLES, DESCRIBE and SUMMARIZE are allowed."
    if kind != "BASE_TABLE":
        return None
    catalog, schema = node.get("catalog_name", "").lower(), node.get("schema_name", "").lower()
    name = node.get("table_name", "")
    if catalog not in ("", CATALOG) or schema not in ("", "main", "information_schema"):
        return f"The table {'.'.join(p for p in (catalog, schema, name) if p)} is outside the VCS Insight database."
    if schema == "information_schema" or name.lower() in allowed:
        return None
    return f"There is no table {name!r} in the VCS Insight database."


def check_plan(con: duckdb.DuckDBPyConnection, query: str) -> None:
    """Refuse a query whose bound plan scans anything but the database's tables and the allowed functions."""
    plan = json.loads(con.execute(f"EXPLAIN (FORMAT json) {query}").fetchall()[0][1])
    for node in nodes(plan):
        info = node.get("extra_info")
        if not isinstance(info, dict):
            continue
        function, table = str(info.get("Function", "")), str(info.get("Table", ""))
        if function and function.upper() not in ALLOWED_PLAN_FUNCTIONS:
            raise SqlRefused(f"The query reads DuckDB's own system state ({function.lower()}). {SCHEMA_HINT}")
        if table and not table.startswith(f"{CATALOG}.main."):
            raise SqlRefused(f"The query reads {table}, which is outside the VCS Insight database. {SCHEMA_HINT}")


def displayable(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """The relation with every column cast to a type pandas and the data grid hold (by position: names may repeat).

    Whole numbers wider than 64 bits and decimals become DOUBLE; dates, times, intervals, binary, UUIDs, enums and
    nested values (lists, structs, maps, unions) become text as DuckDB writes them ('infinity', '10000-01-01').
    """
    columns = []
    for position, (name, kind) in enumerate(zip(relation.columns, relation.types, strict=True), start=1):
        target = None if kind.id in PLAIN_TYPES else "DOUBLE" if kind.id in NUMBER_TYPES else "VARCHAR"
        value = f"#{position}" if target is None else f"CAST(#{position} AS {target})"
        columns.append(f'{value} AS "{name.replace(chr(34), chr(34) * 2)}"')
    return relation.project(", ".join(columns))


def first_line(error: BaseException) -> str:
    """The first line of a DuckDB error, without the caret diagram that follows it."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
