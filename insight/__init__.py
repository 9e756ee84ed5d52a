"""Read side of VCS Insight: queries, figures and safe exports over the built DuckDB database."""
