"""Evaluation metrics: pure functions on lists, each with its formula.

Inputs are *labels* — ``"TYPE:CODE"`` strings such as ``"ICD10:E11.9"`` (see
:mod:`thce.evaluation.records`); ``None`` means the system gave no parseable answer and
always counts as wrong. Empty inputs give ``0.0`` (never NaN) so reports stay valid JSON.

    >>> calculate_exact_match(["ICD10:E11.9", "CPT:99213"], ["ICD10:E11.9", "CPT:99214"])
    0.5
    >>> calculate_top_k_accuracy([["CPT:99213", "CPT:99214"]], ["CPT:99214"], ks=(1, 3))
    {1: 0.0, 3: 1.0}

One module per concern; every name is importable from here:

- :mod:`.accuracy`: exact match, top-k, code-system and code-family match, per code system
- :mod:`.prf`: precision, recall and F1 (micro and macro)
- :mod:`.hierarchy`: invalid codes, format failures, parent match, partial credit
- :mod:`.calibration`: accuracy by confidence bucket, ECE, Brier score
- :mod:`.reasoning`: reasoning quality (stage 2+)
- :mod:`.significance`: bootstrap confidence intervals, McNemar, paired tests
- :mod:`.summary`: :func:`compute_metrics` assembles every metric for a list of
  :class:`~thce.evaluation.records.Prediction` records; :func:`calculate_all_metrics` does
  the same from files; :func:`compare_systems` tests two systems against each other.
"""

from __future__ import annotations

from thce.evaluation.metrics.accuracy import (
    TIE_POLICIES,
    calculate_category_match,
    calculate_code_type_accuracy,
    calculate_code_type_breakdown,
    calculate_exact_match,
    calculate_top_k_accuracy,
    same_category,
)
from thce.evaluation.metrics.calibration import calculate_calibration
from thce.evaluation.metrics.common import DEFAULT_KS, Label
from thce.evaluation.metrics.hierarchy import (
    calculate_format_failure_rate,
    calculate_invalid_code_rate,
    calculate_parent_match,
    calculate_partial_credit,
    is_valid_label,
    partial_credit,
    same_parent,
)
from thce.evaluation.metrics.prf import calculate_precision_recall_f1, macro_f1, micro_f1
from thce.evaluation.metrics.reasoning import (
    EVIDENCE_WORDS_FOR_FULL_CREDIT,
    calculate_reasoning_quality,
    codes_mentioned,
    content_words,
    reasoning_quality,
)
from thce.evaluation.metrics.significance import (
    bootstrap_ci,
    mcnemar_test,
    paired_bootstrap_test,
    paired_permutation_test,
)
from thce.evaluation.metrics.summary import (
    calculate_all_metrics,
    compare_systems,
    compute_confidence_intervals,
    compute_metrics,
)

__all__ = [
    "DEFAULT_KS",
    "EVIDENCE_WORDS_FOR_FULL_CREDIT",
    "TIE_POLICIES",
    "Label",
    "bootstrap_ci",
    "calculate_all_metrics",
    "calculate_calibration",
    "calculate_category_match",
    "calculate_code_type_accuracy",
    "calculate_code_type_breakdown",
    "calculate_exact_match",
    "calculate_format_failure_rate",
    "calculate_invalid_code_rate",
    "calculate_parent_match",
    "calculate_partial_credit",
    "calculate_precision_recall_f1",
    "calculate_reasoning_quality",
    "calculate_top_k_accuracy",
    "codes_mentioned",
    "compare_systems",
    "compute_confidence_intervals",
    "compute_metrics",
    "content_words",
    "is_valid_label",
    "macro_f1",
    "mcnemar_test",
    "micro_f1",
    "paired_bootstrap_test",
    "paired_permutation_test",
    "partial_credit",
    "reasoning_quality",
    "same_category",
    "same_parent",
]
