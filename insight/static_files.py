"""Files the app serves itself (Streamlit static serving): written once per content, named by its hash.

The browser fetches such a file once and keeps it in its cache; a new database gives new content, so a new name,
and a browser never shows stale geometry.
"""

from __future__ import annotations

import hashlib
import os

from insight import config


def serve(folder: str, stem: str, content: bytes, *, suffix: str) -> str | None:
    """URL (relative to the app) of `content` as static/<folder>/<stem>-<hash><suffix>, written on first use.

    None when the file cannot be written (a read-only install): the caller then embeds the content instead.
    """
    name = f"{stem}-{hashlib.sha256(content).hexdigest()[:16]}{suffix}"
    path = config.STATIC_DIR / folder / name
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{name}.{os.getpid()}.tmp")
            partial.write_bytes(content)
            os.replace(partial, path)  # atomic: another process never serves half a file
    except OSError:
        return None
    return f"{config.STATIC_URL}{folder}/{name}"
