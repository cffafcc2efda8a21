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
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from thce.data.formats import (
    THINK_CLOSE,
    THINK_OPEN,
    build_stage_1_example,
    build_stage_2_example,
    canonical_code_type,
    format_answer,
    format_reasoned_answer,
    parse_answer,
    split_reasoning,
)
from thce.data.quality import MAX_NARRATIVE_CHARS, MIN_NARRATIVE_CHARS
from thce.errors import DataError
from thce.io import atomic_write, iter_jsonl
from thce.logging import logger

STEPS: tuple[str, ...] = ("parse", "phi", "normalize", "code", "length", "language", "quality")
RAW_NARRATIVE_COLUMNS: tuple[str, ...] = ("narrative", "text")
RAW_KNOWN_COLUMNS: tuple[str, ...] = (
    "narrative",
    "text",
    "code",
    "code_type",
    "description",
    "reasoning",
    "id",
    "specialty",
    "metadata",
)

# ---------------------------------------------------------------------------- normalisation
_PUNCT_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u2044": "/",
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
    }
)  # fmt: skip
# Unicode category Cc (C0 and C1 control characters) except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE_RUN = re.compile(r"[^\S\n]+")
_SPACE_AROUND_NEWLINE = re.compile(r" *\n *")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,;:!?.])(?=\s|$)")
_REPEATED_PUNCT = re.compile(r"([!?,;])\1+")
_LONG_ELLIPSIS = re.compile(r"\.{4,}")
_WORD = re.compile(r"[^\W_]+")


def normalize_text(text: str, lowercase: bool = False) -> str:
    """Normalise unicode, whitespace and punctuation without touching clinical content.

    >>> normalize_text("BP\\u00a0140/90 ,  HbA1c 8.2 %\\u2014stable !!")
    'BP 140/90, HbA1c 8.2 %-stable!'
    """
    text = unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACE_RUN.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _LONG_ELLIPSIS.sub("...", text)
    text = text.strip()
    return text.lower() if lowercase else text


# ---------------------------------------------------------------------------- quality score
QUALITY_WEIGHTS: dict[str, float] = {
    "length": 0.25,
    "lexical": 0.15,
    "alpha": 0.10,
    "description": 0.15,
    "specificity": 0.15,
    "english": 0.10,
    "reasoning": 0.10,
}


def quality_components(
    narrative: str,
    has_description: bool,
    billable: bool | None,
    english: float,
    reasoning: str | None,
) -> dict[str, float]:
    """Each quality component in [0, 1] (see :func:`quality_score` for the formula)."""
    length = len(narrative)
    if length < 80:
        length_score = max(0.0, (length - MIN_NARRATIVE_CHARS) / 70)
    elif length <= 1500:
        length_score = 1.0
    else:
        length_score = max(0.5, 1.0 - 0.5 * (length - 1500) / 500)
    words = [w.casefold() for w in _WORD.findall(narrative)]
    lexical = min(1.0, (len(set(words)) / len(words)) / 0.5) if words else 0.0
    visible = len(narrative) - sum(map(str.isspace, narrative))
    letters = sum(map(str.isalpha, narrative))
    alpha = min(1.0, (letters / visible) / 0.6) if visible else 0.0
    components = {
        "length": length_score,
        "lexical": lexical,
        "alpha": alpha,
        "description": 1.0 if has_description else 0.0,
        "specificity": 0.5 if billable is False else 1.0,
        "english": max(0.0, min(1.0, english)),
    }
    if reasoning is not None:
        components["reasoning"] = min(1.0, len(_WORD.findall(reasoning)) / 25)
    return components


def quality_score(components: dict[str, float]) -> float:
    """Weighted mean of the components, rounded to 3 decimals.

    score = Σ wᵢ·sᵢ / Σ wᵢ over the components present, with weights
    length 0.25 (0 at 10 chars rising to 1 at 80, 1 up to 1500, down to 0.5 at 2000),
    lexical 0.15 (distinct/total words, full marks at 0.5), alpha 0.10 (letters among visible
    characters, full marks at 0.6), description 0.15 (the answer names the code), specificity
    0.15 (1 for billable/leaf codes, 0.5 for a non-billable category), english 0.10 (English's
    confidence relative to the top language) and, for reasoned examples only, reasoning 0.10
    (words in ``<think>``, full marks at 25).

    >>> quality_score({"length": 1.0, "description": 0.0})
    0.625
    """
    total = sum(QUALITY_WEIGHTS[name] for name in components)
    value = sum(QUALITY_WEIGHTS[name] * score for name, score in components.items()) / total
    return round(value, 3)


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


