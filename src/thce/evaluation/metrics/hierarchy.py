"""Validity, format and hierarchy: metrics that consult the code databases.

An answer can be well formed and still name a code that does not exist (``ICD10:E11.99``),
or miss the gold code but land next to it in the hierarchy (``E11.65`` for ``E11.69``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from thce.evaluation.metrics.accuracy import same_category
from thce.evaluation.metrics.common import Label, check_lengths, mean
from thce.evaluation.records import split_label


@cache
def is_valid_label(label: str) -> bool:
    """True when the label's code exists in its system's database (``thce.codes``)."""
    from thce.codes import CodeValidator

    code_type, code = split_label(label)
    if code_type not in ("ICD10", "CPT", "HCPCS") or not code:
        return False
    return bool(_validator(CodeValidator).validate(code, code_type).is_valid)


@cache
def _validator(cls: type) -> Any:
    return cls()


def calculate_invalid_code_rate(
    predictions: Sequence[Label], is_valid: Callable[[str], bool] | None = None
) -> float:
    """Invalid-code rate: ``(1/N) Σ_i [pred_i parsed ∧ pred_i not a real code of its system]``.

    The denominator is every example (``N``), so invalid-code rate + format-failure rate +
    valid-answer rate = 1. Validity comes from :class:`thce.codes.CodeValidator` unless
    ``is_valid`` is given.
    """
    if not predictions:
        return 0.0
    check = is_valid or is_valid_label
    return mean([float(p is not None and not check(p)) for p in predictions])


def calculate_format_failure_rate(well_formed: Sequence[bool]) -> float:
    """Format-failure rate: ``(1/N) Σ_i [answer_i has no parseable 'CODE_TYPE: CODE']``."""
    return mean([float(not ok) for ok in well_formed]) if well_formed else 0.0


@cache
def _parent(code_type: str, code: str) -> str | None:
    from thce.codes import get_database

    try:
        return get_database(code_type).parent_of(code)
    except Exception:
        return None


def same_parent(pred: Label, gold: Label) -> bool:
    """Same system and hierarchically close: one code is an ancestor of the other (``E11`` vs
    ``E11.9``) or both have the same parent in the code database (``E11.65`` vs ``E11.69``)."""
    pred_type, pred_code = split_label(pred)
    gold_type, gold_code = split_label(gold)
    if pred_type is None or pred_type != gold_type or not pred_code or not gold_code:
        return False
    if pred_code == gold_code:
        return True
    p, g = pred_code.replace(".", ""), gold_code.replace(".", "")
    if p.startswith(g) or g.startswith(p):
        return True
    parent_p, parent_g = _parent(pred_type, pred_code), _parent(gold_type, gold_code)
    return parent_p is not None and parent_p == parent_g


def partial_credit(pred: Label, gold: Label) -> float:
    """Graded credit for one answer: 1 exact, 0.5 same parent/ancestor, 0.25 same family, else 0."""
    if pred is not None and pred == gold:
        return 1.0
    if same_parent(pred, gold):
        return 0.5
    if same_category(pred, gold):
        return 0.25
    return 0.0


def calculate_partial_credit(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Hierarchical partial credit: ``(1/N) Σ_i credit(pred_i, gold_i)`` with :func:`partial_credit`."""
    n = check_lengths(predictions, references)
    return (
        mean([partial_credit(p, g) for p, g in zip(predictions, references, strict=True)])
        if n
        else 0.0
    )


def calculate_parent_match(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Share of answers that are exact or hierarchically close (:func:`same_parent`)."""
    n = check_lengths(predictions, references)
    return (
        mean([float(same_parent(p, g)) for p, g in zip(predictions, references, strict=True)])
        if n
        else 0.0
    )
