"""Preprocessing: raw coded narratives (or stage files) -> clean stage-format examples.

Steps, in order; each counts the records it changed or removed, and removed records go to the
rejects file with the step and the reason (``total == written + rejected``, always):

1. ``parse``     read the record: a stage 1/2/3 example, or a raw record (columns below).
2. ``phi``       scrub PHI from the narrative and the reasoning (typed placeholders such as
                 ``[NAME]``, ``[DATE]``), using :class:`thce.data.phi.PHIScrubber`.
3. ``normalize`` unicode NFKC, curly quotes/dashes to ASCII, zero-width and control characters
                 removed, runs of spaces collapsed, no space before ``, . ; : ! ?``, repeated
                 ``!?,;`` collapsed. Lower-casing is optional and off by default: it destroys
                 clinical abbreviations (``MS`` vs ``ms``, ``CO`` vs ``Co``).
4. ``code``      code type and code standardised (upper case, ICD-10-CM dot), validated against
                 the code database; an invalid code removes the record. A missing description is
                 filled in from the database. Stage 3: ``chosen`` must be valid, ``rejected`` well
                 formed and different from ``chosen``.
5. ``length``    narrative between ``min_length`` and ``max_length`` characters (10-2000).
6. ``language``  English only (:mod:`thce.data.language`): removed when another language wins
                 clearly; clinical shorthand that no detector can place stays.
7. ``quality``   a score in [0, 1] stored in ``metadata.quality_score`` (see
                 :func:`quality_score`); records below ``min_quality`` (default 0) are removed.

Raw records are JSON objects with ``narrative`` (or ``text``), ``code``, and optionally
``code_type`` (detected from the code's format when absent and unambiguous), ``description``,
``reasoning`` (makes a stage-2 example), ``id``, ``specialty`` and ``metadata``; any other column
is kept under ``metadata``.

    >>> pre = Preprocessor(scrub_phi=False)
    >>> out = pre.process_example({"narrative": "58 yo with type 2  diabetes , no complications.",
    ...                            "code": "e119", "code_type": "icd10"})
    >>> out.record["messages"][1]["content"], out.record["messages"][2]["content"]
    ('58 yo with type 2 diabetes, no complications.', 'ICD10: E11.9 (Type 2 diabetes mellitus without complications)')
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Re-exported ("X as X"): public names of this module before the split, outside __all__.
from thce.data.preprocess_records import RAW_KNOWN_COLUMNS as RAW_KNOWN_COLUMNS
from thce.data.preprocess_records import RAW_NARRATIVE_COLUMNS as RAW_NARRATIVE_COLUMNS
from thce.data.preprocess_records import Rejected, Work, build_record, guess_format, to_work
from thce.data.preprocess_steps import (
    QUALITY_WEIGHTS,
    check_length,
    english_scores,
    normalize_text,
    normalize_work,
    quality_components,
    quality_score,
    scrub_phi,
    standardise_codes,
)
from thce.data.quality_checks import MAX_NARRATIVE_CHARS, MIN_NARRATIVE_CHARS
from thce.errors import DataError
from thce.io import atomic_write, iter_jsonl
from thce.logging import logger

STEPS: tuple[str, ...] = ("parse", "phi", "normalize", "code", "length", "language", "quality")


# ---------------------------------------------------------------------------- results
@dataclass
class StepCounts:
    """How many records a step changed and how many it removed."""

    changed: int = 0
    removed: int = 0


@dataclass
class ExampleOutcome:
    """Result for one record: the processed record, or the step and reason that removed it."""

    record: dict[str, Any] | None
    step: str | None = None
    reason: str | None = None
    changed: tuple[str, ...] = ()
    line: int | None = None
    input_format: str | None = None
    original: Any = None  # the input record (or raw text of a malformed line), for rejects

    @property
    def kept(self) -> bool:
        """True when the record survived every step."""
        return self.record is not None


@dataclass
class PreprocessSummary:
    """Counts for one run. ``total == written + rejected``."""

    input: str = ""
    output: str = ""
    rejects: str = ""
    total: int = 0
    written: int = 0
    rejected: int = 0
    steps: dict[str, StepCounts] = field(default_factory=lambda: {s: StepCounts() for s in STEPS})
    input_formats: dict[str, int] = field(default_factory=dict)
    quality_sum: float = 0.0

    def add(self, outcome: ExampleOutcome) -> None:
        """Count one outcome."""
        self.total += 1
        if outcome.input_format:
            self.input_formats[outcome.input_format] = (
                self.input_formats.get(outcome.input_format, 0) + 1
            )
        for step in outcome.changed:
            self.steps[step].changed += 1
        if outcome.kept:
            self.written += 1
            self.quality_sum += outcome.record["metadata"]["quality_score"]
        else:
            self.rejected += 1
            self.steps[outcome.step or "parse"].removed += 1

    @property
    def mean_quality(self) -> float | None:
        """Mean quality score of the written records."""
        return round(self.quality_sum / self.written, 3) if self.written else None

    def to_dict(self) -> dict[str, Any]:
        """JSON view (the ``--json`` output)."""
        return {
            "input": self.input,
            "output": self.output,
            "rejects": self.rejects,
            "total": self.total,
            "written": self.written,
            "rejected": self.rejected,
            "mean_quality": self.mean_quality,
            "input_formats": dict(sorted(self.input_formats.items())),
            "steps": {
                s: {"changed": c.changed, "removed": c.removed} for s, c in self.steps.items()
            },
        }


def record_from_raw(record: dict[str, Any], validate: bool = False) -> dict[str, Any]:
    """Convert a raw record (``narrative``/``text``, ``code``, ``code_type``…) to a stage-1
    example, or stage-2 when it has ``reasoning``. No cleaning; ``validate=True`` also
    standardises and checks the code. Raises :class:`DataError` with the reason.

    >>> record_from_raw({"text": "Office visit, established patient.", "code": "99213",
    ...                  "code_type": "CPT"})["messages"][2]["content"]
    'CPT: 99213'
    """
    pre = Preprocessor(
        scrub_phi=False, normalize=False, english_only=False, validate_codes=validate
    )
    try:
        work = to_work(record, None)
        standardise_codes(work, pre._code_validator())
    except Rejected as exc:
        raise DataError(f"cannot convert raw record ({exc.step}): {exc.reason}") from None
    return build_record(work, quality=None)


# ---------------------------------------------------------------------------- preprocessor
class Preprocessor:
    """Run the preprocessing steps on records and files.

    Args:
        scrub_phi: run the ``phi`` step (default on).
        normalize: run the ``normalize`` step; ``lowercase`` also lower-cases (off by default).
        min_length / max_length: narrative length bounds for the ``length`` step.
        english_only: run the ``language`` step; ``min_language_confidence`` is how sure the
            detector must be of another language before removing a record.
        validate_codes: check codes against the database (an invalid code removes the record).
        min_quality: remove records scoring below this (0 keeps everything).
        phi_scrubber: object with ``scrub(text)`` (and optionally ``scrub_batch(texts)``);
            default :class:`thce.data.phi.PHIScrubber`, created on first use.
        validator: a :class:`thce.codes.CodeValidator`; default created on first use.
        batch_size: records scrubbed together by :meth:`process_records` (PHI NER is faster
            in batches; memory stays bounded by it).

    Example::

        summary = Preprocessor().process_file("raw.jsonl", "clean.jsonl")
        print(summary.to_dict())
    """

    def __init__(
        self,
        *,
        scrub_phi: bool = True,
        normalize: bool = True,
        lowercase: bool = False,
        min_length: int = MIN_NARRATIVE_CHARS,
        max_length: int = MAX_NARRATIVE_CHARS,
        english_only: bool = True,
        min_language_confidence: float = 0.5,
        validate_codes: bool = True,
        min_quality: float = 0.0,
        phi_scrubber: Any = None,
        validator: Any = None,
        batch_size: int = 64,
    ) -> None:
        if min_length < 0 or max_length < min_length:
            raise DataError(
                f"invalid length bounds {min_length}-{max_length}: need 0 <= min <= max"
            )
        if not 0.0 <= min_quality <= 1.0:
            raise DataError(f"min_quality must be between 0 and 1, got {min_quality}")
        self.scrub_phi = scrub_phi
        self.normalize = normalize
        self.lowercase = lowercase
        self.min_length = min_length
        self.max_length = max_length
        self.english_only = english_only
        self.min_language_confidence = min_language_confidence
        self.validate_codes = validate_codes
        self.min_quality = min_quality
        self.batch_size = max(1, batch_size)
        self._scrubber = phi_scrubber
        self._validator = validator

    # ---------------------------------------------------------------- dependencies
    def _get_scrubber(self) -> Any:
        if self._scrubber is None:
            try:
                from thce.data.phi import PHIScrubber
            except ImportError as exc:  # pragma: no cover - shipped with the package
                raise DataError(
                    f"PHI scrubbing needs thce.data.phi ({exc}); use --no-phi to skip"
                ) from exc
            self._scrubber = PHIScrubber()
        return self._scrubber

    def _get_validator(self) -> Any:
        if self._validator is None:
            from thce.codes import CodeValidator

            self._validator = CodeValidator()
        return self._validator

    def _scrub_texts(self, texts: list[str]) -> list[str]:
        scrubber = self._get_scrubber()
        batch: Callable[[list[str]], list[str]] | None = getattr(scrubber, "scrub_batch", None)
        if batch is not None:
            return list(batch(texts))
        return [scrubber.scrub(text) for text in texts]

    # ---------------------------------------------------------------- steps
    def _code_validator(self) -> Callable[[], Any] | None:
        """The ``code`` step's validator getter; ``None`` when codes are not validated."""
        return self._get_validator if self.validate_codes else None

    def _language(self, works: list[Work]) -> list[float | None]:
        """The ``language`` step when ``english_only`` is on; every record passes otherwise."""
        if not self.english_only:
            return [1.0] * len(works)
        return english_scores(works, self.min_language_confidence)

    # ---------------------------------------------------------------- public API
    def process_example(self, record: dict[str, Any], line: int | None = None) -> ExampleOutcome:
        """Run every step on one record."""
        return next(iter(self.process_records([(line, record, None)])))

    def process_records(
        self, records: Iterable[tuple[int | None, Any, str | None]]
    ) -> Iterator[ExampleOutcome]:
        """Process ``(line, record_or_None, parse_error)`` tuples, in batches, in order."""
        batch: list[tuple[int | None, Any, str | None]] = []
        for item in records:
            batch.append(item)
            if len(batch) >= self.batch_size:
                yield from self._process_batch(batch)
                batch = []
        if batch:
            yield from self._process_batch(batch)

    def _process_batch(
        self, batch: list[tuple[int | None, Any, str | None]]
    ) -> list[ExampleOutcome]:
        outcomes: list[ExampleOutcome | None] = [None] * len(batch)
        works: list[tuple[int, Work]] = []
        for index, (line, record, error) in enumerate(batch):
            if error is not None:
                outcomes[index] = ExampleOutcome(
                    None, "parse", error, line=line, input_format="invalid", original=record
                )
                continue
            try:
                works.append((index, to_work(record, line)))
            except Rejected as exc:
                outcomes[index] = ExampleOutcome(
                    None,
                    exc.step,
                    exc.reason,
                    line=line,
                    input_format=guess_format(record),
                    original=record,
                )
        if self.scrub_phi and works:
            scrub_phi([work for _, work in works], self._scrub_texts)
        survivors: list[tuple[int, Work]] = []
        for index, work in works:
            try:
                if self.normalize:
                    normalize_work(work, self.lowercase)
                standardise_codes(work, self._code_validator())
                check_length(work, self.min_length, self.max_length)
            except Rejected as exc:
                outcomes[index] = self._removed(work, exc)
            else:
                survivors.append((index, work))
        english = self._language([work for _, work in survivors])
        for (index, work), english_score_ in zip(survivors, english, strict=True):
            outcomes[index] = self._finish(work, english_score_)
        return [o for o in outcomes if o is not None]

    @staticmethod
    def _removed(work: Work, exc: Rejected) -> ExampleOutcome:
        return ExampleOutcome(
            None,
            exc.step,
            exc.reason,
            tuple(work.changed),
            work.line,
            work.input_format,
            work.original,
        )

    def _finish(self, work: Work, english: float | None) -> ExampleOutcome:
        try:
            if english is None:
                raise Rejected("language", work.language_reason)
            main = work.answers[0]
            components = quality_components(
                work.narrative, bool(main.description), work.billable, english, main.reasoning
            )
            score = quality_score(components)
            if score < self.min_quality:
                raise Rejected("quality", f"quality score {score} is below {self.min_quality}")
        except Rejected as exc:
            return self._removed(work, exc)
        record = build_record(work, score)
        return ExampleOutcome(record, None, None, tuple(work.changed), work.line, work.input_format)

    def process_file(
        self,
        input_path: str | Path,
        output_path: str | Path,
        rejects_path: str | Path | None = None,
    ) -> PreprocessSummary:
        """Stream ``input_path`` through the steps into ``output_path`` (JSONL, atomic).

        Removed records go to ``rejects_path`` (default ``<output stem>.rejects.jsonl`` next to
        the output) as ``{"line", "step", "reason", "record"}``, where ``record`` is the input
        unchanged (or the raw text of a malformed line).
        """
        input_path, output_path = Path(input_path), Path(output_path)
        if not input_path.is_file():
            raise DataError(f"input file not found: {input_path}")
        if input_path.resolve() == output_path.resolve():
            raise DataError(
                f"--output {output_path} would overwrite the input; choose another path"
            )
        rejects_path = Path(rejects_path) if rejects_path else default_rejects_path(output_path)
        summary = PreprocessSummary(str(input_path), str(output_path), str(rejects_path))

        def source() -> Iterator[tuple[int | None, Any, str | None]]:
            # A malformed line travels as its raw text so the rejects file can show it.
            for line, record, raw, error in iter_jsonl(input_path):
                yield line, (raw if error is not None else record), error

        try:
            with atomic_write(output_path) as out, atomic_write(rejects_path) as rejects:
                for outcome in self.process_records(source()):
                    summary.add(outcome)
                    if outcome.kept:
                        out.write(json.dumps(outcome.record, ensure_ascii=False) + "\n")
                    else:
                        rejects.write(json.dumps(reject_entry(outcome), ensure_ascii=False) + "\n")
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{input_path} is not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        logger.info(
            "preprocessed {}: {} in, {} written, {} rejected",
            input_path,
            summary.total,
            summary.written,
            summary.rejected,
        )
        return summary


