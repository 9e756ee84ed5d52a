"""Published versus reproduced (the ETL's reconciliation table, etl/reconcile.py), for Methods & sources."""

from __future__ import annotations

import duckdb
import pandas as pd

from insight.db import query
from insight.queries import table_exists


def summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per reconciled figure: what is published where, how many areas, the largest difference, the
    tolerance and whether every area is within it (empty when the database has no reconciliation table)."""
    if not table_exists(con, "reconciliation"):
        return pd.DataFrame(
            columns=["Published figure", "Source", "Level", "Areas", "Largest |difference|", "Tolerance", "All within"]
        )
    return query(
        con,
        """SELECT any_value(r.description) AS "Published figure",
                  coalesce(any_value(p.title), any_value(r.source_id)) AS "Source",
                  any_value(r.level) AS "Level", count(*) AS "Areas",
                  max(abs(r.difference)) AS "Largest |difference|", any_value(r.tolerance) AS "Tolerance",
                  bool_and(r.within) AS "All within"
           FROM reconciliation r
           LEFT JOIN (SELECT source_id, any_value(title) AS title FROM provenance GROUP BY 1) p USING (source_id)
           GROUP BY r.check_id ORDER BY r.check_id DESC""",
    )


def rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every area of every reconciled figure (the table as built), for download."""
    if not table_exists(con, "reconciliation"):
        return pd.DataFrame()
    return query(con, "SELECT * FROM reconciliation ORDER BY check_id, area_code")
