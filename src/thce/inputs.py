"""The input layer: every user file THCE reads (JSONL, CSV, YAML, text) is opened here.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "notes.jsonl"
    >>> _ = path.write_bytes(b'\\xef\\xbb\\xbf{"a": 1}\\n')  # UTF-8 with a byte-order mark
    >>> [(line, record) for line, record, _, _ in iter_jsonl(path)]
    [(1, {'a': 1})]

Bytes are decoded as UTF-8 (a byte-order mark is dropped; UTF-16 with a BOM is read as
such). A line that is not UTF-8 (an Excel export in Windows-1252 or Latin-1) is read as
Windows-1252, else Latin-1, and the first one is reported with a one-line warning on
stderr: one odd "é" must neither stop a run nor turn the whole file into mojibake.
Problems with the file as a whole (missing, a folder, unreadable) raise the caller's
:class:`~thce.errors.THCEError` subclass with one message naming the file and the fix;
problems with one record are yielded with its line number so callers can report and go on.

Files are read in blocks of ~1 MiB, so a 1 GB JSONL needs no 1 GB of memory.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from thce.errors import DataError, InputError, THCEError

BLOCK_BYTES = 1 << 20
_MAX_SHOWN = 80
# A lone UTF-16 surrogate escape can parse as JSON but cannot be written back as UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_CSV_DELIMITERS = ",\t;|"

JsonlItem = tuple[int, dict[str, Any] | None, str, str | None]


def warn(message: str) -> None:
    """Print a one-line warning about a user file on stderr (the CLI's and a script's)."""
    sys.stderr.write(f"Warning: {message}\n")
    sys.stderr.flush()


def shorten(text: str, limit: int = _MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters for a message (``…`` marks the cut)."""
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_input_file(
    path: str | Path, *, what: str = "input file", error: type[THCEError] = InputError
) -> Path:
    """Return ``path`` if it is a readable file, else raise ``error`` saying what is wrong.

    ``what`` names the file in the message, e.g. ``--test-data`` or ``data config``.
    """
    path = Path(path)
    if path.is_dir():
        raise error(f"{what} {path} is a folder; give the path of a file in it")
    if not path.exists():
        raise error(
            f"{what} {path} does not exist; check the path (relative paths start at {Path.cwd()})"
        )
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise error(
            f"{what} {path} cannot be opened ({exc.strerror or exc}); check its permissions"
        ) from None
    return path


class DecodedFile:
    """The decoded lines of ``path`` (``.gz`` read through), block by block.

    While reading, ``encoding``, ``fallback_lines``, ``first_fallback_line`` and
    ``bytes_read`` (of the file on disk) describe what happened so far. ``error`` is the
    exception type raised for an unreadable file; ``warn=True`` prints one warning at the
    first line that is not UTF-8.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "codes.txt"
    >>> _ = path.write_bytes(b"E11.9\\n" + b"caf\\xe9\\n")
    >>> source = DecodedFile(path)
    >>> list(source.lines()), source.encoding, source.fallback_lines
    (['E11.9\\n', 'café\\n'], 'utf-8', 1)
    """

    def __init__(
        self, path: str | Path, error: type[THCEError] = InputError, warn: bool = False
    ) -> None:
        self.path = Path(path)
        self.error = error
        self.warn = warn
        self.encoding = "utf-8"
        self.fallback_lines = 0
        self.first_fallback_line: int | None = None
        self.bytes_read = 0

    def lines(self) -> Iterator[str]:
        """Decoded lines, each ending in ``\\n`` (except maybe the last)."""
        return itertools.chain.from_iterable(self.blocks())

    def text(self) -> str:
        """The whole decoded text (for small files such as configs)."""
        return "".join(self.lines())

    def blocks(self) -> Iterator[list[str]]:
        """Decoded lines, a block (~1 MiB) at a time."""
        stream, raw = self._open()
        try:
            head = self._read(stream, 4, 1)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield from batched(self._utf16_lines(head, stream, raw), 10_000)
                return
            if head.startswith(codecs.BOM_UTF8):
                self.encoding = "utf-8-sig"
                head = head[3:]
            pending = [head] if head else []
            line = 1
            while block := self._read(stream, BLOCK_BYTES, line):
                self.bytes_read = raw.tell()
                cut = block.rfind(b"\n") + 1
                if cut == 0:  # no line end yet: keep reading (a list, not quadratic joins)
                    pending.append(block)
                    continue
                data = b"".join([*pending, block[:cut]])
                pending = [block[cut:]] if cut < len(block) else []
                text = self._decode(data, line)
                line += text.count("\n")
                yield _split_keep_ends(text)
            if pending:
                yield _split_keep_ends(self._decode(b"".join(pending), line))
        finally:
            stream.close()
            raw.close()

    def _read(self, stream: IO[bytes], size: int, line: int) -> bytes:
        try:
            return stream.read(size)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            where = "" if line <= 1 else f" after line {line}"
            raise self.error(
                f"{self.path} cannot be read{where} ({getattr(exc, 'strerror', None) or exc})"
            ) from None

    def _open(self) -> tuple[IO[bytes], IO[bytes]]:
        """(stream of the file's bytes, the raw file whose position measures progress)."""
        if self.path.is_dir():
            raise self.error(f"{self.path} is a folder; give the path of a file")
        try:
            raw = open(self.path, "rb")  # noqa: SIM115  (closed by blocks())
        except OSError as exc:
            raise self.error(
                f"{self.path} cannot be opened ({exc.strerror or exc}); check the path and "
                "its permissions."
            ) from None
        if self.path.name.lower().endswith(".gz"):
            return gzip.GzipFile(fileobj=raw), raw
        return raw, raw

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
                if self.warn:
                    warn(
                        f"{self.path} line {self.first_fallback_line} is not UTF-8; read it (and "
                        "any other such line) as Windows-1252. Save the file as UTF-8 to be sure "
                        "of its characters."
                    )
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
            raise self.error(
                f"{self.path} line {line + 1}: not valid UTF-16 ({exc.reason}); re-save the "
                "file as UTF-8 (CSV UTF-8 in Excel) and run again."
            ) from None