class _Rejected(Exception):
    """Internal: a step removes the record."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(reason)
        self.step, self.reason = step, reason


@dataclass
class _Answer:
    """One assistant answer being processed (``answer``, or ``chosen``/``rejected``)."""

    label: str
    code_type: str | None
    code: str | None
    description: str | None
    reasoning: str | None
    original: str | None = None  # the text it came from (stage-format input)


@dataclass
class _Work:
    """A record on its way through the steps."""

    line: int | None
    original: dict[str, Any]
    input_format: str  # raw, stage_1, stage_2, stage_3
    narrative: str
    answers: list[_Answer]
    changed: list[str] = field(default_factory=list)
    billable: bool | None = None
    language_reason: str = ""

    def mark(self, step: str) -> None:
        if step not in self.changed:
            self.changed.append(step)


# ---------------------------------------------------------------------------- parsing
def _message_content(messages: Any, role: str) -> tuple[int, str] | None:
    if isinstance(messages, list):
        for index, message in enumerate(messages):
            if isinstance(message, dict) and message.get("role") == role:
                content = message.get("content")
                if isinstance(content, str):
                    return index, content
    return None


def _answer_from_text(label: str, text: str) -> _Answer:
    parsed = parse_answer(text)
    if not parsed.well_formed:
        raise _Rejected("code", f"{label}: no 'CODE_TYPE: CODE' answer found")
    has_think = THINK_OPEN in text or THINK_CLOSE in text
    reasoning = parsed.reasoning if has_think else None
    return _Answer(label, parsed.code_type, parsed.code, parsed.description, reasoning, text)


def _to_work(record: Any, line: int | None) -> _Work:
    if not isinstance(record, dict):
        raise _Rejected("parse", f"expected a JSON object, got {type(record).__name__}")
    if "prompt" in record or "chosen" in record:
        user = _message_content(record.get("prompt"), "user")
        chosen = _message_content(record.get("chosen"), "assistant")
        rejected = _message_content(record.get("rejected"), "assistant")
        if user is None or chosen is None or rejected is None:
            raise _Rejected(
                "parse", "stage-3 record needs prompt (with a user message), chosen and rejected"
            )
        answers = [
            _answer_from_text("chosen", chosen[1]),
            _answer_from_text("rejected", rejected[1]),
        ]
        return _Work(line, record, "stage_3", user[1], answers)
    if "messages" in record:
        user = _message_content(record["messages"], "user")
        assistant = _message_content(record["messages"], "assistant")
        if user is None or assistant is None:
            raise _Rejected("parse", "messages need a user and an assistant message")
        answer = _answer_from_text("answer", assistant[1])
        kind = "stage_2" if answer.reasoning is not None else "stage_1"
        return _Work(line, record, kind, user[1], [answer])
    narrative_key = next((k for k in RAW_NARRATIVE_COLUMNS if k in record), None)
    if narrative_key is None or "code" not in record:
        raise _Rejected(
            "parse",
            "record is neither a stage example (messages / prompt+chosen+rejected) nor a raw "
            "record with 'narrative' (or 'text') and 'code'",
        )
    narrative = record[narrative_key]
    if not isinstance(narrative, str):
        raise _Rejected("parse", f"{narrative_key!r} must be a string")
    if not isinstance(record["code"], str | int) or not str(record["code"]).strip():
        raise _Rejected("parse", f"'code' must be a non-empty string, got {record['code']!r}")
    reasoning = record.get("reasoning")
    description = record.get("description")
    if reasoning is not None and not isinstance(reasoning, str):
        raise _Rejected("parse", "'reasoning' must be a string")
    if description is not None and not isinstance(description, str):
        raise _Rejected("parse", "'description' must be a string")
    code_type = record.get("code_type")
    answer = _Answer(
        "answer",
        str(code_type) if code_type not in (None, "") else None,
        str(record["code"]),
        description or None,
        reasoning if reasoning and reasoning.strip() else None,
    )
    return _Work(line, record, "raw", narrative, [answer])


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
        work = _to_work(record, None)
        pre._standardise_codes(work)
    except _Rejected as exc:
        raise DataError(f"cannot convert raw record ({exc.step}): {exc.reason}") from None
    return pre._build(work, quality=None)


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
    def _phi(self, works: list[_Work]) -> None:
        texts: list[str] = []
        slots: list[tuple[_Work, _Answer | None]] = []
        for work in works:
            texts.append(work.narrative)
            slots.append((work, None))
            for answer in work.answers:
                if answer.reasoning:
                    texts.append(answer.reasoning)
                    slots.append((work, answer))
        if not texts:
            return
        for (work, answer), scrubbed in zip(slots, self._scrub_texts(texts), strict=True):
            if answer is None:
                if scrubbed != work.narrative:
                    work.narrative = scrubbed
                    work.mark("phi")
            elif scrubbed != answer.reasoning:
                answer.reasoning = scrubbed
                work.mark("phi")

    def _normalize(self, work: _Work) -> None:
        narrative = normalize_text(work.narrative, self.lowercase)
        if narrative != work.narrative:
            work.narrative = narrative
            work.mark("normalize")
        for answer in work.answers:
            if answer.reasoning:
                reasoning = normalize_text(answer.reasoning, self.lowercase)
                if reasoning != answer.reasoning:
                    answer.reasoning = reasoning
                    work.mark("normalize")
            if answer.description:
                # Descriptions keep their case: they are shown to the model as the answer.
                description = normalize_text(answer.description)
                if description != answer.description:
                    answer.description = description
                    work.mark("normalize")

    def _resolve_type(self, answer: _Answer) -> str:
        from thce.codes.formats import detect_code_type

        if answer.code_type:
            canonical = canonical_code_type(answer.code_type)
            if canonical is None:
                raise _Rejected(
                    "code", f"unknown code type {answer.code_type!r}; use ICD10, CPT or HCPCS"
                )
            return canonical
        candidates = detect_code_type(answer.code or "")
        if len(candidates) > 1 and self.validate_codes:
            validator = self._get_validator()
            candidates = [
                c for c in candidates if validator.validate(answer.code, c).is_valid
            ] or candidates
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise _Rejected("code", f"code {answer.code!r} matches no code system's format")
        raise _Rejected(
            "code",
            f"code {answer.code!r} could be {' or '.join(candidates)}; add a code_type column",
        )

    def _standardise_codes(self, work: _Work) -> None:
        from thce.codes.formats import matches_format, normalize_code

        before = [(a.code_type, a.code, a.description) for a in work.answers]
        for answer in work.answers:
            answer.code_type = self._resolve_type(answer)
            answer.code = normalize_code(answer.code or "", answer.code_type)
            if answer.label == "rejected":
                if not matches_format(answer.code, answer.code_type):
                    raise _Rejected(
                        "code", f"rejected: {answer.code_type} code {answer.code!r} is malformed"
                    )
                continue
            if not self.validate_codes:
                continue
            result = self._get_validator().validate(answer.code, answer.code_type)
            if not result.is_valid:
                message = result.error_message or "not a valid code"
                raise _Rejected("code", f"{answer.code_type} code {answer.code}: {message}")
            answer.code = result.code or answer.code
            if not answer.description and result.description:
                answer.description = result.description
            work.billable = getattr(result, "billable", None)
        if len(work.answers) == 2:
            chosen, rejected = work.answers
            if self._answer_text(chosen).strip() == self._answer_text(rejected).strip():
                raise _Rejected("code", "rejected answer is identical to chosen")
        if [(a.code_type, a.code, a.description) for a in work.answers] != before:
            work.mark("code")
        for answer in work.answers:
            # Stage-format input: the parser already canonicalised the parts, so compare the
            # answer line as written with its standard form.
            if answer.original is not None and answer.code_type and answer.code:
                written = split_reasoning(answer.original)[1].strip()
                if written != format_answer(answer.code_type, answer.code, answer.description):
                    work.mark("code")

    def _length(self, work: _Work) -> None:
        length = len(work.narrative.strip())
        if length < self.min_length:
            raise _Rejected(
                "length", f"narrative has {length} characters, minimum is {self.min_length}"
            )
        if length > self.max_length:
            raise _Rejected(
                "length", f"narrative has {length} characters, maximum is {self.max_length}"
            )

    def _language(self, works: list[_Work]) -> list[float | None]:
        """English score per record, ``None`` for a record the language filter removes.

        The detector runs on the whole batch at once (lingua spreads it over threads).
        """
        if not self.english_only or not works:
            return [1.0] * len(works)
        from thce.data.language import detect_languages, english_score

        scores: list[float | None] = []
        guesses = detect_languages([w.narrative for w in works], self.min_language_confidence)
        for work, guess in zip(works, guesses, strict=True):
            if guess.is_english:
                scores.append(english_score(guess))
            else:
                work.language_reason = (
                    f"narrative looks {guess.language} ({guess.confidence:.2f}), not English"
                )
                scores.append(None)
        return scores

    # ---------------------------------------------------------------- output
    @staticmethod
    def _answer_text(answer: _Answer) -> str:
        assert answer.code_type and answer.code
        if answer.reasoning is not None:
            return format_reasoned_answer(
                answer.reasoning, answer.code_type, answer.code, answer.description
            )
        return format_answer(answer.code_type, answer.code, answer.description)

    def _build(self, work: _Work, quality: float | None) -> dict[str, Any]:
        record = work.original
        main = work.answers[0]
        metadata = (
            dict(record.get("metadata") or {}) if isinstance(record.get("metadata"), dict) else {}
        )
        metadata["code_type"] = main.code_type
        if quality is not None:
            metadata["quality_score"] = quality
        if work.input_format == "raw":
            for key, value in record.items():
                if key not in RAW_KNOWN_COLUMNS:
                    metadata.setdefault(key, value)
            if record.get("specialty") is not None:
                metadata["specialty"] = record["specialty"]
            extra: dict[str, Any] = {"id": record["id"]} if "id" in record else {}
            assert main.code_type and main.code
            if main.reasoning is not None:
                out = build_stage_2_example(
                    work.narrative,
                    main.reasoning,
                    main.code_type,
                    main.code,
                    main.description,
                    **extra,
                )
            else:
                out = build_stage_1_example(
                    work.narrative, main.code_type, main.code, main.description, **extra
                )
            out["metadata"] = metadata
            return out
        # Copy the message lists (and their dicts) that get new content; the rest is shared
        # with the input record, which is never modified.
        out = dict(record)
        for key in ("messages", "prompt", "chosen", "rejected"):
            if isinstance(out.get(key), list):
                out[key] = [dict(m) if isinstance(m, dict) else m for m in out[key]]
        if work.input_format == "stage_3":
            _set_content(out["prompt"], "user", work.narrative)
            _set_content(out["chosen"], "assistant", self._answer_text(work.answers[0]))
            _set_content(out["rejected"], "assistant", self._answer_text(work.answers[1]))
        else:
            _set_content(out["messages"], "user", work.narrative)
            _set_content(out["messages"], "assistant", self._answer_text(main), last=True)
        out["metadata"] = metadata
        return out

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
        works: list[tuple[int, _Work]] = []
        for index, (line, record, error) in enumerate(batch):
            if error is not None:
                outcomes[index] = ExampleOutcome(
                    None, "parse", error, line=line, input_format="invalid", original=record
                )
                continue
            try:
                works.append((index, _to_work(record, line)))
            except _Rejected as exc:
                outcomes[index] = ExampleOutcome(
                    None,
                    exc.step,
                    exc.reason,
                    line=line,
                    input_format=_guess_format(record),
                    original=record,
                )
        if self.scrub_phi and works:
            self._phi([work for _, work in works])
        survivors: list[tuple[int, _Work]] = []
        for index, work in works:
            try:
                if self.normalize:
                    self._normalize(work)
                self._standardise_codes(work)
                self._length(work)
            except _Rejected as exc:
                outcomes[index] = self._removed(work, exc)
            else:
                survivors.append((index, work))
        english = self._language([work for _, work in survivors])
        for (index, work), english_score_ in zip(survivors, english, strict=True):
            outcomes[index] = self._finish(work, english_score_)
        return [o for o in outcomes if o is not None]

    @staticmethod
    def _removed(work: _Work, exc: _Rejected) -> ExampleOutcome:
        return ExampleOutcome(
            None,
            exc.step,
            exc.reason,
            tuple(work.changed),
            work.line,
            work.input_format,
            work.original,
        )

    def _finish(self, work: _Work, english: float | None) -> ExampleOutcome:
        try:
            if english is None:
                raise _Rejected("language", work.language_reason)
            main = work.answers[0]
            components = quality_components(
                work.narrative, bool(main.description), work.billable, english, main.reasoning
            )
            score = quality_score(components)
            if score < self.min_quality:
                raise _Rejected("quality", f"quality score {score} is below {self.min_quality}")
        except _Rejected as exc:
            return self._removed(work, exc)
        record = self._build(work, score)
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


def _guess_format(record: Any) -> str:
    if not isinstance(record, dict):
        return "invalid"
    if "prompt" in record or "chosen" in record:
        return "stage_3"
    return "stage" if "messages" in record else "raw"


def _set_content(
    messages: list[dict[str, Any]], role: str, content: str, last: bool = False
) -> None:
    indices = [i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == role]
    if indices:
        messages[indices[-1] if last else indices[0]]["content"] = content


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
