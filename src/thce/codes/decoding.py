"""A file's text, decoded block by block: UTF-8 (BOM or not), UTF-16 with a BOM, and lines
that are not UTF-8 read as Windows-1252 (else Latin-1), counted rather than fatal.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "codes.txt"
    >>> _ = path.write_bytes(b"E11.9\\n" + b"caf\\xe9\\n")
    >>> source = DecodedFile(path)
    >>> list(source.lines()), source.encoding, source.fallback_lines
    (['E11.9\\n', 'café\\n'], 'utf-8', 1)

An Excel export with one "é" in Windows-1252 must not stop a ten-million-row run, and must
not turn the whole file into mojibake either: only the lines that are not UTF-8 fall back.
Blocks are ~1 MiB, split at line ends, and handed over as lists of lines so that readers
iterate them in C.
"""

from __future__ import annotations

import codecs
import gzip
import io
import itertools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from thce.errors import CodeError

BLOCK_BYTES = 1 << 20


class DecodedFile:
    """The decoded lines of ``path`` (``.gz`` read through); see the module docstring.

    While reading, ``encoding``, ``fallback_lines``, ``first_fallback_line`` and
    ``bytes_read`` (of the file on disk) describe what happened so far.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.encoding = "utf-8"
        self.fallback_lines = 0
        self.first_fallback_line: int | None = None
        self.bytes_read = 0

    def lines(self) -> Iterator[str]:
        """Decoded lines, each ending in ``\\n`` (except maybe the last)."""
        return itertools.chain.from_iterable(self.blocks())

    def blocks(self) -> Iterator[list[str]]:
        """Decoded lines, a block (~1 MiB) at a time."""
        stream, raw = self._open()
        try:
            try:
                head = stream.read(4)
            except (OSError, EOFError) as exc:
                raise CodeError(f"{self.path} cannot be read ({exc}).") from None
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield from batched(self._utf16_lines(head, stream, raw), 10_000)
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
                yield _split_keep_ends(text)
            if pending:
                yield _split_keep_ends(self._decode(pending, line))
        finally:
            stream.close()
            raw.close()

    def _open(self) -> tuple[IO[bytes], IO[bytes]]:
        """(stream of the file's bytes, the raw file whose position measures progress)."""
        try:
            raw = open(self.path, "rb")  # noqa: SIM115  (closed by blocks())
        except OSError as exc:
            raise CodeError(
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