def read_text(path: str | Path, *, what: str = "file", error: type[THCEError] = InputError) -> str:
    """The whole text of a small file (a YAML config), decoded as :class:`DecodedFile` does."""
    check_input_file(path, what=what, error=error)
    return DecodedFile(path, error=error, warn=True).text()


def first_line(path: str | Path, error: type[THCEError] = InputError) -> str | None:
    """The first line of ``path`` that is not blank (``None``: the file holds no text)."""
    for line in DecodedFile(path, error=error).lines():
        if line.strip():
            return line.rstrip("\r\n")
    return None


def iter_jsonl(path: str | Path, error: type[THCEError] = DataError) -> Iterator[JsonlItem]:
    """Stream a JSONL file: yield ``(line_number, record_or_None, raw_line, error_or_None)``.

    Blank lines are skipped. A line that is not a JSON object yields ``record=None`` and a
    message, so callers can report it with its line number and go on.
    """
    source = DecodedFile(path, error=error, warn=True)
    for line_number, raw in enumerate(source.lines(), start=1):
        line = raw.strip()
        if not line:
            continue
        record, problem = _parse_json_line(line)
        yield line_number, record, line, problem


def _parse_json_line(line: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        hint = ""
        if exc.pos == 0 and _looks_like_csv(line):
            hint = "; this looks like CSV: give CSV files to `thce data build` (a data config)"
        return None, f"invalid JSON: {exc.msg} (column {exc.colno}){hint}"
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        return None, f"invalid JSON: {shorten(str(exc))}"
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    if not isinstance(record, dict):
        return None, f"expected a JSON object, got {type(record).__name__}"
    if _SURROGATE_ESCAPE.search(line):
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            return None, "invalid text: a lone UTF-16 surrogate escape (\\udXXX) is not a character"
    return record, None


def _looks_like_csv(line: str) -> bool:
    return not line.startswith(("{", "[")) and any(d in line for d in ",;\t")


def iter_csv(path: str | Path, error: type[THCEError] = DataError) -> Iterator[JsonlItem]:
    """Stream a CSV/TSV file with a header row, like :func:`iter_jsonl`: yield
    ``(line, record_or_None, raw_text, error_or_None)`` with the header's names as keys.

    The delimiter is the first of ``, TAB ; |`` found in the header (``.tsv``: TAB); empty
    cells become ``None``; a row with more cells than the header is an error, one with fewer
    has ``None`` in the missing ones. Blank lines are skipped.
    """
    path = Path(path)
    source = DecodedFile(path, error=error, warn=True)
    lines = source.lines()
    first = next(lines, None)
    if first is None:
        return
    if path.name.lower().removesuffix(".gz").endswith((".tsv", ".tab")):
        delimiter = "\t"
    else:
        delimiter = max(_CSV_DELIMITERS, key=lambda d: (first.count(d), d == ","))
    try:
        header = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error as exc:
        raise error(f"{path} line 1: the header is not readable as CSV ({exc})") from None
    names = [name.strip() for name in header]
    if not any(names):
        raise error(f"{path} line 1: empty header; the first line must name the columns")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise error(
            f"{path} line 1: column {repeated[0]!r} appears twice in the header; rename one"
        )
    counted = _LineCounter(lines)
    reader = csv.reader(counted, delimiter=delimiter)
    while True:
        start = counted.count + 2  # the header is line 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, None, shorten(counted.last), f"not readable as CSV: {exc}"
            reader = csv.reader(counted, delimiter=delimiter)  # go on with the next line
            continue
        if not row or not any(cell.strip() for cell in row):
            continue
        raw = shorten(delimiter.join(row), 500)
        if len(row) > len(names):
            yield start, None, raw, f"{len(row)} cells, the header has {len(names)}"
            continue
        record = {
            name: (row[i] if i < len(row) and row[i] != "" else None)
            for i, name in enumerate(names)
        }
        yield start, record, raw, None


def guarded_rows(
    rows: Iterable[Any], path: Path, error: type[THCEError] = DataError
) -> Iterator[Any]:
    """Rows of a third-party reader (``datasets``), whose errors while reading (a bad byte, a
    broken record) become one ``error`` naming the file and the row."""
    number = 0
    try:
        for number, row in enumerate(rows, start=1):  # noqa: B007  (number used below)
            yield row
    except THCEError:
        raise
    except Exception as exc:  # datasets/pyarrow/pandas raise many types for a bad file
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise error(
            f"{path}: cannot read row {number + 1} ({shorten(first, 160)}); convert the file "
            "to UTF-8 JSONL or CSV"
        ) from None


class _LineCounter:
    """An iterator over lines that counts them (csv.reader's line_num resets per reader)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.count = 0
        self.last = ""

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        self.last = next(self._lines)
        self.count += 1
        return self.last


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` items (the last may be shorter), cut in C."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _split_keep_ends(text: str) -> list[str]:
    # Only \n ends a line: str.splitlines() would also split on \x0c, \x1e, \u2028...,
    # which can sit inside a field and would shift every line number after them.
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    if last:
        lines.append(last)
    return lines


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


__all__ = [
    "DecodedFile",
    "batched",
    "check_input_file",
    "first_line",
    "guarded_rows",
    "iter_csv",
    "iter_jsonl",
    "read_text",
    "shorten",
    "warn",
]
