"""Validate every code in a file, in chunks, and write one result row per input row.

    thce codes validate --file claims.csv --column dx --type-column system --output results.csv

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "codes.txt").write_text("E11.9\\nE11.99\\n99213\\n", encoding="utf-8")
    >>> summary = validate_file(folder / "codes.txt", output=folder / "results.csv")
    >>> summary.rows, summary.valid, summary.invalid, summary.by_system["ICD10"]["invalid"]
    (3, 2, 1, 1)
    >>> (folder / "results.csv").read_text().splitlines()[2].split(",")[:7]
    ['2', '2', 'E11.99', 'E11.99', 'ICD10', 'false', '']

Memory stays flat however long the file: rows are read, validated and written one chunk at
a time (:data:`~thce.codes.code_files.CHUNK_ROWS`), the validator's cache is bounded, and
the summary keeps counts and the first few invalid rows only. Each distinct string is
validated once per chunk (usually once per file, through the cache); typo suggestions are
computed only for rows that are written or shown.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from thce.codes.code_files import CHUNK_ROWS, CodeFileReader, Row
from thce.codes.formats import CODE_TYPES, parse_code_type, shorten
from thce.codes.validator import CodeValidator, ValidationResult
from thce.errors import CodeError
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
MAX_EXAMPLES = 20
_MAX_TYPE_SPELLINGS = 10_000
# (code, code_type, valid, billable, description, error, suggestion, also_valid_as)
Tail = tuple[str, str, bool, bool | None, str, str, str, str]


@dataclass
class FileSummary:
    """What :func:`validate_file` found: counts, the first invalid rows, how it read the file."""

    path: str
    format: str
    column: str | None
    delimiter: str | None
    encoding: str
    fallback_lines: int = 0
    first_fallback_line: int | None = None
    rows: int = 0
    valid: int = 0
    invalid: int = 0
    non_billable: int = 0
    ambiguous: int = 0
    billable_only: bool = False
    by_system: dict[str, dict[str, int]] = field(default_factory=dict)
    output: str | None = None
    examples: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return asdict(self)


def validate_file(
    path: str | Path,
    *,
    column: str | None = None,
    type_column: str | None = None,
    code_type: str | None = None,
    billable_only: bool = False,
    output: str | Path | None = None,
    validator: CodeValidator | None = None,
    max_examples: int = MAX_EXAMPLES,
    progress: Callable[[int, int], None] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> FileSummary:
    """Validate the codes of ``path`` (CSV, JSONL or text; see :mod:`thce.codes.code_files`).

    ``code_type`` fixes the system for every row; ``type_column`` reads it per row (empty
    cells: detected). With ``billable_only`` an ICD-10-CM header counts as invalid.
    ``output`` (``.csv``, ``.tsv``, ``.jsonl``, or ``-`` for CSV on stdout) receives one row
    per input row with the fields in :data:`RESULT_FIELDS`; it is written atomically.
    ``progress(bytes_read, file_size)`` is called after each chunk of ``chunk_rows`` rows.
    """
    started = time.perf_counter()
    if code_type is not None and type_column is not None:
        raise CodeError(
            "Give either --type (one system for every row) or --type-column (a system per "
            "row), not both."
        )
    system = parse_code_type(code_type)
    reader = CodeFileReader(path, column, type_column)
    if output is not None and str(output) != "-" and _same_file(reader.path, Path(output)):
        raise CodeError(f"--output {output} is the input file; choose another path.")
    validator = validator or CodeValidator()
    summary = FileSummary(
        str(reader.path), reader.format, None, None, "utf-8", billable_only=billable_only
    )
    summary.by_system = {s: _zero() for s in (*CODE_TYPES, "unknown")}
    parse_type = _TypeParser(type_column or "")
    row_number = 0
    with _open_output(output) as write:
        for chunk in reader.chunks(chunk_rows):
            results = _validate_chunk(validator, chunk, system, parse_type, type_column)
            # Count and format once per distinct result (the chunk keeps them alive, so
            # their ids are stable keys), not once per row.
            by_id = dict(zip(map(id, results), results, strict=True))
            valid = {
                key: _count(summary, by_id[key], count, billable_only)
                for key, count in Counter(map(id, results)).items()
            }
            if write is not None:  # messages and suggestions: computed here, when written
                write(
                    chunk,
                    results,
                    {k: _tail(r, billable_only) for k, r in by_id.items()},
                    row_number,
                )
            if len(summary.examples) < max_examples and not all(valid.values()):
                _collect_examples(
                    summary, chunk, results, valid, row_number, max_examples, billable_only
                )
            row_number += len(chunk)
            if progress is not None:
                progress(reader.bytes_read, reader.size)
    summary.column = reader.column
    summary.delimiter = reader.delimiter
    summary.encoding = reader.encoding
    summary.fallback_lines = reader.fallback_lines
    summary.first_fallback_line = reader.first_fallback_line
    summary.output = None if output is None else str(output)
    summary.by_system = {s: c for s, c in summary.by_system.items() if c["rows"]}
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


# -- validation ------------------------------------------------------------------------------------
class _TypeParser:
    """Per-row code systems as written (``icd-10-cm``, ``cpt``...) -> canonical, cached."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.known: dict[str | None, tuple[str | None, str | None]] = {}

    def __call__(self, value: str | None) -> tuple[str | None, str | None]:
        """(system, None) or (None, error message); empty means "detect it"."""
        answer = self.known.get(value)
        if answer is None:
            text = (value or "").strip()
            try:
                answer = (parse_code_type(text) if text else None, None)
            except CodeError:
                answer = (
                    None,
                    f"unknown code type {shorten(text)!r} in column {self.column!r}; "
                    f"valid: {', '.join(CODE_TYPES)} (or empty to detect)",
                )
            if len(self.known) >= _MAX_TYPE_SPELLINGS:  # junk in every row: stay bounded
                self.known.clear()
            self.known[value] = answer
        return answer


