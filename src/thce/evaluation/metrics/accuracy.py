"""Accuracy-style metrics: exact match, top-k, code-system and code-family match, per system.

Exact match and family match come from the one grader, :func:`thce.data.formats.grade` (the
quality checker and the dataset builder use it too).

    >>> calculate_exact_match(["ICD10:E11.9", "CPT:99213"], ["ICD10:E11.9", "CPT:99214"])
    0.5
    >>> calculate_top_k_accuracy([["CPT:99213", "CPT:99214"]], ["CPT:99214"], ks=(1, 3))
    {1: 0.0, 3: 1.0}
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from thce.errors import EvaluationError
from thce.evaluation.metrics.common import (
    DEFAULT_KS,
    Label,
    check_lengths,
    grade_labels,
    mean,
    str_keys,
)
from thce.evaluation.metrics.prf import calculate_precision_recall_f1
from thce.evaluation.records import split_label

TIE_POLICIES = ("order", "pessimistic", "optimistic")


def calculate_exact_match(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Exact match: ``EM = (1/N) Σ_i [pred_i = gold_i]`` over code type *and* code.

    ``None`` predictions are wrong. ``N = 0`` gives 0.0.
    """
    n = check_lengths(predictions, references)
    return (
        mean(
            [float(grade_labels(p, g).exact) for p, g in zip(predictions, references, strict=True)]
        )
        if n
        else 0.0
    )


def gold_rank(
    candidates: Sequence[Label], gold: Label, scores: Sequence[float] | None, ties: str
) -> int | None:
    """1-based rank of ``gold`` among ``candidates`` (duplicates removed), ``None`` if absent."""
    if gold is None:
        return None
    if scores is None:
        seen: list[Label] = []
        for cand in candidates:
            if cand is not None and cand not in seen:
                seen.append(cand)
        return seen.index(gold) + 1 if gold in seen else None
    best: dict[str, tuple[float, int]] = {}
    for position, (cand, score) in enumerate(zip(candidates, scores, strict=True)):
        if cand is None:
            continue
        value = float(score) if score is not None and not math.isnan(float(score)) else -math.inf
        if cand not in best or value > best[cand][0]:
            best[cand] = (value, best.get(cand, (value, position))[1])
    if gold not in best:
        return None
    gold_score, gold_position = best[gold]
    higher = sum(1 for s, _ in best.values() if s > gold_score)
    tied = [p for c, (s, p) in best.items() if s == gold_score and c != gold]
    if ties == "pessimistic":
        return higher + len(tied) + 1
    if ties == "optimistic":
        return higher + 1
    return higher + sum(1 for p in tied if p < gold_position) + 1


def calculate_top_k_accuracy(
    candidates: Sequence[Sequence[Label]],
    references: Sequence[Label],
    ks: Sequence[int] = DEFAULT_KS,
    scores: Sequence[Sequence[float]] | None = None,
    ties: str = "order",
) -> dict[int, float]:
    """Top-k accuracy: ``Acc@k = (1/N) Σ_i [rank_i(gold_i) ≤ k]`` for each ``k`` in ``ks``.

    ``candidates[i]`` is a ranked list of labels; repeated labels keep their first (best)
    position, so a duplicate never takes a slot. With ``scores`` (one per candidate, higher is
    better) the rank is recomputed from the scores and *ties* are settled by ``ties``:

    - ``"order"`` (default): tied candidates keep their list order (a stable sort);
    - ``"pessimistic"``: the gold code ranks after every candidate tied with it, so a system
      that gives every code the same score gets no credit;
    - ``"optimistic"``: the gold code ranks before every candidate tied with it.

    >>> calculate_top_k_accuracy([["A:1", "A:2"]], ["A:2"], ks=(1,), scores=[[0.5, 0.5]], ties="optimistic")
    {1: 1.0}
    """
    if ties not in TIE_POLICIES:
        raise EvaluationError(f"unknown tie policy {ties!r}; valid: {', '.join(TIE_POLICIES)}")
    if any(k < 1 for k in ks):
        raise EvaluationError(f"top-k values must be >= 1, got {list(ks)}")
    n = check_lengths(candidates, references)
    if scores is not None:
        check_lengths(candidates, scores)
    ranks = [
        gold_rank(cands, gold, None if scores is None else scores[i], ties)
        for i, (cands, gold) in enumerate(zip(candidates, references, strict=True))
    ]
    return {k: (mean([float(r is not None and r <= k) for r in ranks]) if n else 0.0) for k in ks}


def _labels_type(label: Label) -> str | None:
    return split_label(label)[0]


def calculate_code_type_accuracy(
    predictions: Sequence[Label], references: Sequence[Label]
) -> float:
    """Share of answers in the right code system: ``(1/N) Σ_i [type(pred_i) = type(gold_i)]``."""
    n = check_lengths(predictions, references)
    if not n:
        return 0.0
    return mean(
        [
            float(p is not None and _labels_type(p) == _labels_type(g))
            for p, g in zip(predictions, references, strict=True)
        ]
    )


def same_category(pred: Label, gold: Label) -> bool:
    """Same code system and same family (:func:`thce.data.formats.code_category`), as
    graded by :func:`thce.data.formats.grade`."""
    return grade_labels(pred, gold).category_match


def calculate_category_match(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Category match (partial credit): ``(1/N) Σ_i [same system ∧ family(pred_i) = family(gold_i)]``.

    The family is the ICD-10-CM 3-character category (``E11.65`` → ``E11``), the first three
    digits of a CPT code, or the letter and two digits of a HCPCS code. Exact matches count.
    """
    n = check_lengths(predictions, references)
    return (
        mean([float(same_category(p, g)) for p, g in zip(predictions, references, strict=True)])
        if n
        else 0.0
    )


def calculate_code_type_breakdown(
    predictions: Sequence[Label],
    references: Sequence[Label],
    candidates: Sequence[Sequence[Label]] | None = None,
    ks: Sequence[int] = DEFAULT_KS,
) -> dict[str, dict[str, Any]]:
    """Metrics per gold code system: ``{type: {n, exact_match, category_match, code_type_accuracy,
    micro/macro..., top_k}}``.

    Examples are grouped by the *gold* label's system. A gold label with a system outside
    ICD10/CPT/HCPCS is grouped under that spelling (``UNKNOWN`` when it has none), so nothing
    is silently dropped. Each group's numbers use the formulas of the overall metrics.
    """
    check_lengths(predictions, references)
    if candidates is not None:
        check_lengths(predictions, candidates)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, gold in enumerate(references):
        groups[_labels_type(gold) or "UNKNOWN"].append(i)
    breakdown: dict[str, dict[str, Any]] = {}
    for code_type in sorted(groups):
        idx = groups[code_type]
        preds = [predictions[i] for i in idx]
        golds = [references[i] for i in idx]
        prf = calculate_precision_recall_f1(preds, golds)
        row: dict[str, Any] = {
            "n": len(idx),
            "exact_match": calculate_exact_match(preds, golds),
            "category_match": calculate_category_match(preds, golds),
            "code_type_accuracy": calculate_code_type_accuracy(preds, golds),
            "micro": prf["micro"],
            "macro": prf["macro"],
        }
        if candidates is not None:
            row["top_k"] = str_keys(
                calculate_top_k_accuracy([candidates[i] for i in idx], golds, ks)
            )
        breakdown[code_type] = row
    return breakdown
