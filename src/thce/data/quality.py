"""Data quality checker: every check on every record, counted per check, with line numbers.

The checks themselves (``schema``, ``message_structure``, ``empty_content``, ``code_format``,
``unknown_code``, ``reasoning_tags``, ``narrative_length``, ``phi``, ``duplicate``) are in
:mod:`thce.data.quality_checks`, looked up by name; this module runs them over examples, files
and streams (:class:`DataQualityChecker`) and sums the results up (:class:`QualityReport`,
:func:`generate_report`). The names that lived here before the checks moved out
(``CHECKS``, ``CHECK_NAMES``, ``classify_code``, ``narrative_hash``...) are re-exported.

    >>> from thce.data.formats import build_stage_1_example
    >>> ex = build_stage_1_example("58 yo with type 2 diabetes, no complications.", "ICD10",
    ...                            "E11.9", "Type 2 diabetes mellitus without complications")
    >>> DataQualityChecker(skip=["phi"]).check_example(ex, stage=1).passed
    True
    >>> report = DataQualityChecker().check_file("data/examples/sample_stage_1.jsonl", stage=1)  # doctest: +SKIP
    >>> print(generate_report(report))                                                              # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thce.data.formats import get_narrative
from thce.data.quality_checks import (
    CHECK_NAMES,
    CHECKS,
    MAX_NARRATIVE_CHARS,
    MIN_NARRATIVE_CHARS,
    classify_code,
    make_view,
    narrative_hash,
    resolve_check_names,
    validate_stage,
)

# Re-exported ("X as X"): public names of this module before the split, outside __all__.
from thce.data.quality_checks import STAGES as STAGES
from thce.data.quality_checks import CheckFn as CheckFn
from thce.data.quality_checks import is_well_formed as is_well_formed
from thce.errors import DataError
from thce.io import atomic_write, iter_jsonl
from thce.logging import logger

# How many offending line numbers a report keeps per check (counts are always exact).
DEFAULT_MAX_LINES = 1000


@dataclass
class QualityResult:
    """Outcome of all checks on one record. ``failures`` maps check name -> reason."""

    line: int | None
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no check failed."""
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly view."""
        return {"line": self.line, "passed": self.passed, "failures": dict(self.failures)}


@dataclass
class CheckSummary:
    """Failure count of one check and the first offending line numbers."""

    failed: int = 0
    lines: list[int] = field(default_factory=list)


@dataclass
class QualityReport:
    """Counts for a whole file (or stream of records)."""

    file: str
    stage: int
    total: int = 0
    passed: int = 0
    failed: int = 0
    checks: dict[str, CheckSummary] = field(
        default_factory=lambda: {name: CheckSummary() for name in CHECK_NAMES}
    )
    # First reason seen per check: the readable report shows what went wrong, not only where.
    examples: dict[str, tuple[int | None, str]] = field(default_factory=dict)
    max_lines: int = DEFAULT_MAX_LINES

    @property
    def ok(self) -> bool:
        """True when every record passed."""
        return self.failed == 0

    def add(self, result: QualityResult) -> None:
        """Count one record's result."""
        self.total += 1
        if result.passed:
            self.passed += 1
            return
        self.failed += 1
        for name, reason in result.failures.items():
            summary = self.checks.setdefault(name, CheckSummary())
            summary.failed += 1
            if result.line is not None and len(summary.lines) < self.max_lines:
                summary.lines.append(result.line)
            self.examples.setdefault(name, (result.line, reason))

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` shape: file, stage, total, passed, failed, checks{name: failed, lines}."""
        return {
            "file": self.file,
            "stage": self.stage,
            "total": self.total,
            "passed": self.passed,
            "failed": self.failed,
            "checks": {
                name: {"failed": summary.failed, "lines": list(summary.lines)}
                for name, summary in self.checks.items()
            },
        }


class DataQualityChecker:
    """Run the quality checks on examples and files.

    Args:
        checks: names of the checks to run (default: all of :data:`CHECK_NAMES`).
        skip: names to leave out, e.g. ``["phi"]``.
        min_length / max_length: narrative length bounds (characters).
        phi_detector: ``text -> bool``; default ``PHIScrubber().has_phi`` (loaded on first use).
        phi_batch_detector: ``texts -> [bool]`` used by :meth:`check_batch` (files are checked
            in batches of ``batch_size``); default: the scrubber's ``find_batch``.
        validator: a :class:`thce.codes.CodeValidator`; default one is created on first use.
        max_lines: offending line numbers kept per check in reports.
        batch_size: records checked together (PHI detection is faster in batches).

    The ``duplicate`` check remembers narratives across calls (as hashes): :meth:`check_file`
    starts afresh, and :meth:`reset` does so by hand.
    """

    def __init__(
        self,
        checks: Iterable[str] | None = None,
        skip: Iterable[str] | None = None,
        *,
        min_length: int = MIN_NARRATIVE_CHARS,
        max_length: int = MAX_NARRATIVE_CHARS,
        phi_detector: Callable[[str], bool] | None = None,
        phi_batch_detector: Callable[[list[str]], list[bool]] | None = None,
        validator: Any = None,
        max_lines: int = DEFAULT_MAX_LINES,
        batch_size: int = 64,
    ) -> None:
        self.check_names = resolve_check_names(checks, skip)
        self.min_length = min_length
        self.max_length = max_length
        self.max_lines = max_lines
        self.batch_size = max(1, batch_size)
        self._phi_detector = phi_detector
        self._phi_batch = phi_batch_detector
        self._phi_prefetched: dict[str, bool] = {}
        self._validator = validator
        self._code_cache: dict[tuple[str, str], tuple[str, str | None]] = {}
        self._seen: dict[int, int] = {}
        self._current_line: int | None = None

    # ---------------------------------------------------------------- dependencies
    def _load_default_phi(self) -> None:
        try:
            from thce.data.phi import PHIScrubber
        except ImportError as exc:  # pragma: no cover - shipped with the package
            raise DataError(
                f"the phi check needs thce.data.phi ({exc}); disable it with skip=['phi'] "
                "or --skip phi"
            ) from exc
        scrubber = PHIScrubber()
        self._phi_detector = scrubber.has_phi
        # find_batch runs spaCy over many texts at once; a text has PHI exactly when it
        # yields spans (the same recognizers and NER that has_phi uses).
        if hasattr(scrubber, "find_batch"):
            self._phi_batch = lambda texts: [bool(spans) for spans in scrubber.find_batch(texts)]

    def has_phi(self, text: str) -> bool:
        """Whether ``text`` holds PHI, using the configured detector (or a batch prefetch)."""
        cached = self._phi_prefetched.get(text)
        if cached is not None:
            return cached
        if self._phi_detector is None:
            self._load_default_phi()
        assert self._phi_detector is not None
        return bool(self._phi_detector(text))

    def _prefetch_phi(self, examples: list[Any]) -> None:
        """Run the batch PHI detector over the narratives of a batch of examples."""
        self._phi_prefetched = {}
        if "phi" not in self.check_names:
            return
        if self._phi_detector is None:
            self._load_default_phi()
        if self._phi_batch is None:
            return
        narratives = []
        for example in examples:
            if isinstance(example, dict):
                with contextlib.suppress(AttributeError, TypeError):
                    narrative = get_narrative(example)
                    if narrative:
                        narratives.append(narrative)
        unique = list(dict.fromkeys(narratives))
        if unique:
            self._phi_prefetched = dict(zip(unique, self._phi_batch(unique), strict=True))

    def classify_code(self, code_type: str | None, code: str | None) -> tuple[str, str | None]:
        """``("valid" | "unknown" | "malformed", message)`` for a code of a given system."""
        key = (code_type or "", code or "")
        cached = self._code_cache.get(key)
        if cached is None:
            cached = classify_code(code_type, code, self._get_validator())
            if len(self._code_cache) < 100_000:  # bounded: memory stays flat on huge files
                self._code_cache[key] = cached
        return cached

    def _get_validator(self) -> Any:
        if self._validator is None:
            from thce.codes import CodeValidator

            self._validator = CodeValidator()
        return self._validator

    # ---------------------------------------------------------------- checking
    def reset(self) -> None:
        """Forget the narratives seen so far (the ``duplicate`` check's memory)."""
        self._seen.clear()

    def check_example(
        self,
        example: dict[str, Any] | None,
        stage: int,
        line: int | None = None,
        parse_error: str | None = None,
    ) -> QualityResult:
        """Run every enabled check on one example; return all failures (none stops the rest).

        ``example=None`` with ``parse_error`` stands for a line that is not a JSON object.
        """
        stage = validate_stage(stage)
        if example is not None and not isinstance(example, dict):
            parse_error = f"expected a JSON object, got {type(example).__name__}"
            example = None
        view = make_view(example, stage, parse_error)
        self._current_line = line
        result = QualityResult(line=line)
        for name in self.check_names:
            if view.record is None and name != "schema":
                continue  # nothing to look at; schema already fails this line
            reason = CHECKS[name](self, view)
            if reason:
                result.failures[name] = reason
        if view.record is None and "schema" not in self.check_names:
            result.failures["schema"] = parse_error or "not a JSON object"
        return result

    def check_batch(
        self, items: Sequence[tuple[int | None, Any, str | None]], stage: int
    ) -> list[QualityResult]:
        """Check ``(line, record_or_None, parse_error)`` items together, results in order.

        Same results as :meth:`check_example` one by one; PHI detection runs once for the batch.
        """
        self._prefetch_phi([record for _, record, _ in items])
        try:
            return [
                self.check_example(record, stage, line=line, parse_error=error)
                for line, record, error in items
            ]
        finally:
            self._phi_prefetched = {}

    def check_records(
        self, records: Iterable[tuple[int | None, Any, str | None]], stage: int
    ) -> Iterator[QualityResult]:
        """Check ``(line, record_or_None, parse_error)`` tuples as they stream by (in batches)."""
        for batch in batched(records, self.batch_size):
            yield from self.check_batch(batch, stage)

    def check_file(
        self, path: str | Path, stage: int, rejects_path: str | Path | None = None
    ) -> QualityReport:
        """Stream a JSONL file through every check; optionally write failing records.

        ``rejects_path`` receives one line per failing record:
        ``{"line": n, "record": <the record unchanged, or the raw text>, "reasons": {check: why}}``,
        written atomically.
        """
        stage = validate_stage(stage)
        path = Path(path)
        if not path.is_file():
            raise DataError(f"data file not found: {path}")
        self.reset()
        report = QualityReport(file=str(path), stage=stage, max_lines=self.max_lines)
        logger.debug("checking {} as stage {} with {}", path, stage, ", ".join(self.check_names))
        with contextlib.ExitStack() as stack:
            rejects = stack.enter_context(atomic_write(rejects_path)) if rejects_path else None
            try:
                for batch in batched(iter_jsonl(path), self.batch_size):
                    results = self.check_batch([(n, rec, err) for n, rec, _, err in batch], stage)
                    for (_, record, raw, _), result in zip(batch, results, strict=True):
                        report.add(result)
                        if rejects is not None and not result.passed:
                            entry = reject_record(result, record, raw)
                            rejects.write(json.dumps(entry, ensure_ascii=False) + "\n")
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})"
                ) from None
            finally:
                self.reset()
        return report


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of up to ``size`` consecutive items (``itertools.batched`` arrived in 3.12)."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def reject_record(result: QualityResult, record: dict[str, Any] | None, raw: str) -> dict[str, Any]:
    """The rejects-file line for a failing record: line, record unchanged (or raw text), reasons."""
    return {
        "line": result.line,
        "record": record if record is not None else raw,
        "reasons": dict(result.failures),
    }


def check_example(example: dict[str, Any], stage: int, **kwargs: Any) -> QualityResult:
    """Check one example with a fresh :class:`DataQualityChecker` (``kwargs`` go to it)."""
    return DataQualityChecker(**kwargs).check_example(example, stage)


def check_file(path: str | Path, stage: int, **kwargs: Any) -> QualityReport:
    """Check a file with a fresh :class:`DataQualityChecker` (``kwargs`` go to it)."""
    rejects = kwargs.pop("rejects_path", None)
    return DataQualityChecker(**kwargs).check_file(path, stage, rejects_path=rejects)


def generate_report(results: QualityReport | Iterable[QualityResult], max_shown: int = 10) -> str:
    """Plain-text summary: totals, failures per check with the first offending lines and a
    sample reason. Accepts a :class:`QualityReport` or the :class:`QualityResult` items."""
    if isinstance(results, QualityReport):
        report = results
    else:
        report = QualityReport(file="<records>", stage=0)
        for result in results:
            report.add(result)
    head = f"{report.file}" + (f" (stage {report.stage})" if report.stage else "")
    lines = [
        head,
        f"  total {report.total}, passed {report.passed}, failed {report.failed}",
    ]
    for name, summary in report.checks.items():
        if not summary.failed:
            lines.append(f"  {name:<18} ok")
            continue
        shown = ", ".join(str(n) for n in summary.lines[:max_shown])
        more = " …" if summary.failed > max_shown else ""
        lines.append(f"  {name:<18} {summary.failed} failed (lines {shown}{more})")
        if name in report.examples:
            line, reason = report.examples[name]
            lines.append(f"  {'':<18} e.g. line {line}: {reason}")
    return "\n".join(lines)


__all__ = [
    "CHECKS",
    "CHECK_NAMES",
    "CheckSummary",
    "DataQualityChecker",
    "QualityReport",
    "QualityResult",
    "batched",
    "check_example",
    "check_file",
    "classify_code",
    "generate_report",
    "narrative_hash",
    "reject_record",
    "resolve_check_names",
    "validate_stage",
]
