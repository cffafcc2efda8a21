"""A faster copy of a large code database file, kept under ``$THCE_HOME/cache``.

Parsing ``icd10cm.json.gz`` (gunzip + 8 MB of JSON) takes ~40 ms, a sixth of a cold
``thce codes validate E11.9``; reading the same data back with :mod:`marshal` takes ~10 ms.
The copy is keyed by the source's name, size, modification time and path, and by the
Python version (marshal's format is version-specific), so a new release, a re-import or
another interpreter never reads a stale copy. Anything unusual (no write access, a damaged
copy) falls back to the source quietly: the cache only ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

from thce.resources import cache_dir

MIN_BYTES = 256 * 1024  # smaller files parse in about a millisecond: not worth a copy


def cached_path(source: Path) -> Path | None:
    """Where the copy of ``source`` lives (``None`` when ``source`` is small or missing)."""
    try:
        stat = source.stat()
    except OSError:
        return None
    if stat.st_size < MIN_BYTES:
        return None
    tag = sys.implementation.cache_tag or "python"
    name = f"{_prefix(source)}{stat.st_size}.{stat.st_mtime_ns}.{tag}.marshal"
    return cache_dir() / "code_databases" / name


def _prefix(source: Path) -> str:
    """The part of a copy's name shared by every version of ``source``."""
    where = hashlib.sha1(str(source.resolve()).encode()).hexdigest()[:10]
    return f"{source.name}.{where}."


def load(source: Path) -> dict[str, Any] | None:
    """The cached data of ``source``, or ``None`` (no copy yet, or unusable)."""
    path = cached_path(source)
    if path is None or not path.is_file():
        return None
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def save(source: Path, data: dict[str, Any]) -> None:
    """Keep a copy of ``data`` for ``source``; drop copies of older versions of it."""
    path = cached_path(source)
    if path is None:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(marshal.dumps(data))
        os.replace(tmp, path)  # atomic: a reader sees the old state or the whole copy
        for old in path.parent.glob(f"{_prefix(source)}*.marshal"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
