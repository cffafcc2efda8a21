"""What every metric module shares: the label type, input checks and the one grader.

Inputs are *labels*: ``"TYPE:CODE"`` strings such as ``"ICD10:E11.9"`` (see
:mod:`thce.evaluation.records`); ``None`` means the system gave no parseable answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from thce.errors import EvaluationError

# The labels and the one grader live beside the records they grade (no import cycle).
from thce.evaluation.records import Label, as_answer, grade_labels  # noqa: F401

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
