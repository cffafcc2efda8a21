"""Precision, recall and F1 over codes (single-label), micro- and macro-averaged.

>>> calculate_precision_recall_f1(["A:1", "A:2", None], ["A:1", "A:1", "A:2"])["micro"]
{'precision': 0.5, 'recall': 0.3333333333333333, 'f1': 0.4}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from thce.evaluation.metrics.common import Label, check_lengths, mean


def _prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def calculate_precision_recall_f1(
    predictions: Sequence[Label], references: Sequence[Label]
) -> dict[str, Any]:
    """Micro- and macro-averaged precision, recall and F1 over codes (single-label).

    Each code (label) ``c`` is a class. For class ``c``: ``TP_c = #{i: pred_i = gold_i = c}``,
    ``FP_c = #{i: pred_i = c ≠ gold_i}``, ``FN_c = #{i: gold_i = c ≠ pred_i}``. A ``None``
    prediction is a false negative for its gold class and a false positive for no class.

    - micro: ``P = ΣTP / (ΣTP + ΣFP)``, ``R = ΣTP / (ΣTP + ΣFN)``, ``F1 = 2PR / (P + R)``
      (summed over all classes). Without ``None`` predictions micro P = R = F1 = accuracy.
    - macro: per-class ``P_c, R_c, F1_c`` computed the same way, then the unweighted mean over
      the classes that occur as a gold *or* a predicted label (scikit-learn's default set).

    Zero-division convention: any ratio whose denominator is 0 is 0.0 (scikit-learn's
    ``zero_division=0``); so is every value for empty input. Matches
    ``sklearn.metrics.precision_recall_fscore_support`` with ``labels`` = all labels seen and
    ``None`` mapped to a label outside that list.
    """
    check_lengths(predictions, references)
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    classes: set[str] = set()
    for pred, gold in zip(predictions, references, strict=True):
        if gold is not None:
            classes.add(gold)
        if pred is not None:
            classes.add(pred)
        if pred is not None and pred == gold:
            tp[pred] += 1
            continue
        if pred is not None:
            fp[pred] += 1
        if gold is not None:
            fn[gold] += 1
    micro = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    per_class = [_prf(tp[c], fp[c], fn[c]) for c in sorted(classes)]
    macro = tuple(mean([row[i] for row in per_class]) for i in range(3))
    keys = ("precision", "recall", "f1")
    return {
        "micro": dict(zip(keys, micro, strict=True)),
        "macro": dict(zip(keys, macro, strict=True)),
        "n_classes": len(classes),
    }


def macro_f1(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Macro F1 (see :func:`calculate_precision_recall_f1`)."""
    return calculate_precision_recall_f1(predictions, references)["macro"]["f1"]


def micro_f1(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Micro F1 (see :func:`calculate_precision_recall_f1`)."""
    return calculate_precision_recall_f1(predictions, references)["micro"]["f1"]