def reject_entry(outcome: ExampleOutcome) -> dict[str, Any]:
    """Rejects-file line: ``{"line", "step", "reason", "record"}`` (record as it came in)."""
    return {
        "line": outcome.line,
        "step": outcome.step,
        "reason": outcome.reason,
        "record": outcome.original,
    }


def default_rejects_path(output_path: str | Path) -> Path:
    """``clean.jsonl`` -> ``clean.rejects.jsonl`` (same folder)."""
    output_path = Path(output_path)
    return output_path.with_name(f"{output_path.stem}.rejects.jsonl")


def preprocess_file(
    input_path: str | Path,
    output_path: str | Path,
    rejects_path: str | Path | None = None,
    **kwargs: Any,
) -> PreprocessSummary:
    """Shortcut: ``Preprocessor(**kwargs).process_file(input_path, output_path, rejects_path)``."""
    return Preprocessor(**kwargs).process_file(input_path, output_path, rejects_path)


__all__ = [
    "QUALITY_WEIGHTS",
    "STEPS",
    "ExampleOutcome",
    "PreprocessSummary",
    "Preprocessor",
    "StepCounts",
    "default_rejects_path",
    "normalize_text",
    "preprocess_file",
    "quality_components",
    "quality_score",
    "record_from_raw",
    "reject_entry",
]
