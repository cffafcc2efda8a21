"""Test examples and prediction records: reading them, and the ``TYPE:CODE`` labels metrics use.

A *label* joins a code system and a code into one comparable string, ``"ICD10:E11.9"``;
``None`` stands for "no parseable answer". Metrics work on lists of labels.

    >>> make_label("icd10", "e11.9")
    'ICD10:E11.9'
    >>> split_label("CPT:99213")
    ('CPT', '99213')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from thce.data.formats import (
    Grade,
    ParsedAnswer,
    canonical_code_type,
    get_answer_text,
    get_narrative,
    grade,
    parse_answer,
)
from thce.errors import EvaluationError
from thce.io import iter_jsonl

_MAX_LISTED_PROBLEMS = 5


def make_label(code_type: str | None, code: str | None) -> str | None:
    """Join a code type and a code into a label (``None`` if either is missing).

    Known code types are canonicalised (``icd-10-cm`` → ``ICD10``); unknown ones are kept
    upper-cased so that metrics can still count them (as their own, wrong, type).
    """
    if not code_type or not code:
        return None
    canonical = canonical_code_type(code_type) or code_type.strip().upper()
    return f"{canonical}:{code.strip().upper()}"


def split_label(label: str | None) -> tuple[str | None, str | None]:
    """Inverse of :func:`make_label`; ``(None, None)`` for ``None`` or a label without ``:``."""
    if not label or ":" not in label:
        return None, None
    code_type, code = label.split(":", 1)
    return code_type, code


Label = str | None


def as_answer(label: Label) -> ParsedAnswer:
    """A label as the parsed answer :func:`thce.data.formats.grade` compares."""
    code_type, code = split_label(label)
    return ParsedAnswer(code_type, code, None, None, code_type is not None, False, label or "")


# Metrics grade the same few label pairs thousands of times (bootstrap resamples): cache them.
@lru_cache(maxsize=1 << 16)
def grade_labels(pred: Label, gold: Label) -> Grade:
    """:func:`thce.data.formats.grade` for two labels: the one grader of THCE (every metric,
    the analysis and :attr:`Prediction.correct` use it).

    >>> g = grade_labels("ICD10:E11.65", "ICD10:E11.9")
    >>> g.exact, g.category_match
    (False, True)
    """
    return grade(as_answer(pred), as_answer(gold))


@dataclass
class TestExample:
    """One held-out example: the narrative and its gold answer."""

    __test__ = False  # not a pytest test class despite the name

    id: str
    narrative: str
    gold_type: str
    gold_code: str
    gold_description: str | None = None
    gold_reasoning: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    line: int = 0

    @property
    def gold_label(self) -> str:
        """``TYPE:CODE`` of the gold answer."""
        return f"{self.gold_type}:{self.gold_code}"


def _example_from_record(record: dict[str, Any], line: int) -> TestExample:
    narrative = get_narrative(record)
    if not narrative or not narrative.strip():
        raise ValueError(
            "no user narrative: expected 'messages' (stage 1/2) or 'prompt' (stage 3) with a "
            "'user' message"
        )
    answer = get_answer_text(record, "chosen")
    if answer is None:
        raise ValueError(
            "no gold answer: expected an 'assistant' message in 'messages' or in 'chosen'"
        )
    gold = parse_answer(answer)
    if not gold.well_formed or gold.code_type is None or gold.code is None:
        raise ValueError(
            f"gold answer {answer[:80]!r} is not 'CODE_TYPE: CODE (description)' "
            "(CODE_TYPE one of ICD10, CPT, HCPCS)"
        )
    metadata = record.get("metadata") if isinstance(record.get("metadata"), dict) else {}
    example_id = record.get("id")
    return TestExample(
        id=str(example_id) if example_id not in (None, "") else f"line-{line}",
        narrative=narrative,
        gold_type=gold.code_type,
        gold_code=gold.code,
        gold_description=gold.description,
        gold_reasoning=gold.reasoning,
        metadata=dict(metadata),
        line=line,
    )


def load_test_examples(path: str | Path, max_samples: int | None = None) -> list[TestExample]:
    """Read a test file of stage-1/2 (``messages``) or stage-3 (``prompt``/``chosen``) examples.

    Stage-3 files use the ``chosen`` answer as the gold one. Every unusable line is reported
    with its line number in one :class:`~thce.errors.EvaluationError`.

    >>> from thce.resources import shipped_path
    >>> examples = load_test_examples(shipped_path("examples", "test.jsonl"), max_samples=4)
    >>> len(examples), examples[0].gold_label
    (4, 'ICD10:E11.9')
    """
    path = Path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise EvaluationError(
            f"test data {path} {what}; pass --test-data with a JSONL file of examples "
            "(e.g. data/examples/test.jsonl)"
        )
    if max_samples is not None and max_samples < 1:
        raise EvaluationError(f"--max-samples must be at least 1, got {max_samples}")
    examples: list[TestExample] = []
    problems: list[str] = []
    n_problems = 0
    seen_ids: set[str] = set()
    for line, record, _raw, error in iter_jsonl(path, EvaluationError):
        if max_samples is not None and len(examples) >= max_samples:
            break
        try:
            if error is not None:
                raise ValueError(error)
            assert record is not None
            example = _example_from_record(record, line)
        except ValueError as exc:
            n_problems += 1
            if len(problems) < _MAX_LISTED_PROBLEMS:
                problems.append(f"{path}:{line}: {exc}")
            continue
        if example.id in seen_ids:
            example.id = f"{example.id}#line-{line}"
        seen_ids.add(example.id)
        examples.append(example)
    if n_problems:
        shown = f"; the first {len(problems)}" if n_problems > len(problems) else ""
        raise EvaluationError(
            f"{n_problems} unusable line(s) in test data {path}{shown}:\n  "
            + "\n  ".join(problems)
            + "\nFix or remove these lines (check them with `thce data check`)."
        )
    if not examples:
        raise EvaluationError(f"test data {path} holds no examples")
    return examples


@dataclass
class Prediction:
    """One line of ``predictions.jsonl``: a system's answer for one test example.

    ``candidates`` are ranked labels (``TYPE:CODE``); the first one is the answer itself when
    the answer parsed. ``confidence`` is the model's probability of its answer line (see
    ``docs/EVALUATION.md``), ``None`` for baselines without scores.
    """

    id: str
    gold_type: str
    gold_code: str
    pred_type: str | None
    pred_code: str | None
    candidates: list[str]
    raw_output: str
    reasoning: str | None
    confidence: float | None
    well_formed: bool
    reasoning_well_formed: bool = False
    candidate_scores: list[float] | None = None
    narrative: str | None = None
    stage: int = 1
    system: str = "model"
    # The candidates the model chose from, in retrieval order (None without retrieval).
    retrieved: list[str] | None = None

    @property
    def gold_label(self) -> str:
        """``TYPE:CODE`` of the gold answer."""
        return f"{self.gold_type}:{self.gold_code}"

    @property
    def pred_label(self) -> str | None:
        """``TYPE:CODE`` of the answer, ``None`` when nothing parsed."""
        return make_label(self.pred_type, self.pred_code)

    @property
    def correct(self) -> bool:
        """Exact match of code type and code, as the one grader grades it
        (:func:`grade_labels`, used by every metric)."""
        return grade_labels(self.pred_label, self.gold_label).exact

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (one line of ``predictions.jsonl``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> Prediction:
        """Build from a ``predictions.jsonl`` line; raises ``ValueError`` naming a missing field."""
        for key in ("id", "gold_type", "gold_code"):
            if record.get(key) in (None, ""):
                raise ValueError(f"missing field {key!r}")
        candidates = record.get("candidates") or []
        if not isinstance(candidates, list):
            raise ValueError(f"field 'candidates' must be a list, got {type(candidates).__name__}")
        _check_types(record)
        pred_type, pred_code = record.get("pred_type"), record.get("pred_code")
        well_formed = record.get("well_formed")
        if well_formed is None:
            well_formed = pred_type is not None and pred_code is not None
        return cls(
            id=str(record["id"]),
            gold_type=str(record["gold_type"]),
            gold_code=str(record["gold_code"]),
            pred_type=pred_type,
            pred_code=pred_code,
            candidates=[str(c) for c in candidates],
            raw_output=str(record.get("raw_output") or ""),
            reasoning=record.get("reasoning"),
            confidence=record.get("confidence"),
            well_formed=bool(well_formed),
            reasoning_well_formed=bool(record.get("reasoning_well_formed", False)),
            candidate_scores=record.get("candidate_scores"),
            narrative=record.get("narrative"),
            stage=int(record.get("stage") or 1),
            system=str(record.get("system") or "model"),
            retrieved=record.get("retrieved"),
        )


def prediction_from_output(
    example: TestExample,
    raw_output: str,
    stage: int,
    candidates: list[str] | None = None,
    candidate_scores: list[float] | None = None,
    confidence: float | None = None,
    system: str = "model",
) -> Prediction:
    """Parse a model's raw answer (with :func:`thce.data.formats.parse_answer`) into a record.

    The parsed answer is always candidate 1; further ``candidates`` follow without repeats.
    """
    parsed = parse_answer(raw_output)
    answer_label = make_label(parsed.code_type, parsed.code)
    ranked: list[str] = []
    scores: list[float] = []
    extra = list(candidates or [])
    extra_scores = (
        list(candidate_scores) if candidate_scores is not None else [float("nan")] * len(extra)
    )
    if answer_label:
        ranked.append(answer_label)
        scores.append(
            next(
                (s for c, s in zip(extra, extra_scores, strict=True) if c == answer_label),
                float("nan"),
            )
        )
    for label, score in zip(extra, extra_scores, strict=True):
        if label and label not in ranked:
            ranked.append(label)
            scores.append(score)
    return Prediction(
        id=example.id,
        gold_type=example.gold_type,
        gold_code=example.gold_code,
        pred_type=parsed.code_type,
        pred_code=parsed.code,
        candidates=ranked,
        raw_output=raw_output,
        reasoning=parsed.reasoning,
        confidence=confidence,
        well_formed=parsed.well_formed,
        reasoning_well_formed=parsed.reasoning_well_formed,
        candidate_scores=[None if s != s else s for s in scores]
        if candidate_scores is not None
        else None,
        narrative=example.narrative,
        stage=stage,
        system=system,
    )


# Optional fields of a predictions line and the JSON types they may hold (None always may).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "pred_type": (str,),
    "pred_code": (str,),
    "reasoning": (str,),
    "narrative": (str,),
    "confidence": (int, float),
    "candidate_scores": (list,),
    "retrieved": (list,),
    "stage": (int, str),
}


def _check_types(record: dict[str, Any]) -> None:
    for key, types in _FIELD_TYPES.items():
        value = record.get(key)
        if value is not None and (not isinstance(value, types) or isinstance(value, bool)):
            raise ValueError(f"field {key!r} has the wrong type ({type(value).__name__})")
    scores = record.get("candidate_scores") or []
    if not all(
        s is None or (isinstance(s, int | float) and not isinstance(s, bool)) for s in scores
    ):
        raise ValueError("field 'candidate_scores' must hold numbers")
    stage = record.get("stage")
    if stage is not None and str(stage) not in ("1", "2", "3"):
        raise ValueError(f"field 'stage' must be 1, 2 or 3, got {stage!r}")


def load_predictions(path: str | Path) -> list[Prediction]:
    """Read ``predictions.jsonl`` (as written by ``thce eval``); errors name file and line."""
    path = Path(path)
    if not path.is_file():
        raise EvaluationError(
            f"predictions file {path} {'is a folder' if path.is_dir() else 'does not exist'}; run `thce eval ... --output DIR` first and "
            "pass DIR/predictions.jsonl"
        )
    predictions: list[Prediction] = []
    for line, record, _raw, error in iter_jsonl(path, EvaluationError):
        if error is not None:
            raise EvaluationError(f"{path}:{line}: {error}; each line must be one JSON object")
        assert record is not None
        try:
            predictions.append(Prediction.from_dict(record))
        except (ValueError, TypeError) as exc:
            raise EvaluationError(
                f"{path}:{line}: {exc}; lines need at least id, gold_type, gold_code, pred_type, "
                "pred_code, candidates"
            ) from exc
    if not predictions:
        raise EvaluationError(f"predictions file {path} is empty")
    return predictions


__all__ = [
    "Prediction",
    "TestExample",
    "load_predictions",
    "load_test_examples",
    "make_label",
    "prediction_from_output",
    "split_label",
]
