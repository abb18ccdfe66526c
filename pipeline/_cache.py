"""Where the package keeps files it derives from its own data, to load them faster next time.

Like Python's ``__pycache__``: a cache entry is named by a hash of what it was derived from (plus
the Python version and a format number), so it can never be stale, only missing; a missing,
unreadable or damaged entry just means deriving again. Nothing here is ever downloaded, and
records never depend on whether the cache was used.

Location: ``$PIPELINE_CACHE_DIR`` if set (an empty value, or ``off``, turns caching off), else
``$XDG_CACHE_HOME/pipeline``, else ``~/.cache/pipeline``. Writes are atomic (a temporary file
renamed into place), so processes that start together never read half an entry; a folder that
cannot be written only costs the speed-up.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ENV_VAR = "PIPELINE_CACHE_DIR"


def cache_dir() -> Path | None:
    """The cache folder (not created here), or None when caching is turned off."""
    chosen = os.environ.get(ENV_VAR)
    if chosen is not None:
        return None if chosen.strip() in ("", "off") else Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "pipeline"


def entry_name(stem: str, source_digest: str, format_version: int) -> str:
    """A file name that changes whenever the source, the format or the Python version does."""
    return f"{stem}-{source_digest[:20]}-f{format_version}-py{sys.version_info[0]}{sys.version_info[1]}.bin"


def read_entry(name: str) -> bytes | None:
    """The entry's bytes, or None if caching is off or there is no readable entry."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write_entry(name: str, data: bytes) -> bool:
    """Store an entry atomically; False (and nothing left behind) if the folder is not writable."""
    folder = cache_dir()
    if folder is None:
        return False
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, folder / name)
        return True
    except OSError:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass
        return False
