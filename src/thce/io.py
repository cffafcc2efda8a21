"""Small file helpers shared by every area: streaming JSONL and atomic writes.

Reading user files is :mod:`thce.inputs`' job (:func:`iter_jsonl` is re-exported here);
checking output paths before work starts is :mod:`thce.outputs`'.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from thce.errors import OutputError
from thce.inputs import iter_jsonl


@contextlib.contextmanager
def atomic_write(
    path: str | Path, mode: str = "w", encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """Open a temporary file next to ``path`` and move it into place only on success.

    A crash or exception leaves the previous file (if any) untouched. ``newline`` is
    passed to :func:`open` (``""`` for the csv module).
    """
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder and cannot be written as a file; choose a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(
            f"{path} cannot be written ({exc.strerror or exc}); choose a folder you can write to"
        ) from None
    # mkstemp creates 0600 files; give the result the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        binary = "b" in mode
        with os.fdopen(
            fd, mode, encoding=None if binary else encoding, newline=None if binary else newline
        ) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_json(path: str | Path, obj: Any, indent: int = 2) -> None:
    """Write ``obj`` as JSON atomically."""
    with atomic_write(path) as handle:
        json.dump(obj, handle, indent=indent, ensure_ascii=False, default=str)
        handle.write("\n")


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records as JSON lines atomically; return how many were written."""
    count = 0
    with atomic_write(path) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


__all__ = ["atomic_write", "iter_jsonl", "write_json", "write_jsonl"]
