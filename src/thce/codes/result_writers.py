"""Writing the result rows of a file validation: CSV/TSV or JSONL, one row per input row.

:func:`open_output` gives the writer :func:`thce.codes.validate_file.validate_file` feeds
chunk by chunk. Each distinct result is encoded once (``encode``); only the row number, the
line and the input differ from row to row, and those are joined in C-level passes. Files are
written atomically; ``-`` writes CSV to stdout.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import TextIO

from thce.codes.code_files import Chunk
from thce.errors import CodeError, OutputError
from thce.io import atomic_write

RESULT_FIELDS: tuple[str, ...] = (
    "row",
    "line",
    "input",
    "code",
    "code_type",
    "valid",
    "billable",
    "description",
    "error",
    "suggestion",
    "also_valid_as",
)
# (code, code_type, valid, billable, description, error, suggestion, also_valid_as)
Tail = tuple[str, str, bool, bool | None, str, str, str, str]


class _Writer:
    """Writes a chunk's rows given each row's encoded result fields (see ``encode``)."""

    def __init__(
        self, write_rows: Callable[[Chunk, list[str], int], None], encode: Callable[[Tail], str]
    ) -> None:
        self.encode = encode
        self._write_rows = write_rows

    def __call__(self, chunk: Chunk, encoded: list[str], start: int) -> None:
        self._write_rows(chunk, encoded, start)


@contextlib.contextmanager
def open_output(output: str | Path | None) -> Iterator[_Writer | None]:
    """A writer for the result rows (``None`` without ``output``)."""
    if output is None:
        yield None
        return
    if str(output) == "-":
        yield _csv_writer(sys.stdout, ",")
        sys.stdout.flush()
        return
    path = Path(output)
    if path.is_dir():
        raise CodeError(f"--output {path} is a folder; give a file name such as results.csv.")
    suffix = path.suffix.lower()
    try:
        with atomic_write(path, newline="") as handle:
            if suffix in {".jsonl", ".ndjson", ".json"}:
                yield _jsonl_writer(handle)
            else:
                yield _csv_writer(handle, "\t" if suffix in {".tsv", ".tab"} else ",")
    except (OSError, OutputError) as exc:  # no permission, disk full...: the old file stays
        reason = getattr(exc, "strerror", None) or exc
        raise CodeError(
            f"--output {path} cannot be written ({reason}); choose a writable "
            "folder with enough free space."
        ) from None


def _csv_writer(handle: TextIO, delimiter: str) -> _Writer:
    # The csv module's writerow costs microseconds a row; rows differ only in row, line and
    # input, so the rest is encoded once per distinct result, with the csv module's rules
    # (QUOTE_MINIMAL: quote a field holding the delimiter, a quote or a line break).
    needs_quotes = re.compile(f'[{re.escape(delimiter)}"\r\n]').search

    def field(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if needs_quotes(value) else value

    flags = {True: "true", False: "false", None: ""}

    def encode(tail: Tail) -> str:
        code, kind, ok, billable, description, error, suggestion, also = tail
        # Only the code (as the user wrote it, cleaned) and the texts can hold a delimiter or
        # a quote; system names, flags and suggested codes never do.
        values = (
            field(code),
            kind,
            flags[ok],
            flags[billable],
            field(description),
            field(error),
            suggestion,
            field(also),
        )
        return delimiter.join(values)

    handle.write(delimiter.join(RESULT_FIELDS) + "\n")

    def write_rows(chunk: Chunk, encoded: list[str], start: int) -> None:
        codes: Iterable[str] = chunk.codes
        if needs_quotes("\x00".join(chunk.codes)):  # rare: only then quote row by row
            codes = map(field, chunk.codes)
        # Every row through C-level map()s: no Python frame per row.
        d = delimiter
        # An f-string list comprehension beats map(str.format) and the csv module here.
        rows = zip(itertools.count(start + 1), chunk.lines, codes, encoded)
        handle.write("".join([f"{n}{d}{line}{d}{code}{d}{rest}\n" for n, line, code, rest in rows]))

    return _Writer(write_rows, encode)


def _jsonl_writer(handle: TextIO) -> _Writer:
    names = RESULT_FIELDS[3:]

    def encode(tail: Tail) -> str:
        # json.dumps(...)[1:] drops the opening brace: '"code": "E11.9", ...}'.
        return json.dumps(dict(zip(names, tail, strict=True)), ensure_ascii=False)[1:]

    def write_rows(chunk: Chunk, encoded: list[str], start: int) -> None:
        inputs = map(encode_basestring, chunk.codes)  # C: each a JSON string literal
        rows = zip(itertools.count(start + 1), chunk.lines, inputs, encoded)
        handle.write(
            "".join(
                [
                    f'{{"row": {n}, "line": {line}, "input": {i}, {rest}\n'
                    for n, line, i, rest in rows
                ]
            )
        )

    return _Writer(write_rows, encode)


__all__ = ["RESULT_FIELDS", "Tail", "open_output"]
