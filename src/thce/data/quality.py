"""Data quality checker: every check on every record, counted per check, with line numbers.

Checks are looked up by name (an unknown name is an error listing the valid ones):

==================  =============================================================================
``schema``          a JSON object with ``messages`` (stage 1/2) or ``prompt``/``chosen``/``rejected``
                    (stage 3); a malformed JSON line fails here, with its line number
``message_structure`` roles, order and ``role``/``content`` fields of every message
``empty_content``   no message has empty or blank content
``code_format``     the answer is ``CODE_TYPE: CODE (description)`` in canonical form and the code
                    matches its system's format; stage 3: ``chosen`` and ``rejected`` both, and
                    ``rejected`` differs from ``chosen``
``unknown_code``    a well-formed code that is not in the code database (``chosen`` for stage 3)
``reasoning_tags``  stage 1: no ``<think>`` tags; stage 2/3: exactly one ``<think>…</think>``
                    before the answer, not empty (stage 3: ``chosen``; ``rejected`` may lack one,
                    as "missing reasoning" is a realistic mistake, but any tags must be well formed)
``narrative_length`` narrative length between 10 and 2000 characters
``phi``             PHI detected in the narrative (:class:`thce.data.phi.PHIScrubber`)
``duplicate``       the same narrative (case and whitespace aside) appeared earlier in the file;
                    the first occurrence passes. Only 8-byte hashes are kept, never texts.
==================  =============================================================================

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
import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thce.data.formats import (
    THINK_CLOSE,
    THINK_OPEN,
    ParsedAnswer,
    format_answer,
    get_narrative,
    parse_answer,
    split_reasoning,
)
from thce.errors import DataError
from thce.io import atomic_write, iter_jsonl
from thce.logging import logger

CHECK_NAMES: tuple[str, ...] = (
    "schema",
    "message_structure",
    "empty_content",
    "code_format",
    "unknown_code",
    "reasoning_tags",
    "narrative_length",
    "phi",
    "duplicate",
)
STAGES: tuple[int, ...] = (1, 2, 3)
MIN_NARRATIVE_CHARS = 10
MAX_NARRATIVE_CHARS = 2000
# How many offending line numbers a report keeps per check (counts are always exact).
DEFAULT_MAX_LINES = 1000

_WS_RE = re.compile(r"\s+")


def validate_stage(stage: int | str) -> int:
    """Return ``stage`` as 1, 2 or 3, or raise :class:`DataError`."""
    try:
        value = int(stage)
    except (TypeError, ValueError):
        value = -1
    if value not in STAGES:
        raise DataError(f"invalid stage {stage!r}; use 1, 2 or 3")
    return value


def resolve_check_names(
    checks: Iterable[str] | None = None, skip: Iterable[str] | None = None
) -> tuple[str, ...]:
    """The checks to run: ``checks`` (default all) minus ``skip``, in registry order.

    Raises :class:`DataError` for an unknown name, listing the valid ones.
    """
    chosen = list(CHECK_NAMES) if checks is None else [c.strip() for c in checks]
    skipped = [] if skip is None else [s.strip() for s in skip]
    unknown = [name for name in (*chosen, *skipped) if name not in CHECK_NAMES]
    if unknown:
        raise DataError(
            f"unknown quality check(s): {', '.join(unknown)}; valid checks: {', '.join(CHECK_NAMES)}"
        )
    return tuple(name for name in CHECK_NAMES if name in chosen and name not in skipped)


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


@dataclass
class _View:
    """What the checks look at, extracted once per record."""

    record: dict[str, Any] | None
    stage: int
    parse_error: str | None = None
    narrative: str | None = None
    # (label, answer text) pairs: ("answer", …) for stage 1/2; ("chosen", …), ("rejected", …).
    answers: list[tuple[str, str]] = field(default_factory=list)
    parsed: dict[str, ParsedAnswer] = field(default_factory=dict)
    message_lists: dict[str, Any] = field(default_factory=dict)


def _assistant_text(messages: Any) -> str | None:
    if not isinstance(messages, list):
        return None
    texts = [
        m.get("content")
        for m in messages
        if isinstance(m, dict)
        and m.get("role") == "assistant"
        and isinstance(m.get("content"), str)
    ]
    return texts[-1] if texts else None


def _make_view(record: dict[str, Any] | None, stage: int, parse_error: str | None) -> _View:
    view = _View(record=record, stage=stage, parse_error=parse_error)
    if record is None:
        return view
    if stage == 3:
        view.message_lists = {k: record.get(k) for k in ("prompt", "chosen", "rejected")}
        labels = ("chosen", "rejected")
    else:
        view.message_lists = {"messages": record.get("messages")}
        labels = ("answer",)
    try:
        view.narrative = get_narrative(record)
    except (AttributeError, TypeError):
        view.narrative = None
    for label in labels:
        source = record.get("messages") if label == "answer" else record.get(label)
        text = _assistant_text(source)
        if text is not None:
            view.answers.append((label, text))
            view.parsed[label] = parse_answer(text)
    return view


# --------------------------------------------------------------------------- checks
# Each check returns None (pass, or not applicable because a more basic check covers the
# missing piece) or a short reason. They never raise on odd input.

CheckFn = Callable[["DataQualityChecker", _View], str | None]


def _check_schema(_: DataQualityChecker, view: _View) -> str | None:
    if view.record is None:
        return view.parse_error or "not a JSON object"
    record = view.record
    if view.stage == 3:
        missing = [k for k in ("prompt", "chosen", "rejected") if k not in record]
        if missing:
            hint = " (this looks like a stage 1/2 record)" if "messages" in record else ""
            return f"missing key(s) {', '.join(missing)} for stage 3{hint}"
        wrong = [k for k in ("prompt", "chosen", "rejected") if not isinstance(record[k], list)]
        if wrong:
            return f"{', '.join(wrong)} must be a list of messages"
    else:
        if "messages" not in record:
            hint = " (this looks like a stage-3 record)" if "chosen" in record else ""
            return f"missing key 'messages'{hint}"
        if not isinstance(record["messages"], list):
            return f"'messages' must be a list, got {type(record['messages']).__name__}"
    if "metadata" in record and not isinstance(record["metadata"], dict):
        return f"'metadata' must be an object, got {type(record['metadata']).__name__}"
    if "id" in record and not isinstance(record["id"], str | int):
        return f"'id' must be a string or number, got {type(record['id']).__name__}"
    return None


_EXPECTED_ROLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "messages": (("system", "user", "assistant"), ("user", "assistant")),
    "prompt": (("system", "user"), ("user",)),
    "chosen": (("assistant",),),
    "rejected": (("assistant",),),
}


def _check_message_structure(_: DataQualityChecker, view: _View) -> str | None:
    problems = []
    for key, messages in view.message_lists.items():
        if not isinstance(messages, list):
            continue  # schema reports it
        roles = []
        for index, message in enumerate(messages):
            if not isinstance(message, dict):
                problems.append(f"{key}[{index}] is not an object")
                break
            missing = [f for f in ("role", "content") if f not in message]
            if missing:
                problems.append(f"{key}[{index}] has no {' or '.join(missing)}")
                break
            if not isinstance(message["content"], str):
                problems.append(f"{key}[{index}].content must be a string")
                break
            roles.append(message["role"])
        else:
            expected = _EXPECTED_ROLES[key]
            if tuple(roles) not in expected:
                want = " or ".join("/".join(roles_) for roles_ in expected)
                problems.append(
                    f"{key} roles are {'/'.join(map(str, roles)) or 'empty'}, expected {want}"
                )
    return "; ".join(problems) or None


def _check_empty_content(_: DataQualityChecker, view: _View) -> str | None:
    empty = []
    for key, messages in view.message_lists.items():
        if not isinstance(messages, list):
            continue
        for index, message in enumerate(messages):
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, str) and not content.strip():
                empty.append(f"{key}[{index}] ({message.get('role')})")
    return f"empty content in {', '.join(empty)}" if empty else None


def _answer_line(text: str) -> str:
    _, answer_part, _ = split_reasoning(text)
    return answer_part.strip()


def _check_code_format(checker: DataQualityChecker, view: _View) -> str | None:
    problems = []
    for label, text in view.answers:
        parsed = view.parsed[label]
        if not parsed.well_formed:
            snippet = _answer_line(text)[:60]
            problems.append(f"{label}: no 'CODE_TYPE: CODE (description)' answer in {snippet!r}")
            continue
        status, message = checker.classify_code(parsed.code_type, parsed.code)
        if status == "malformed":
            problems.append(
                f"{label}: {parsed.code_type} code {parsed.code!r} is malformed: {message}"
            )
            continue
        canonical = format_answer(parsed.code_type, parsed.code, parsed.description)
        if _answer_line(text) != canonical:
            problems.append(f"{label}: answer is not in canonical form; expected {canonical!r}")
    if "chosen" in view.parsed and "rejected" in view.parsed:
        chosen, rejected = dict(view.answers)["chosen"], dict(view.answers)["rejected"]
        if chosen.strip() == rejected.strip():
            problems.append("rejected answer is identical to chosen")
    return "; ".join(problems) or None


def _check_unknown_code(checker: DataQualityChecker, view: _View) -> str | None:
    label = "chosen" if view.stage == 3 else "answer"
    parsed = view.parsed.get(label)
    if parsed is None or not parsed.well_formed:
        return None
    status, message = checker.classify_code(parsed.code_type, parsed.code)
    if status == "unknown":
        return f"{parsed.code_type} code {parsed.code} is not in the code database: {message}"
    return None


def _check_reasoning_tags(_: DataQualityChecker, view: _View) -> str | None:
    problems = []
    for label, text in view.answers:
        has_tags = THINK_OPEN in text or THINK_CLOSE in text
        parsed = view.parsed[label]
        if view.stage == 1:
            if has_tags:
                problems.append(f"{label}: stage-1 answers must not contain <think> tags")
            continue
        if label == "rejected" and not has_tags:
            continue  # a rejected answer without reasoning is a legitimate preference pair
        if not has_tags:
            problems.append(f"{label}: missing <think>…</think> reasoning before the answer")
        elif not parsed.reasoning_well_formed:
            problems.append(
                f"{label}: needs exactly one <think>…</think> block at the start, closed, "
                "followed by the answer"
            )
        elif not (parsed.reasoning or "").strip():
            problems.append(f"{label}: <think> block is empty")
        elif not _answer_line(text):
            problems.append(f"{label}: no answer after </think>")
    return "; ".join(problems) or None


def _check_narrative_length(checker: DataQualityChecker, view: _View) -> str | None:
    if view.narrative is None:
        return None
    length = len(view.narrative.strip())
    if length < checker.min_length:
        return f"narrative has {length} characters, minimum is {checker.min_length}"
    if length > checker.max_length:
        return f"narrative has {length} characters, maximum is {checker.max_length}"
    return None


def _check_phi(checker: DataQualityChecker, view: _View) -> str | None:
    if not view.narrative:
        return None
    if checker.has_phi(view.narrative):
        return "possible PHI in the narrative (run `thce data preprocess` to scrub it)"
    return None


def _check_duplicate(checker: DataQualityChecker, view: _View) -> str | None:
    if not view.narrative or not view.narrative.strip():
        return None
    key = narrative_hash(view.narrative)
    first = checker._seen.get(key)
    if first is not None:
        where = f"line {first}" if first > 0 else "an earlier record"
        return f"same narrative as {where}"
    checker._seen[key] = checker._current_line or 0
    return None


CHECKS: dict[str, CheckFn] = {
    "schema": _check_schema,
    "message_structure": _check_message_structure,
    "empty_content": _check_empty_content,
    "code_format": _check_code_format,
    "unknown_code": _check_unknown_code,
    "reasoning_tags": _check_reasoning_tags,
    "narrative_length": _check_narrative_length,
    "phi": _check_phi,
    "duplicate": _check_duplicate,
}
assert tuple(CHECKS) == CHECK_NAMES


def narrative_hash(narrative: str) -> int:
    """8-byte hash of a narrative, ignoring case and runs of whitespace (for duplicates)."""
    normalized = _WS_RE.sub(" ", narrative).strip().casefold()
    return int.from_bytes(
        hashlib.blake2b(normalized.encode("utf-8"), digest_size=8).digest(), "big"
    )


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
        view = _make_view(example, stage, parse_error)
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


# ------------------------------------------------------------------ code layer adapter
def classify_code(
    code_type: str | None, code: str | None, validator: Any
) -> tuple[str, str | None]:
    """Classify a code of ``code_type`` as ``valid``, ``unknown`` (well-formed, not in the
    database) or ``malformed`` (does not match the system's format), with a reason."""
    if not code_type or not code:
        return "malformed", "no code"
    result = validator.validate(code, code_type)
    if result.is_valid:
        return "valid", None
    message = result.error_message or "not a valid code"
    if is_well_formed(code, code_type):
        return "unknown", message
    return "malformed", message


def is_well_formed(code: str, code_type: str) -> bool:
    """Whether ``code`` matches the format of ``code_type`` (from the code layer's rules)."""
    from thce.codes.formats import matches_format

    return matches_format(code, code_type)


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
