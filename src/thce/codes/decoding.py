"""A code file's text, decoded by THCE's one input layer (:mod:`thce.inputs`).

UTF-8 (BOM or not), UTF-16 with a BOM, and lines that are not UTF-8 read as Windows-1252
(else Latin-1), counted rather than fatal; problems with the file raise
:class:`~thce.errors.CodeError`. ``thce codes validate --file`` reports the counts in its
summary instead of a warning.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "codes.txt"
    >>> _ = path.write_bytes(b"E11.9\\n" + b"caf\\xe9\\n")
    >>> source = DecodedFile(path)
    >>> list(source.lines()), source.encoding, source.fallback_lines
    (['E11.9\\n', 'café\\n'], 'utf-8', 1)
"""

from __future__ import annotations

from pathlib import Path

from thce.errors import CodeError
from thce.inputs import BLOCK_BYTES, batched
from thce.inputs import DecodedFile as _DecodedFile


class DecodedFile(_DecodedFile):
    """:class:`thce.inputs.DecodedFile` raising :class:`CodeError`, without warnings."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(path, error=CodeError, warn=False)


__all__ = ["BLOCK_BYTES", "DecodedFile", "batched"]
