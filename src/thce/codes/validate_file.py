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
computed only for rows that are written or shown. The result rows are written by
:mod:`thce.codes.result_writers`.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import operator
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from thce.codes.code_files import CHUNK_ROWS, Chunk, CodeFileReader
from thce.codes.formats import CODE_TYPES, parse_code_type, shorten
from thce.codes.result_writers import RESULT_FIELDS, Tail, open_output
from thce.codes.validator import CodeValidator, ValidationResult
from thce.errors import CodeError
from thce.inputs import first_line

MAX_EXAMPLES = 20
_MAX_TYPE_SPELLINGS = 10_000
_SEEN_LIMIT = 200_000  # distinct results remembered across chunks (each holds its result)


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
    allow_empty: bool = True,
) -> FileSummary:
    """Validate the codes of ``path`` (CSV, JSONL or text; see :mod:`thce.codes.code_files`).

    ``code_type`` fixes the system for every row; ``type_column`` reads it per row (empty
    cells: detected). With ``billable_only`` an ICD-10-CM header counts as invalid.
    ``output`` (``.csv``, ``.tsv``, ``.jsonl``, or ``-`` for CSV on stdout) receives one row
    per input row with the fields in :data:`RESULT_FIELDS`; it is written atomically.
    ``progress(bytes_read, file_size)`` is called after each chunk of ``chunk_rows`` rows.
    ``allow_empty=False`` makes a file without rows a :class:`CodeError` (nothing written).
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
    if not allow_empty and first_line(reader.path, error=CodeError) is None:
        # Only blank lines: no code to validate (a file with records keeps its blank rows,
        # reported one by one, so that no row is lost).
        raise CodeError(
            f"{reader.path} holds no rows (it is empty or holds only blank lines); give a file "
            "with codes, or pass --allow-empty."
        )
    validator = validator or CodeValidator()
    summary = FileSummary(
        str(reader.path), reader.format, None, None, "utf-8", billable_only=billable_only
    )
    seen = _Seen(billable_only)
    parse_type = _TypeParser(type_column or "")
    stats: Counter[_Stat] = Counter()
    row_number = 0
    with _gc_paused(), open_output(output) as write:
        for chunk in reader.chunks(chunk_rows):
            results = _validate_chunk(validator, chunk, system, parse_type, type_column)
            # Facts per distinct result (computed once per file), counted per row in C.
            ids = list(map(id, results))
            stat_list = seen.stats_of(results, ids)
            counts = _count_small(stat_list)
            stats.update(counts)
            if write is not None:  # messages and suggestions: computed here, when written
                write(chunk, seen.encoded_of(results, ids, write.encode), row_number)
            if len(summary.examples) < max_examples and not all(s & _VALID for s in counts):
                _collect_examples(summary, chunk, results, stat_list, row_number, max_examples)
            row_number += len(chunk.codes)
            if progress is not None:
                progress(reader.bytes_read, reader.size)
        if not row_number and not allow_empty:  # raised inside: the output is not written
            raise CodeError(
                f"{reader.path} holds no rows (an empty file, or a header only); give a file "
                "with codes, or pass --allow-empty."
            )
    _add_counts(summary, stats)
    summary.column = reader.column
    summary.delimiter = reader.delimiter
    summary.encoding = reader.encoding
    summary.fallback_lines = reader.fallback_lines
    summary.first_fallback_line = reader.first_fallback_line
    summary.output = None if output is None else str(output)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (it runs as usual afterwards).

    It would walk every cached result again and again while millions of rows go by, and
    nothing here makes cyclic garbage: results dropped from the bounded caches are freed by
    reference counting.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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


_BAD_TYPE = object()  # the group of rows whose code-type cell is not a code system


def _validate_chunk(
    validator: CodeValidator,
    chunk: Chunk,
    system: str | None,
    parse_type: _TypeParser,
    type_column: str | None,
) -> list[ValidationResult | str]:
    """One result per row: a :class:`ValidationResult`, or the row's error as text.

    Rows are grouped by code system with C-level passes (map/compress), then each group is
    validated as one batch; only the scatter back into row order is a Python loop.
    """
    codes = chunk.codes
    n = len(codes)
    if type_column is None or chunk.kinds is None:
        out: list[ValidationResult | str] = list(validator.validate_batch(codes, system))
    else:
        kinds = chunk.kinds
        parsed = {kind: parse_type(kind) for kind in set(kinds)}  # a handful of spellings
        group_of = {k: (_BAD_TYPE if p[1] is not None else p[0]) for k, p in parsed.items()}
        groups = list(map(group_of.__getitem__, kinds))
        answers: dict[Any, Iterator[Any]] = {}
        for group in set(groups):
            member = list(map(operator.is_, groups, itertools.repeat(group)))
            if group is _BAD_TYPE:
                bad = itertools.compress(kinds, member)
                answers[group] = iter([parsed[kind][1] for kind in bad])
            else:
                batch = list(itertools.compress(codes, member))
                answers[group] = iter(validator.validate_batch(batch, group))
        # Back into row order: each row takes the next answer of its group (all in C).
        out = list(map(next, map(answers.__getitem__, groups)))
    if chunk.errors is not None:  # the reader's own complaints (blank JSONL line...) win
        errors = chunk.errors
        for i in itertools.compress(range(n), errors):
            out[i] = errors[i]  # type: ignore[assignment]
    return out


# What the summary counts about a row, packed in a small int (cheap to count in C):
# system index << 3 | valid << 2 | non-billable << 1 | valid in two systems.
_Stat = int
_SYSTEMS = (*CODE_TYPES, "unknown")
_VALID, _NON_BILLABLE, _AMBIGUOUS = 4, 2, 1
_SEEN_BIT = 128  # never 0, so that all() can tell a found stat from a missing one


def _count_small(values: list[int]) -> dict[int, int]:
    """``Counter(values)`` for ints below 256, via bytes.count (several times faster)."""
    packed = bytes(values)
    return {value: packed.count(value) for value in set(packed)}


class _Seen:
    """Facts about each distinct result, computed once per file (bounded memory).

    Rows map to their facts through C-level dictionary lookups keyed by ``id(result)``;
    only results not met before reach Python code. ``alive`` holds every result whose id is
    a key, so no other object can take that id while it is cached.
    """

    def __init__(self, billable_only: bool) -> None:
        self.billable_only = billable_only
        self.alive: dict[int, Any] = {}
        self.stats: dict[int, _Stat] = {}
        self.encoded: dict[int, str] = {}

    def stats_of(self, results: list[Any], ids: list[int]) -> list[_Stat]:
        return self._lookup(results, ids, self.stats, self._stat)

    def encoded_of(
        self, results: list[Any], ids: list[int], encoder: Callable[[Tail], str]
    ) -> list[str]:
        make = lambda r: encoder(_tail(r, self.billable_only))  # noqa: E731
        return self._lookup(results, ids, self.encoded, make)

    def _lookup(
        self, results: list[Any], ids: list[int], table: dict[int, Any], make: Callable
    ) -> list[Any]:
        found = list(map(table.get, ids))
        if all(found):  # facts are never falsy (stats carry _SEEN_BIT, texts are non-empty)
            return found
        if len(self.alive) >= _SEEN_LIMIT:  # forget everything at once; ids stay safe
            self.alive.clear()
            self.stats.clear()
            self.encoded.clear()
        # Work out each new result once (not once per row), then look every row up in C.
        by_id = dict(zip(ids, results, strict=True))
        missing = itertools.compress(ids, map(operator.is_, found, itertools.repeat(None)))
        for key in set(missing):
            result = by_id[key]
            table[key] = make(result)
            self.alive[key] = result
        return list(map(table.__getitem__, ids))

    def _stat(self, result: ValidationResult | str) -> _Stat:
        if isinstance(result, str):  # the row could not be read
            return _SEEN_BIT | _SYSTEMS.index("unknown") << 3
        stat = _SEEN_BIT | _SYSTEMS.index(result.code_type or "unknown") << 3
        if _passes(result, self.billable_only):
            stat |= _VALID
        if result.is_valid and result.billable is False:
            stat |= _NON_BILLABLE
        if result.is_valid and result.alternatives:
            stat |= _AMBIGUOUS
        return stat


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


def _add_counts(summary: FileSummary, stats: Counter[_Stat]) -> None:
    by_system = {s: {"rows": 0, "valid": 0, "invalid": 0} for s in _SYSTEMS}
    for stat, count in stats.items():
        valid = bool(stat & _VALID)
        summary.rows += count
        summary.valid += count if valid else 0
        summary.invalid += 0 if valid else count
        summary.non_billable += count if stat & _NON_BILLABLE else 0
        summary.ambiguous += count if stat & _AMBIGUOUS else 0
        counts = by_system[_SYSTEMS[(stat & ~_SEEN_BIT) >> 3]]
        counts["rows"] += count
        counts["valid" if valid else "invalid"] += count
    summary.by_system = {s: c for s, c in by_system.items() if c["rows"]}


def _collect_examples(
    summary: FileSummary,
    chunk: Chunk,
    results: list[ValidationResult | str],
    stat_list: list[_Stat],
    row_number: int,
    limit: int,
) -> None:
    invalid = map(operator.not_, map(_VALID.__and__, stat_list))
    for offset in itertools.compress(range(len(results)), invalid):
        tail = _tail(results[offset], summary.billable_only)
        summary.examples.append(
            {
                "row": row_number + offset + 1,
                "line": chunk.lines[offset],
                "input": shorten(chunk.codes[offset]),
                "code_type": tail[1] or None,
                "error": tail[5],
                "suggestion": tail[6] or None,
            }
        )
        if len(summary.examples) >= limit:
            return


def _same_file(a: Path, b: Path) -> bool:
    try:
        return b.exists() and a.resolve() == b.resolve()
    except OSError:
        return False


__all__ = ["MAX_EXAMPLES", "RESULT_FIELDS", "FileSummary", "validate_file"]
