"""Write side of VCS Insight: download → validate → load published open data into DuckDB."""
