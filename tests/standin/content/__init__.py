"""Everything the stand-in serves, merged from the content modules of this package.

Each module exposes `static_files(work) -> {official URL: bytes | Path}` and optionally
`arcgis_layers(work) -> {service name: Layer}`; `work` is a folder it may write generated files into.
Content is the mirror's bytes where the mirror holds the publisher's file, else a file in the official
layout generated at test time (never committed). Modules whose inputs are absent raise ContentMissing.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.standin.server import Layer, StandIn


class ContentMissing(Exception):
    """A content module cannot build its files here (e.g. no mirror folder)."""


@dataclass
class Content:
    """The merged content and the modules that could not contribute (with why)."""

    files: dict[str, bytes | Path] = field(default_factory=dict)
    layers: dict[str, Layer] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def standin(self) -> StandIn:
        return StandIn(files=dict(self.files), layers=dict(self.layers))


def mirror() -> Path:
    """The mirror folder the content is read from ($VCS_INSIGHT_MIRROR).

    Raises:
        ContentMissing: no mirror folder is configured.
    """
    value = os.environ.get("VCS_INSIGHT_MIRROR")
    if not value or not Path(value).is_dir():
        raise ContentMissing("VCS_INSIGHT_MIRROR is not a folder")
    return Path(value)


def module_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def collect(work: Path, *, only: list[str] | None = None) -> Content:
    """Build every content module's files under `work/<module>/` and merge them."""
    content = Content()
    for name in only or module_names():
        module = importlib.import_module(f"{__name__}.{name}")
        folder = work / name
        folder.mkdir(parents=True, exist_ok=True)
        try:
            content.files |= module.static_files(folder)
            if hasattr(module, "arcgis_layers"):
                content.layers |= module.arcgis_layers(folder)
        except ContentMissing as missing:
            content.skipped[name] = str(missing)
    return content