def _validate_chunk(
    validator: CodeValidator,
    chunk: list[Row],
    system: str | None,
    parse_type: _TypeParser,
    type_column: str | None,
) -> list[ValidationResult | str]:
    """One result per row: a :class:`ValidationResult`, or the row's error as text."""
    out: list[ValidationResult | str]
    if type_column is None:
        out = list(validator.validate_batch([row.code for row in chunk], system))
        for i, row in enumerate(chunk):
            if row.error is not None:
                out[i] = row.error
        return out
    out = [""] * len(chunk)
    groups: dict[str | None, list[int]] = {}
    for i, row in enumerate(chunk):
        row_system, error = (
            (None, row.error) if row.error is not None else parse_type(row.code_type)
        )
        if error is not None:
            out[i] = error
        else:
            groups.setdefault(row_system, []).append(i)
    for row_system, positions in groups.items():
        results = validator.validate_batch([chunk[i].code for i in positions], row_system)
        for i, result in zip(positions, results, strict=True):
            out[i] = result
    return out


def _count(
    summary: FileSummary, result: ValidationResult | str, count: int, billable_only: bool
) -> bool:
    """Add ``count`` rows with this result to ``summary``; return whether they pass."""
    if isinstance(result, str):  # the row could not be read
        valid, system = False, "unknown"
    else:
        valid = _passes(result, billable_only)
        system = result.code_type or "unknown"
        if result.is_valid and result.billable is False:
            summary.non_billable += count
        if result.is_valid and result.alternatives:
            summary.ambiguous += count
    if valid:
        summary.valid += count
    else:
        summary.invalid += count
    counts = summary.by_system[system]
    counts["rows"] += count
    counts["valid" if valid else "invalid"] += count
    summary.rows += count
    return valid


def _passes(result: ValidationResult, billable_only: bool) -> bool:
    return result.is_valid and not (billable_only and result.billable is False)


