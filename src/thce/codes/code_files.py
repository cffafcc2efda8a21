"""Read the codes of a file, one row at a time: CSV, JSONL or plain text, any common encoding.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "claims.csv"
    >>> _ = path.write_text("id;dx\\n1;E11.9\\n2;I10\\n", encoding="utf-8")
    >>> reader = CodeFileReader(path)
    >>> [(row.line, row.code) for chunk in reader.chunks() for row in chunk]
    [(2, 'E11.9'), (3, 'I10')]
    >>> reader.format, reader.delimiter, reader.column
    ('csv', ';', 'dx')

Formats come from the file name (``.gz`` is read through): ``.csv``/``.tsv`` are CSV with a
header row and a sniffed delimiter; ``.jsonl``/``.ndjson``/``.json`` hold one JSON object per
line; anything else is plain text with one code per line, unless a column is named (then it
is CSV). Bytes are decoded as UTF-8 (a byte-order mark is dropped; UTF-16 files with a BOM
are read as such); a line that is not UTF-8 is read as Windows-1252, else Latin-1, and
counted, so an Excel export with one "é" does not stop a ten-million-row run.

Every physical row becomes a :class:`Row`, blank lines and unreadable records included (with
an ``error``): a result file always has one row per input row. Problems with the file as a
whole (missing file, unknown column, no header) raise :class:`~thce.errors.CodeError`
naming the file, the line and the fix.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

from thce.codes.formats import FORMAT_RES, clean_code, shorten
from thce.errors import CodeError

BLOCK_BYTES = 1 << 20
CHUNK_ROWS = 50_000
_SNIFF_BYTES = 64 * 1024
_DELIMITERS = ",\t;|"
_CSV_SUFFIXES = {".csv", ".tsv", ".tab", ".psv"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
# Column names that hold codes, in order of preference (compared case-insensitively).
CODE_COLUMN_NAMES = (
    "code",
    "codes",
    "icd10",
    "icd10_code",
    "icd_10_cm",
    "icd10cm",
    "dx",
    "dx_code",
    "diagnosis_code",
    "cpt",
    "cpt_code",
    "hcpcs",
    "hcpcs_code",
    "procedure_code",
)


class Row(NamedTuple):
    """One input row: where it is, the code as written, its system as written, or why not."""

    line: int
    code: str
    code_type: str | None = None
    error: str | None = None


def detect_format(path: Path, column: str | None = None, type_column: str | None = None) -> str:
    """``csv``, ``jsonl`` or ``text`` from the file name (and whether a column is named)."""
    name = path.name.lower().removesuffix(".gz")
    suffix = Path(name).suffix
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix in _CSV_SUFFIXES or column or type_column:
        return "csv"
    return "text"


class CodeFileReader:
    """Stream the rows of ``path`` in chunks (see the module docstring).

    ``column`` names the CSV column or JSON field holding codes (guessed when left out:
    the only column, or one named like ``code``/``dx``/``cpt``); ``type_column`` the one
    holding each row's code system. After reading, ``encoding``, ``fallback_lines`` (lines
    read as Windows-1252/Latin-1) and ``bytes_read`` describe what happened.
    """

    def __init__(
        self, path: str | Path, column: str | None = None, type_column: str | None = None
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            what = "is a folder" if self.path.is_dir() else "does not exist"
            raise CodeError(f"{self.path} {what}; give the path of a CSV, JSONL or text file.")
        self.format = detect_format(self.path, column, type_column)
        self.column = column
        self.type_column = type_column
        self.delimiter: str | None = None
        self.encoding = "utf-8"
        self.fallback_lines = 0
        self.first_fallback_line: int | None = None
        self.bytes_read = 0
        self.size = self.path.stat().st_size

    # -- public -------------------------------------------------------------------------------
    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[list[Row]]:
        """Lists of up to ``size`` rows, in file order."""
        rows = {"csv": self._csv_rows, "jsonl": self._jsonl_rows, "text": self._text_rows}
        chunk: list[Row] = []
        for row in rows[self.format]():
            chunk.append(row)
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    # -- decoding ------------------------------------------------------------------------------
    def _open(self) -> tuple[IO[bytes], IO[bytes]]:
        """(stream of the file's bytes, the raw file whose position measures progress)."""
        raw = open(self.path, "rb")  # noqa: SIM115  (closed by _lines)
        if self.path.name.lower().endswith(".gz"):
            return gzip.GzipFile(fileobj=raw), raw
        return raw, raw

    def _lines(self) -> Iterator[str]:
        """Decoded lines, each ending in ``\\n`` (except maybe the last)."""
        stream, raw = self._open()
        try:
            try:
                head = stream.read(4)
            except (OSError, EOFError) as exc:
                raise CodeError(f"{self.path} cannot be read ({exc}).") from None
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield from self._utf16_lines(head, stream, raw)
                return
            if head.startswith(codecs.BOM_UTF8):
                self.encoding = "utf-8-sig"
                head = head[3:]
            pending = head
            line = 1
            while True:
                try:
                    block = stream.read(BLOCK_BYTES)
                except (OSError, EOFError) as exc:
                    raise CodeError(f"{self.path}: unreadable after line {line} ({exc}).") from None
                self.bytes_read = raw.tell()
                if not block:
                    break
                data = pending + block
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # no line end yet: keep reading
                    pending = data
                    continue
                pending = data[cut:]
                text = self._decode(data[:cut], line)
                line += text.count("\n")
                yield from _split_keep_ends(text)
            if pending:
                yield from _split_keep_ends(self._decode(pending, line))
        finally:
            stream.close()
            raw.close()

    def _decode(self, data: bytes, first_line: int) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        # Not all UTF-8: decode line by line so that only the odd lines fall back.
        parts = []
        for offset, piece in enumerate(data.split(b"\n")):
            try:
                parts.append(piece.decode("utf-8"))
                continue
            except UnicodeDecodeError:
                pass
            if self.first_fallback_line is None:
                self.first_fallback_line = first_line + offset
            self.fallback_lines += 1
            try:
                parts.append(piece.decode("cp1252"))
            except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
                parts.append(piece.decode("latin-1"))
        return "\n".join(parts)

    def _utf16_lines(self, head: bytes, stream: IO[bytes], raw: IO[bytes]) -> Iterator[str]:
        self.encoding = "utf-16"
        text = io.TextIOWrapper(
            io.BufferedReader(_Prefixed(head, stream)), encoding="utf-16", newline=""
        )
        line = 0
        try:
            for line, value in enumerate(text, start=1):  # noqa: B007  (line used below)
                self.bytes_read = raw.tell()
                yield value
        except UnicodeDecodeError as exc:
            raise CodeError(
                f"{self.path} line {line + 1}: not valid UTF-16 ({exc.reason}); re-save the "
                "file as UTF-8 (CSV UTF-8 in Excel) and run again."
            ) from None

    # -- formats --------------------------------------------------------------------------------
    def _text_rows(self) -> Iterator[Row]:
        for line, value in enumerate(self._lines(), start=1):
            yield Row(line, value.rstrip("\r\n"))

    def _jsonl_rows(self) -> Iterator[Row]:
        field = self.column or "code"
        self.column = field
        seen_record = False
        for line, value in enumerate(self._lines(), start=1):
            text = value.strip()
            if not text:
                yield Row(line, "", error="blank line (no JSON record)")
                continue
            if line == 1 and text.startswith("["):
                raise CodeError(
                    f"{self.path} line 1: a JSON array; write one JSON object per line "
                    "(JSON Lines) instead."
                )
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                yield Row(
                    line, shorten(text), error=f"invalid JSON: {exc.msg} (column {exc.colno})"
                )
                continue
            if not isinstance(record, dict):
                kind = type(record).__name__
                yield Row(line, shorten(text), error=f"expected a JSON object, got {kind}")
                continue
            if not seen_record:  # the first record decides whether the field names are right
                self._check_fields(record, line)
                seen_record = True
            code, error = _json_value(record, field)
            kind, type_error = None, None
            if self.type_column and self.type_column in record:  # absent: detect the system
                kind, type_error = _json_value(record, self.type_column)
            yield Row(line, code, kind or None, error or type_error)

    def _check_fields(self, record: dict, line: int) -> None:
        for option, name in (("--column", self.column), ("--type-column", self.type_column)):
            if name and name not in record:
                fields = ", ".join(map(str, record)) or "none"
                raise CodeError(
                    f"{self.path} line {line}: no field {name!r} (fields: {fields}); "
                    f"pass {option} with one of them."
                )

    def _csv_rows(self) -> Iterator[Row]:
        lines = self._lines()
        sample: list[str] = []
        size = 0
        for value in lines:
            sample.append(value)
            size += len(value)
            if size >= _SNIFF_BYTES:
                break
        if not sample:
            return
        self.delimiter = self._sniff("".join(sample))
        reader = csv.reader(_chain(sample, lines), delimiter=self.delimiter, quotechar='"')
        header = self._read(reader)
        if header is None:
            return
        names = [name.strip() for name in header]
        if self._headerless(names):
            code_at, type_at = 0, None
            self.column = "(first column; no header)"
            yield Row(1, header[0])
            previous = reader.line_num
        else:
            code_at = self._column_index(names, self.column, "--column")
            type_at = (
                self._column_index(names, self.type_column, "--type-column")
                if self.type_column
                else None
            )
            self.column = names[code_at]
            previous = reader.line_num
        width = max(code_at, type_at or 0) + 1
        while (record := self._read(reader)) is not None:
            line = previous + 1
            previous = reader.line_num
            if len(record) >= width:
                kind = record[type_at] if type_at is not None else None
                yield Row(line, record[code_at], kind)
            elif not record:
                yield Row(line, "")  # a blank line: an empty code, reported as such
            else:
                yield Row(
                    line,
                    record[code_at] if code_at < len(record) else "",
                    error=f"only {len(record)} field(s); the header has {len(names)}",
                )

    def _read(self, reader: Iterator[list[str]]) -> list[str] | None:
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            line = getattr(reader, "line_num", "?")
            raise CodeError(
                f"{self.path} line {line}: not readable as CSV ({exc}); fix that line or "
                "export the file again."
            ) from None

    def _sniff(self, sample: str) -> str:
        if Path(self.path.name.lower().removesuffix(".gz")).suffix in {".tsv", ".tab"}:
            return "\t"
        try:
            return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
        except csv.Error:  # one column, or too irregular to tell: the first delimiter seen
            first = sample.split("\n", 1)[0]
            return next((d for d in _DELIMITERS if d in first), ",")

    def _headerless(self, names: list[str]) -> bool:
        """A one-column file whose first line is already a code has no header."""
        if self.column or len(names) != 1:
            return False
        text = clean_code(names[0])
        return any(pattern.match(text) for pattern in FORMAT_RES.values())

    def _column_index(self, names: list[str], wanted: str | None, option: str) -> int:
        folded = [name.casefold() for name in names]
        if wanted is None:  # guess: the only column, or a well-known name
            if len(names) == 1:
                return 0
            for candidate in CODE_COLUMN_NAMES:
                if candidate in folded:
                    return folded.index(candidate)
        elif wanted in names:
            return names.index(wanted)
        elif wanted.casefold() in folded:
            return folded.index(wanted.casefold())
        shown = ", ".join(repr(shorten(name)) for name in names[:30])
        if wanted is None:
            raise CodeError(
                f"{self.path} line 1: which column holds the codes? The header has {shown}; "
                f"pass {option} NAME."
            )
        raise CodeError(
            f"{self.path} line 1: no column {wanted!r} in the header ({shown}); pass "
            f"{option} with one of them."
        )


def _json_value(record: dict, field: str) -> tuple[str, str | None]:
    """(the field as text, or an error): numbers become text, ``null`` an empty code."""
    if field not in record:
        return "", f"no field {field!r}"
    value = record[field]
    if value is None:
        return "", None
    if isinstance(value, str):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value), None
    return shorten(json.dumps(value)), f"field {field!r} is a {type(value).__name__}, not text"


def _split_keep_ends(text: str) -> list[str]:
    # Only \n ends a line: str.splitlines() would also split on \x0c, \x1e, \u2028...,
    # which can sit inside a field and would shift every line number after them.
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    if last:
        lines.append(last)
    return lines


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest


class _Prefixed(io.RawIOBase):
    """A byte stream with already-read bytes put back in front."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
