"""Read the codes of a file in chunks of rows: CSV, JSONL or plain text, any common encoding.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "claims.csv"
    >>> _ = path.write_text("id;dx\\n1;E11.9\\n2;I10\\n", encoding="utf-8")
    >>> reader = CodeFileReader(path)
    >>> [(row.line, row.code) for row in reader.rows()]
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

import csv
import itertools
import json
import operator
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from thce.codes.decoding import DecodedFile, batched
from thce.codes.formats import FORMAT_RES, clean_code, shorten
from thce.errors import CodeError

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


class Chunk(NamedTuple):
    """Consecutive rows, column by column (built with C-level passes, not row objects).

    ``kinds`` (the code-system cells) is ``None`` without a type column; ``errors`` is
    ``None`` when every row was read cleanly, else holds ``None`` or a message per row.
    """

    lines: Sequence[int]
    codes: list[str]
    kinds: list[str | None] | None = None
    errors: list[str | None] | None = None

    def rows(self) -> Iterator[Row]:
        """The rows one by one (tests, small files)."""
        kinds = self.kinds or [None] * len(self.codes)
        errors = self.errors or [None] * len(self.codes)
        for fields in zip(self.lines, self.codes, kinds, errors, strict=True):
            yield Row(*fields)


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
        self.source = DecodedFile(self.path)
        self.size = self.path.stat().st_size
        self._fields_checked = False

    @property
    def encoding(self) -> str:
        """``utf-8``, ``utf-8-sig`` (with a BOM) or ``utf-16`` (see ``fallback_lines``)."""
        return self.source.encoding

    @property
    def fallback_lines(self) -> int:
        """Lines that were not UTF-8 and were read as Windows-1252 (or Latin-1)."""
        return self.source.fallback_lines

    @property
    def first_fallback_line(self) -> int | None:
        """The first such line."""
        return self.source.first_fallback_line

    @property
    def bytes_read(self) -> int:
        """Bytes of the file read so far (compressed bytes for ``.gz``)."""
        return self.source.bytes_read

    # -- public -------------------------------------------------------------------------------
    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        """:class:`Chunk` s of up to ``size`` rows, in file order."""
        readers = {"csv": self._csv_chunks, "jsonl": self._jsonl_chunks, "text": self._text_chunks}
        return readers[self.format](max(1, size))

    def rows(self) -> Iterator[Row]:
        """Every row, one by one (convenient for small files and tests)."""
        for chunk in self.chunks():
            yield from chunk.rows()

    # -- formats --------------------------------------------------------------------------------
    def _text_chunks(self, size: int) -> Iterator[Chunk]:
        line = 1
        for lines in batched(self.source.lines(), size):
            codes = list(map(str.rstrip, lines, itertools.repeat("\r\n")))
            yield Chunk(range(line, line + len(lines)), codes)
            line += len(lines)

    def _jsonl_chunks(self, size: int) -> Iterator[Chunk]:
        field = self.column or "code"
        self.column = field
        line = 0
        for lines in batched(self.source.lines(), size):
            codes: list[str] = []
            kinds: list[str | None] = []
            errors: list[str | None] = []
            for value in lines:
                line += 1
                code, kind, error = self._json_row(value.strip(), line, field)
                codes.append(code or "")
                kinds.append(kind)
                errors.append(error)
            has_errors = any(error is not None for error in errors)
            yield Chunk(
                range(line - len(lines) + 1, line + 1),
                codes,
                kinds if self.type_column else None,
                errors if has_errors else None,
            )

    def _json_row(self, text: str, line: int, field: str) -> tuple[str, str | None, str | None]:
        """(code, code type, error) of one JSONL line."""
        if not text:
            return "", None, "blank line (no JSON record)"
        if line == 1 and text.startswith("["):
            raise CodeError(
                f"{self.path} line 1: a JSON array; write one JSON object per line "
                "(JSON Lines) instead."
            )
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            return shorten(text), None, f"invalid JSON: {exc.msg} (column {exc.colno})"
        if not isinstance(record, dict):
            return shorten(text), None, f"expected a JSON object, got {type(record).__name__}"
        if not self._fields_checked:  # the first record decides whether the names are right
            self._check_fields(record, line)
            self._fields_checked = True
        code, error = _json_value(record, field)
        kind, type_error = None, None
        if self.type_column and self.type_column in record:  # absent: detect the system
            kind, type_error = _json_value(record, self.type_column)
        return code, kind or None, error or type_error

    def _check_fields(self, record: dict, line: int) -> None:
        for option, name in (("--column", self.column), ("--type-column", self.type_column)):
            if name and name not in record:
                fields = ", ".join(map(str, record)) or "none"
                raise CodeError(
                    f"{self.path} line {line}: no field {name!r} (fields: {fields}); "
                    f"pass {option} with one of them."
                )

    def _csv_chunks(self, size: int) -> Iterator[Chunk]:
        lines = self.source.lines()
        sample: list[str] = []
        length = 0
        for value in lines:
            sample.append(value)
            length += len(value)
            if length >= _SNIFF_BYTES:
                break
        if not sample:
            return
        self.delimiter = self._sniff("".join(sample))
        lines = itertools.chain(sample, lines)
        # csv.reader pulls one line at a time, so after the header `lines` is at line 2+.
        reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"')
        header = self._read_many(reader, 1)
        if not header:
            return
        names = [name.strip() for name in header[0]]
        if self._headerless(names):
            code_at, type_at = 0, None
            self.column = "(first column; no header)"
            yield Chunk(range(1, 2), [header[0][0]])  # the first line is a row
        else:
            code_at = self._column_index(names, self.column, "--column")
            type_at = (
                self._column_index(names, self.type_column, "--type-column")
                if self.type_column
                else None
            )
            self.column = names[code_at]
        shape = _Shape(names, code_at, type_at, self.delimiter)
        previous = reader.line_num
        batches = batched(lines, size)
        for batch in batches:
            text = "".join(batch)
            if '"' in text:  # quoted fields may span lines (and chunks): the csv module
                rest = itertools.chain(batch, itertools.chain.from_iterable(batches))
                yield from self._csv_module_chunks(rest, size, shape, previous)
                return
            chunk = shape.fast_chunk(text, range(previous + 1, previous + len(batch) + 1))
            if chunk is None:  # blank lines or short rows: each gets an empty code or error
                reader = csv.reader(batch, delimiter=self.delimiter)
                records = self._read_many(reader, len(batch))
                starts = range(previous + 1, previous + len(records) + 1)
                chunk = shape.chunk(records, starts)
            previous += len(batch)
            yield chunk

    def _csv_module_chunks(
        self, lines: Iterator[str], size: int, shape: _Shape, previous: int
    ) -> Iterator[Chunk]:
        """The rest of a file with quoted fields, parsed by the csv module."""
        reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"')
        while records := self._read_many(reader, size):
            n = len(records)
            if reader.line_num == n:  # one line per record: the usual case
                starts: Sequence[int] = range(previous + 1, previous + n + 1)
            else:  # quoted line breaks inside fields: count them record by record
                starts = _record_starts(records, previous + 1)
            previous += reader.line_num
            reader = csv.reader(lines, delimiter=self.delimiter, quotechar='"')
            yield shape.chunk(records, starts)

    def _read_many(self, reader: Iterator[list[str]], count: int) -> list[list[str]]:
        try:
            return list(itertools.islice(reader, count))
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


class _Shape:
    """Where the code (and code-type) column sits, and how to cut chunks out of records."""

    def __init__(self, names: list[str], code_at: int, type_at: int | None, delimiter: str):
        self.names = names
        self.code_at = code_at
        self.type_at = type_at
        self.width = max(code_at, type_at or 0) + 1
        # For chunks without quotes: one C-level regex pass pulls the wanted fields out of
        # every line, ~5x faster than the csv module. A line it does not match (blank, too
        # few fields) sends the chunk to the csv module instead.
        d = re.escape(delimiter)
        field = f"[^{d}\\r\\n]*"
        wanted = {code_at, type_at}
        parts = [f"({field})" if i in wanted else field for i in range(self.width)]
        self.pattern = re.compile("^" + d.join(parts) + f"(?:{d}[^\\r\\n]*)?\\r?$", re.M)

    def fast_chunk(self, text: str, starts: range) -> Chunk | None:
        found = self.pattern.findall(text)
        if len(found) != len(starts):
            return None
        if self.type_at is None:
            return Chunk(starts, found)
        code_first = self.code_at < self.type_at
        codes = list(map(operator.itemgetter(0 if code_first else 1), found))
        kinds = list(map(operator.itemgetter(1 if code_first else 0), found))
        return Chunk(starts, codes, kinds)

    def chunk(self, records: list[list[str]], starts: Sequence[int]) -> Chunk:
        if records and min(map(len, records)) >= self.width:
            codes = list(map(operator.itemgetter(self.code_at), records))
            kinds = None
            if self.type_at is not None:
                kinds = list(map(operator.itemgetter(self.type_at), records))
            return Chunk(starts, codes, kinds)
        codes, kinds, errors = [], [], []
        for record in records:
            error = None
            if len(record) >= self.width:
                code = record[self.code_at]
                kind = record[self.type_at] if self.type_at is not None else None
            else:  # a blank line is an empty code, which the validator reports as such
                code = record[self.code_at] if self.code_at < len(record) else ""
                kind = None
                if record:
                    error = f"only {len(record)} field(s); the header has {len(self.names)}"
            codes.append(code)
            kinds.append(kind)
            errors.append(error)
        has_errors = any(error is not None for error in errors)
        return Chunk(
            starts,
            codes,
            kinds if self.type_at is not None else None,
            errors if has_errors else None,
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


def _record_starts(records: list[list[str]], first: int) -> list[int]:
    """The line each record starts on, when some span lines (a quoted field holds \\n)."""
    starts = []
    line = first
    for record in records:
        starts.append(line)
        line += 1 + sum(value.count("\n") for value in record)
    return starts