def _tail(result: ValidationResult | str, billable_only: bool) -> Tail:
    """A result's output fields after ``row``, ``line`` and ``input``.

    Reading ``error_message`` computes the typo suggestions (once per distinct string):
    this runs only for rows that are written or shown.
    """
    if isinstance(result, str):  # the row could not be read
        return ("", "", False, None, "", result, "", "")
    error = result.error_message or ""
    suggestions = result.suggestions if error else []
    also = ""
    if result.is_valid and result.alternatives:
        also = "; ".join(f"{alt.code_type} {alt.code}" for alt in result.alternatives)
    return (
        result.code,
        result.code_type or "",
        _passes(result, billable_only),
        result.billable,
        result.description or "",
        error,
        suggestions[0] if suggestions else "",
        also,
    )


def _collect_examples(
    summary: FileSummary,
    chunk: list[Row],
    results: list[ValidationResult | str],
    valid: dict[int, bool],
    row_number: int,
    limit: int,
    billable_only: bool,
) -> None:
    for offset, (row, result) in enumerate(zip(chunk, results, strict=True), start=1):
        if valid[id(result)]:
            continue
        tail = _tail(result, billable_only)
        summary.examples.append(
            {
                "row": row_number + offset,
                "line": row.line,
                "input": shorten(row.code),
                "code_type": tail[1] or None,
                "error": tail[5],
                "suggestion": tail[6] or None,
            }
        )
        if len(summary.examples) >= limit:
            return


def _zero() -> dict[str, int]:
    return {"rows": 0, "valid": 0, "invalid": 0}


# -- output ------------------------------------------------------------------------------------------
Writer = Callable[[list[Row], list[Any], dict[int, Tail], int], None]


@contextlib.contextmanager
def _open_output(output: str | Path | None) -> Iterator[Writer | None]:
    """A function writing a chunk's result rows (``None`` without ``output``)."""
    if output is None:
        yield None
        return
    if str(output) == "-":
        yield _csv_writer(sys.stdout, ",")
        sys.stdout.flush()
        return
    path = Path(output)
    suffix = path.suffix.lower()
    with atomic_write(path, newline="") as handle:
        if suffix in {".jsonl", ".ndjson", ".json"}:
            yield _jsonl_writer(handle)
        else:
            yield _csv_writer(handle, "\t" if suffix in {".tsv", ".tab"} else ",")


def _csv_writer(handle: TextIO, delimiter: str) -> Writer:
    writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
    writer.writerow(RESULT_FIELDS)
    flags = {True: "true", False: "false", None: ""}

    def write(chunk: list[Row], results: list[Any], tails: dict[int, Tail], start: int) -> None:
        # Each distinct result's fields are formatted once per chunk, not once per row.
        formatted = {
            key: (code, kind, flags[ok], flags[billable], description, error, suggestion, also)
            for key, (
                code,
                kind,
                ok,
                billable,
                description,
                error,
                suggestion,
                also,
            ) in tails.items()
        }
        writer.writerows(
            (number, row.line, row.code, *formatted[id(result)])
            for number, row, result in zip(
                range(start + 1, start + len(chunk) + 1), chunk, results, strict=True
            )
        )

    return write


def _jsonl_writer(handle: TextIO) -> Writer:
    names = RESULT_FIELDS[3:]

    def write(chunk: list[Row], results: list[Any], tails: dict[int, Tail], start: int) -> None:
        # Encode each distinct result's fields once; rows only add row, line and input.
        # json.dumps(...)[1:] drops the opening brace: '"code": "E11.9", ...}'.
        encoded = {
            key: json.dumps(dict(zip(names, tail, strict=True)), ensure_ascii=False)[1:]
            for key, tail in tails.items()
        }
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        handle.writelines(
            f'{{"row": {number}, "line": {row.line}, "input": {dumps(row.code)}, '
            f"{encoded[id(result)]}\n"
            for number, row, result in zip(
                range(start + 1, start + len(chunk) + 1), chunk, results, strict=True
            )
        )

    return write


def _same_file(a: Path, b: Path) -> bool:
    try:
        return b.exists() and a.resolve() == b.resolve()
    except OSError:
        return False
