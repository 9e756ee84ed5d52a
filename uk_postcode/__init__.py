"""The shape of a UK postcode, written once for the ETL (etl/sources/nspl.py) and the uploads (insight/uploads/).

A leaf module outside both packages, so that `etl` and `insight` stay independent of each other: it imports
neither (an import-linter contract in pyproject.toml keeps it so), and both read the one pattern from here.
"""

from __future__ import annotations

# A postcode in capitals without spaces ('SW1A1AA'): an outward code of 2 to 4 characters, then the inward
# code (a digit and two letters). Valid both as a Python and as a DuckDB (RE2) regular expression, whole match.
PATTERN = "[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}"
