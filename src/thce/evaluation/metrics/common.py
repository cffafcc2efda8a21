"""What every metric module shares: the label type, input checks and the one grader.

Inputs are *labels*: ``"TYPE:CODE"`` strings such as ``"ICD10:E11.9"`` (see
:mod:`thce.evaluation.records`); ``None`` means the system gave no parseable answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from thce.data.formats import Grade, ParsedAnswer, grade
from thce.errors import EvaluationError
from thce.evaluation.records import split_label

Label = str | None


DEFAULT_KS: tuple[int, ...] = (1, 3, 5)


def check_lengths(*columns: Sequence[Any]) -> int:
    """The common length of ``columns``; an :class:`EvaluationError` when they differ."""
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise EvaluationError(f"metric inputs differ in length: {sorted(lengths)}")
    return lengths.pop() if lengths else 0


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0.0 for no values (reports stay valid JSON, never NaN)."""
    return float(sum(values) / len(values)) if values else 0.0


def str_keys(values: dict[int, float]) -> dict[str, float]:
    """``{1: x}`` -> ``{"1": x}`` (JSON object keys are strings)."""
    return {str(k): v for k, v in values.items()}


def as_answer(label: Label) -> ParsedAnswer:
    """A label as the parsed answer :func:`thce.data.formats.grade` compares."""
    code_type, code = split_label(label)
    return ParsedAnswer(code_type, code, None, None, code_type is not None, False, label or "")


# Metrics grade the same few label pairs thousands of times (bootstrap resamples): cache them.
@lru_cache(maxsize=1 << 16)
def grade_labels(pred: Label, gold: Label) -> Grade:
    """:func:`thce.data.formats.grade` for two labels: the one grader of THCE.

    >>> g = grade_labels("ICD10:E11.65", "ICD10:E11.9")
    >>> g.exact, g.category_match
    (False, True)
    """
    return grade(as_answer(pred), as_answer(gold))
