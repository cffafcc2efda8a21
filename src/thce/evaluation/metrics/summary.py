"""Every metric together: the ``metrics`` block of ``report.json``, its confidence intervals,
the comparison of two systems, and all metrics from files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thce.errors import EvaluationError
from thce.evaluation.metrics.accuracy import (
    calculate_category_match,
    calculate_code_type_accuracy,
    calculate_code_type_breakdown,
    calculate_exact_match,
    calculate_top_k_accuracy,
    gold_rank,
    same_category,
)
from thce.evaluation.metrics.calibration import calculate_calibration
from thce.evaluation.metrics.common import DEFAULT_KS, Label, grade_labels, mean, str_keys
from thce.evaluation.metrics.hierarchy import (
    calculate_format_failure_rate,
    calculate_invalid_code_rate,
    calculate_parent_match,
    calculate_partial_credit,
)
from thce.evaluation.metrics.prf import calculate_precision_recall_f1, macro_f1, micro_f1
from thce.evaluation.metrics.reasoning import calculate_reasoning_quality
from thce.evaluation.metrics.significance import (
    bootstrap_ci,
    mcnemar_test,
    paired_bootstrap_test,
    paired_permutation_test,
)
from thce.evaluation.records import (
    Prediction,
    load_predictions,
    load_test_examples,
    split_label,
)


def _labels(records: Sequence[Prediction]) -> tuple[list[Label], list[Label], list[list[Label]]]:
    return (
        [r.pred_label for r in records],
        [r.gold_label for r in records],
        [list(r.candidates) for r in records],
    )


def compute_metrics(
    records: Sequence[Prediction],
    ks: Sequence[int] = DEFAULT_KS,
    stage: int | None = None,
    n_bins: int = 10,
) -> dict[str, Any]:
    """Every metric for a list of predictions (the ``metrics`` block of ``report.json``).

    ``stage`` (default: the records' own) adds ``reasoning_quality`` for stage 2+.
    """
    preds, golds, cands = _labels(records)
    prf = calculate_precision_recall_f1(preds, golds)
    correct = [p is not None and p == g for p, g in zip(preds, golds, strict=True)]
    metrics: dict[str, Any] = {
        "exact_match": calculate_exact_match(preds, golds),
        "top_k": str_keys(calculate_top_k_accuracy(cands, golds, ks)),
        "micro": prf["micro"],
        "macro": prf["macro"],
        "n_classes": prf["n_classes"],
        "category_match": calculate_category_match(preds, golds),
        "parent_match": calculate_parent_match(preds, golds),
        "partial_credit": calculate_partial_credit(preds, golds),
        "code_type_accuracy": calculate_code_type_accuracy(preds, golds),
        "invalid_code_rate": calculate_invalid_code_rate(preds),
        "format_failure_rate": calculate_format_failure_rate([r.well_formed for r in records]),
        "by_code_type": calculate_code_type_breakdown(preds, golds, cands, ks),
        "calibration": calculate_calibration([r.confidence for r in records], correct, n_bins),
    }
    stage = stage if stage is not None else max((r.stage for r in records), default=1)
    if stage >= 2:
        metrics["reasoning_quality"] = calculate_reasoning_quality(records)
    return metrics


def compute_confidence_intervals(
    records: Sequence[Prediction],
    ks: Sequence[int] = DEFAULT_KS,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Bootstrap CIs (:func:`bootstrap_ci`) for the headline metrics, overall and per code type."""
    preds, golds, cands = _labels(records)
    options = {"n_resamples": n_resamples, "confidence": confidence, "seed": seed}
    intervals: dict[str, Any] = {
        "exact_match": bootstrap_ci(calculate_exact_match, preds, golds, **options),
        "category_match": bootstrap_ci(calculate_category_match, preds, golds, **options),
        "micro_f1": bootstrap_ci(micro_f1, preds, golds, **options),
        "macro_f1": bootstrap_ci(macro_f1, preds, golds, **options),
    }
    for k in ks:
        intervals[f"top_{k}"] = bootstrap_ci(
            lambda c, g, k=k: calculate_top_k_accuracy(c, g, (k,))[k], cands, golds, **options
        )
    by_type: dict[str, Any] = {}
    for code_type in sorted({split_label(g)[0] or "UNKNOWN" for g in golds}):
        idx = [i for i, g in enumerate(golds) if (split_label(g)[0] or "UNKNOWN") == code_type]
        by_type[code_type] = {
            "exact_match": bootstrap_ci(
                calculate_exact_match, [preds[i] for i in idx], [golds[i] for i in idx], **options
            )
        }
    intervals["by_code_type"] = by_type
    return intervals


def compare_systems(
    records_a: Sequence[Prediction], records_b: Sequence[Prediction], seed: int = 0
) -> dict[str, Any]:
    """Paired significance of system A vs system B on the same examples (joined by ``id``).

    Exact match: McNemar. Top-3 accuracy and category match: paired permutation test on the
    per-example 0/1 scores. Macro F1: paired bootstrap.
    """
    by_id = {r.id: r for r in records_b}
    missing = [r.id for r in records_a if r.id not in by_id]
    if missing:
        raise EvaluationError(
            f"cannot compare systems: {len(missing)} example id(s) of one system are missing in "
            f"the other (first: {missing[0]!r}); evaluate both on the same test file"
        )
    paired_b = [by_id[r.id] for r in records_a]
    pa, golds, ca = _labels(records_a)
    pb, _, cb = _labels(paired_b)
    top3_a = [
        float(r is not None and r <= 3)
        for r in (gold_rank(c, g, None, "order") for c, g in zip(ca, golds, strict=True))
    ]
    top3_b = [
        float(r is not None and r <= 3)
        for r in (gold_rank(c, g, None, "order") for c, g in zip(cb, golds, strict=True))
    ]
    return {
        "exact_match": {
            "a": calculate_exact_match(pa, golds),
            "b": calculate_exact_match(pb, golds),
            **mcnemar_test(
                [grade_labels(p, g).exact for p, g in zip(pa, golds, strict=True)],
                [grade_labels(p, g).exact for p, g in zip(pb, golds, strict=True)],
            ),
        },
        "top_3": {
            "a": mean(top3_a),
            "b": mean(top3_b),
            **paired_permutation_test(top3_a, top3_b, seed=seed),
        },
        "category_match": {
            "a": calculate_category_match(pa, golds),
            "b": calculate_category_match(pb, golds),
            **paired_permutation_test(
                [float(same_category(p, g)) for p, g in zip(pa, golds, strict=True)],
                [float(same_category(p, g)) for p, g in zip(pb, golds, strict=True)],
                seed=seed,
            ),
        },
        "macro_f1": {
            "a": macro_f1(pa, golds),
            "b": macro_f1(pb, golds),
            **paired_bootstrap_test(macro_f1, pa, pb, golds, seed=seed),
        },
    }


def calculate_all_metrics(
    predictions_file: str | Path,
    ground_truth_file: str | Path | None = None,
    ks: Sequence[int] = DEFAULT_KS,
) -> dict[str, Any]:
    """All metrics from a ``predictions.jsonl`` file, optionally checked against a test file.

    With ``ground_truth_file``, gold labels come from that file (joined on ``id``; a
    prediction without a matching example is an error), so a hand-edited predictions file
    cannot change its own answer key.

    >>> calculate_all_metrics("out/predictions.jsonl", "data/examples/test.jsonl")["exact_match"]  # doctest: +SKIP
    0.41
    """
    records = load_predictions(predictions_file)
    if ground_truth_file is not None:
        examples = {e.id: e for e in load_test_examples(ground_truth_file)}
        for record in records:
            example = examples.get(record.id)
            if example is None:
                raise EvaluationError(
                    f"prediction id {record.id!r} in {predictions_file} has no example in "
                    f"{ground_truth_file}; use the test file the predictions were made on"
                )
            record.gold_type, record.gold_code = example.gold_type, example.gold_code
            record.narrative = record.narrative or example.narrative
    return compute_metrics(records, ks)
