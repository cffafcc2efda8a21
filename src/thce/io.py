"""Small file helpers shared by every area: streaming JSONL and atomic writes."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO


@contextlib.contextmanager
def atomic_write(
    path: str | Path, mode: str = "w", encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """Open a temporary file next to ``path`` and move it into place only on success.

    A crash or exception leaves the previous file (if any) untouched. ``newline`` is
    passed to :func:`open` (``""`` for the csv module).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, dict[str, Any] | None, str, str | None]]:
    """Stream a JSONL file: yield ``(line_number, record_or_None, raw_line, error_or_None)``.

    Blank lines are skipped. A line that is not a JSON object yields ``record=None`` and an
    error message, so callers can report it with its line number and go on.
    """
    with open(path, encoding="utf-8") as handle:
        for line_number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield line_number, None, line, f"invalid JSON: {exc.msg} (column {exc.colno})"
                continue
            if not isinstance(record, dict):
                yield (
                    line_number,
                    None,
                    line,
                    f"expected a JSON object, got {type(record).__name__}",
                )
                continue
            yield line_number, record, line, None
