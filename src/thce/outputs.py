"""The output layer: check where a command will write before it starts working.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_dir(folder / "eval", option="--output") == folder / "eval"
    True

A command calls :func:`check_output_file` or :func:`check_output_dir` for each path it will
write, first thing, so a typo in ``--output`` costs a second, not a training run. A path is
refused, with one :class:`~thce.errors.OutputError` naming the option, the path and the fix,
when it is of the wrong kind (a folder where a file goes, or the reverse), when a folder on
the way is a file, when it is one of the command's inputs, or when nothing can be created
where it would go (no permission, a read-only or virtual file system). Nothing is created
by the check: it probes the nearest existing folder with a temporary file that it removes.
The files themselves are then written atomically (:func:`thce.io.atomic_write`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from thce.errors import OutputError


def _same_path(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def _nearest_existing(path: Path) -> Path:
    """``path`` itself or its closest ancestor that exists (the filesystem root at worst)."""
    current = path.absolute()
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _check_ancestors(path: Path, option: str) -> Path:
    """The folder that exists on the way to ``path``, checked to be a folder we can write in."""
    anchor = _nearest_existing(path.parent)
    if not anchor.is_dir():
        raise OutputError(
            f"{option} {path}: {anchor} is a file, not a folder; choose a path whose folders "
            "are folders"
        )
    try:
        handle, probe = tempfile.mkstemp(prefix=".thce-write-check-", dir=anchor)
    except OSError as exc:
        raise OutputError(
            f"{option} {path}: cannot write in {anchor} ({exc.strerror or exc}); choose a folder "
            "you can write to"
        ) from None
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    return anchor


def check_output_file(
    path: str | Path, *, option: str = "--output", inputs: Iterable[str | Path | None] = ()
) -> Path:
    """Refuse an unusable output file path (see the module docstring); return it as a Path.

    ``inputs`` are the command's input files: writing over one of them is refused.
    """
    path = Path(path)
    if str(path).strip() in ("", "."):
        raise OutputError(f"{option} is empty; give a file name such as out.jsonl")
    if path.is_dir():
        raise OutputError(
            f"{option} {path} is a folder; give a file name, e.g. {path / 'out.jsonl'}"
        )
    for source in inputs:
        if source is not None and _same_path(path, Path(source)):
            raise OutputError(f"{option} {path} is also an input; choose another path")
    if path.exists():
        if not os.access(path, os.W_OK):
            raise OutputError(f"{option} {path} is read-only; choose another path")
        _check_ancestors(path, option)
    else:
        _check_ancestors(path, option)
    return path


def check_output_dir(
    path: str | Path, *, option: str = "--output", inputs: Iterable[str | Path | None] = ()
) -> Path:
    """Refuse an unusable output folder path (see the module docstring); return it as a Path.

    An existing folder is fine (its files are replaced); ``inputs`` must not be the folder.
    """
    path = Path(path)
    if str(path).strip() == "":
        raise OutputError(f"{option} is empty; give a folder such as outputs/run1")
    if path.exists() and not path.is_dir():
        raise OutputError(
            f"{option} {path} is a file, but this command writes a folder of files; give a "
            f"folder path (e.g. {path.with_suffix('')}_out)"
        )
    for source in inputs:
        if source is not None and _same_path(path, Path(source)):
            raise OutputError(f"{option} {path} is also an input; choose another folder")
    if path.is_dir():
        _check_ancestors(path / "x", option)
    else:
        _check_ancestors(path, option)
    return path


__all__ = ["check_output_dir", "check_output_file"]
