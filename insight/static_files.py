"""Files the app serves itself (Streamlit static serving): written once per content, named by its hash.

The browser fetches such a file once and keeps it in its cache; a new database gives new content, so a new name,
and a browser never shows stale geometry.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from insight import config


def content_id(content: bytes) -> str:
    """A short hash of the content: names its file, and tells the browser two payloads are the same."""
    return hashlib.sha256(content).hexdigest()[:16]


def serve(folder: str, stem: str, content: bytes, *, suffix: str, known_id: str | None = None) -> str | None:
    """URL (relative to the app) of `content` as static/<folder>/<stem>-<hash><suffix>, written on first use;
    known_id is content_id(content) when the caller has it already (hashing a large file twice is wasted work).

    None when the file cannot be written (a read-only install): the caller then embeds the content instead.
    """
    name = f"{stem}-{known_id or content_id(content)}{suffix}"
    path = config.STATIC_DIR / folder / name
    try:
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            # A temporary file of its own (sessions are threads of one process), renamed into place: nobody is ever
            # served half a file.
            handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(content)
                os.chmod(partial, 0o644)
                os.replace(partial, path)
            except BaseException:
                os.unlink(partial)
                raise
    except OSError:
        return None
    return f"{config.STATIC_URL}{folder}/{name}"
