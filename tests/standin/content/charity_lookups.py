"""drkane/charity-lookups' area-of-operation → GSS lookup (the cc_aoo_lookup source): the mirror's bytes as published."""

from __future__ import annotations

from pathlib import Path

from etl.sources.charity_register import SOURCES
from tests.standin.content import mirror


def static_files(work: Path) -> dict[str, bytes | Path]:
    (lookup,) = next(s for s in SOURCES if s.source_id == "cc_aoo_lookup").distributions[0].files
    return {lookup.url: mirror() / lookup.mirror_path}  # type: ignore[operator]
