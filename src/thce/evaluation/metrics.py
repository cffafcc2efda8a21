"""Evaluation metrics: pure functions on lists, each with its formula.

Inputs are *labels* — ``"TYPE:CODE"`` strings such as ``"ICD10:E11.9"`` (see
:mod:`thce.evaluation.records`); ``None`` means the system gave no parseable answer and
always counts as wrong. Empty inputs give ``0.0`` (never NaN) so reports stay valid JSON.

    >>> calculate_exact_match(["ICD10:E11.9", "CPT:99213"], ["ICD10:E11.9", "CPT:99214"])
    0.5
    >>> calculate_top_k_accuracy([["CPT:99213", "CPT:99214"]], ["CPT:99214"], ks=(1, 3))
    {1: 0.0, 3: 1.0}

:func:`compute_metrics` assembles every metric for a list of
:class:`~thce.evaluation.records.Prediction` records; :func:`calculate_all_metrics` does the
same from files.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from thce.data.formats import code_category
from thce.errors import EvaluationError
from thce.evaluation.records import Prediction, load_predictions, load_test_examples, split_label

Label = str | None
DEFAULT_KS: tuple[int, ...] = (1, 3, 5)
TIE_POLICIES = ("order", "pessimistic", "optimistic")


def _check_lengths(*columns: Sequence[Any]) -> int:
    lengths = {len(c) for c in columns}
    if len(lengths) > 1:
        raise EvaluationError(f"metric inputs differ in length: {sorted(lengths)}")
    return lengths.pop() if lengths else 0


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


# --------------------------------------------------------------------------------------------
# Accuracy-style metrics
# --------------------------------------------------------------------------------------------


def calculate_exact_match(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Exact match: ``EM = (1/N) Σ_i [pred_i = gold_i]`` over code type *and* code.

    ``None`` predictions are wrong. ``N = 0`` gives 0.0.
    """
    n = _check_lengths(predictions, references)
    return (
        _mean(
            [float(p is not None and p == g) for p, g in zip(predictions, references, strict=True)]
        )
        if n
        else 0.0
    )


def _gold_rank(
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
    n = _check_lengths(candidates, references)
    if scores is not None:
        _check_lengths(candidates, scores)
    ranks = [
        _gold_rank(cands, gold, None if scores is None else scores[i], ties)
        for i, (cands, gold) in enumerate(zip(candidates, references, strict=True))
    ]
    return {k: (_mean([float(r is not None and r <= k) for r in ranks]) if n else 0.0) for k in ks}


def _labels_type(label: Label) -> str | None:
    return split_label(label)[0]


def calculate_code_type_accuracy(
    predictions: Sequence[Label], references: Sequence[Label]
) -> float:
    """Share of answers in the right code system: ``(1/N) Σ_i [type(pred_i) = type(gold_i)]``."""
    n = _check_lengths(predictions, references)
    if not n:
        return 0.0
    return _mean(
        [
            float(p is not None and _labels_type(p) == _labels_type(g))
            for p, g in zip(predictions, references, strict=True)
        ]
    )


def same_category(pred: Label, gold: Label) -> bool:
    """Same code system and same family (:func:`thce.data.formats.code_category`)."""
    pred_type, pred_code = split_label(pred)
    gold_type, gold_code = split_label(gold)
    if pred_type is None or pred_type != gold_type:
        return False
    return code_category(pred_type, pred_code) == code_category(gold_type, gold_code)


def calculate_category_match(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Category match (partial credit): ``(1/N) Σ_i [same system ∧ family(pred_i) = family(gold_i)]``.

    The family is the ICD-10-CM 3-character category (``E11.65`` → ``E11``), the first three
    digits of a CPT code, or the letter and two digits of a HCPCS code. Exact matches count.
    """
    n = _check_lengths(predictions, references)
    return (
        _mean([float(same_category(p, g)) for p, g in zip(predictions, references, strict=True)])
        if n
        else 0.0
    )


# --------------------------------------------------------------------------------------------
# Precision / recall / F1
# --------------------------------------------------------------------------------------------


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
    _check_lengths(predictions, references)
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
    macro = tuple(_mean([row[i] for row in per_class]) for i in range(3))
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


# --------------------------------------------------------------------------------------------
# Per code type
# --------------------------------------------------------------------------------------------


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
    _check_lengths(predictions, references)
    if candidates is not None:
        _check_lengths(predictions, candidates)
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
            row["top_k"] = _str_keys(
                calculate_top_k_accuracy([candidates[i] for i in idx], golds, ks)
            )
        breakdown[code_type] = row
    return breakdown


def _str_keys(values: dict[int, float]) -> dict[str, float]:
    return {str(k): v for k, v in values.items()}


# --------------------------------------------------------------------------------------------
# Validity, format, hierarchy (these consult the code databases)
# --------------------------------------------------------------------------------------------


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
    return _mean([float(p is not None and not check(p)) for p in predictions])


def calculate_format_failure_rate(well_formed: Sequence[bool]) -> float:
    """Format-failure rate: ``(1/N) Σ_i [answer_i has no parseable 'CODE_TYPE: CODE']``."""
    return _mean([float(not ok) for ok in well_formed]) if well_formed else 0.0


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
    n = _check_lengths(predictions, references)
    return (
        _mean([partial_credit(p, g) for p, g in zip(predictions, references, strict=True)])
        if n
        else 0.0
    )


def calculate_parent_match(predictions: Sequence[Label], references: Sequence[Label]) -> float:
    """Share of answers that are exact or hierarchically close (:func:`same_parent`)."""
    n = _check_lengths(predictions, references)
    return (
        _mean([float(same_parent(p, g)) for p, g in zip(predictions, references, strict=True)])
        if n
        else 0.0
    )


# --------------------------------------------------------------------------------------------
# Confidence / calibration
# --------------------------------------------------------------------------------------------


def calculate_calibration(
    confidences: Sequence[float | None], correct: Sequence[bool], n_bins: int = 10
) -> dict[str, Any]:
    """Accuracy by confidence bucket and expected calibration error (ECE).

    Confidences in ``[0, 1]`` fall into ``n_bins`` equal-width buckets (``(l, u]``, the first
    one closed at 0). For bucket ``b``: ``acc_b`` = share correct, ``conf_b`` = mean confidence.
    ``ECE = Σ_b (n_b / N) |acc_b − conf_b|``; ``MCE = max_b |acc_b − conf_b|``. Examples without a
    confidence (``None``) are left out and counted in ``n_missing``; with none left, ``ece`` and
    ``mce`` are ``None``. Also reports the mean confidence and the Brier score
    ``(1/N) Σ_i (conf_i − correct_i)²``.
    """
    _check_lengths(confidences, correct)
    pairs = [
        (min(max(float(c), 0.0), 1.0), bool(ok))
        for c, ok in zip(confidences, correct, strict=True)
        if c is not None and not math.isnan(float(c))
    ]
    n = len(pairs)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = []
    ece, mce = 0.0, 0.0
    for b in range(n_bins):
        lo, hi = float(edges[b]), float(edges[b + 1])
        members = [(c, ok) for c, ok in pairs if (lo < c <= hi) or (b == 0 and c == 0.0)]
        if members:
            acc = _mean([float(ok) for _, ok in members])
            conf = _mean([c for c, _ in members])
            gap = abs(acc - conf)
            ece += len(members) / n * gap
            mce = max(mce, gap)
        else:
            acc = conf = None
        bins.append(
            {"lower": lo, "upper": hi, "n": len(members), "accuracy": acc, "confidence": conf}
        )
    return {
        "n": n,
        "n_missing": len(confidences) - n,
        "ece": ece if n else None,
        "mce": mce if n else None,
        "mean_confidence": _mean([c for c, _ in pairs]) if n else None,
        "brier": _mean([(c - float(ok)) ** 2 for c, ok in pairs]) if n else None,
        "bins": bins,
    }


# --------------------------------------------------------------------------------------------
# Reasoning quality (stage 2+)
# --------------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[a-z0-9]+(?:[.'-][a-z0-9]+)*")
# ICD-10-CM codes only with their dot (a bare "B12" is usually vitamin B12), CPT (5 digits or
# 4 digits + F/T/U), HCPCS (letter + 4 digits).
_CODE_TOKEN_RE = re.compile(r"\b[A-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}\b|\b\d{4}[0-9FTU]\b|\b[A-Z]\d{4}\b")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "without",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "his",
        "her",
        "their",
        "patient",
        "pt",
        "presents",
        "presented",
        "history",
        "year",
        "years",
        "old",
        "yo",
        "male",
        "female",
        "man",
        "woman",
        "who",
        "which",
        "not",
        "no",
        "due",
        "per",
        "code",
        "codes",
        "coding",
        "diagnosis",
        "most",
        "appropriate",
        "so",
        "therefore",
        "because",
        "than",
        "then",
        "there",
        "here",
        "into",
        "also",
        "other",
        "only",
        "over",
        "under",
        "after",
        "before",
        "during",
        "very",
        "more",
        "less",
        "any",
        "all",
    ]
)
EVIDENCE_WORDS_FOR_FULL_CREDIT = 3


def content_words(text: str | None) -> set[str]:
    """Lower-cased words of ``text`` minus stop words and words shorter than 3 characters."""
    if not text:
        return set()
    return {w for w in _WORD_RE.findall(text.lower()) if len(w) >= 3 and w not in _STOPWORDS}


def codes_mentioned(text: str | None) -> set[str]:
    """Code-shaped tokens in free text (``E11.9``, ``99213``, ``J1100``), upper-cased.

    This finds codes *mentioned in reasoning*; answers are parsed by
    :func:`thce.data.formats.parse_answer` only.
    """
    if not text:
        return set()
    return set(_CODE_TOKEN_RE.findall(text.upper()))


def reasoning_quality(
    reasoning: str | None,
    reasoning_well_formed: bool,
    narrative: str | None,
    pred_code: str | None,
) -> dict[str, float]:
    """Score one stage-2+ answer's reasoning on four parts, each in ``[0, 1]``:

    - ``present``: a non-empty ``<think>`` block;
    - ``well_formed``: exactly one closed ``<think>…</think>`` before the answer;
    - ``evidence``: ``min(1, |content(reasoning) ∩ content(narrative)| / 3)`` — the reasoning
      cites words of the narrative (token overlap, stop words removed);
    - ``consistent``: 1 unless the reasoning names codes and none of them is the final code
      (dots ignored); 0 when there is no final code.

    ``score`` is the mean of the four.
    """
    present = float(bool(reasoning and reasoning.strip()))
    well_formed = float(bool(reasoning_well_formed) and bool(present))
    overlap = len(content_words(reasoning) & content_words(narrative))
    evidence = min(1.0, overlap / EVIDENCE_WORDS_FOR_FULL_CREDIT) if present else 0.0
    if not pred_code or not present:
        consistent = 0.0
    else:
        mentioned = {c.replace(".", "") for c in codes_mentioned(reasoning)}
        consistent = float(not mentioned or pred_code.replace(".", "").upper() in mentioned)
    parts = {
        "present": present,
        "well_formed": well_formed,
        "evidence": evidence,
        "consistent": consistent,
    }
    return {**parts, "score": _mean(list(parts.values()))}


def calculate_reasoning_quality(records: Sequence[Prediction]) -> dict[str, float]:
    """Mean of :func:`reasoning_quality` parts over ``records`` (all zeros for no records)."""
    scores = [
        reasoning_quality(r.reasoning, r.reasoning_well_formed, r.narrative, r.pred_code)
        for r in records
    ]
    keys = ("present", "well_formed", "evidence", "consistent", "score")
    return {k: _mean([s[k] for s in scores]) for k in keys}


# --------------------------------------------------------------------------------------------
# Uncertainty and significance
# --------------------------------------------------------------------------------------------


def bootstrap_ci(
    metric: Callable[..., float],
    *columns: Sequence[Any],
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, float]:
    """Percentile bootstrap confidence interval of ``metric(*columns)``.

    Resamples the ``N`` examples with replacement ``n_resamples`` times (one shared index draw
    for all columns, so paired columns stay paired), recomputes the metric and takes the
    ``(1 − confidence)/2`` and ``(1 + confidence)/2`` quantiles. Seeded: the same inputs give
    the same interval. ``N = 0`` gives ``{low: 0, high: 0}``.

    >>> ci = bootstrap_ci(calculate_exact_match, ["A:1"] * 8 + [None] * 2, ["A:1"] * 10)
    >>> ci["low"] <= 0.8 <= ci["high"]
    True
    """
    n = _check_lengths(*columns)
    point = metric(*columns) if n else 0.0
    if not n:
        return {"estimate": 0.0, "low": 0.0, "high": 0.0, "confidence": confidence}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n, size=(n_resamples, n))
    stats = np.empty(n_resamples)
    for r, idx in enumerate(draws):
        stats[r] = metric(*([col[i] for i in idx] for col in columns))
    alpha = (1.0 - confidence) / 2.0
    return {
        "estimate": float(point),
        "low": float(np.quantile(stats, alpha)),
        "high": float(np.quantile(stats, 1.0 - alpha)),
        "confidence": confidence,
    }


def mcnemar_test(
    correct_a: Sequence[bool], correct_b: Sequence[bool], exact: bool | None = None
) -> dict[str, Any]:
    """McNemar's test for two systems graded on the same examples.

    ``b`` = #(A right, B wrong), ``c`` = #(A wrong, B right) (reported as ``a_only`` and
    ``b_only``). Exact version: two-sided binomial
    test of ``b`` successes in ``b + c`` trials with ``p = 0.5``. Chi-square version (with
    continuity correction): ``χ² = (|b − c| − 1)² / (b + c)``, 1 degree of freedom. By default
    the exact test is used when ``b + c < 25``. No discordant pairs gives ``p = 1``.
    """
    from scipy import stats

    _check_lengths(correct_a, correct_b)
    b = sum(1 for a, bb in zip(correct_a, correct_b, strict=True) if a and not bb)
    c = sum(1 for a, bb in zip(correct_a, correct_b, strict=True) if bb and not a)
    use_exact = (b + c) < 25 if exact is None else exact
    if b + c == 0:
        return {
            "method": "mcnemar-exact" if use_exact else "mcnemar-chi2",
            "a_only": 0,
            "b_only": 0,
            "statistic": 0.0,
            "p_value": 1.0,
        }
    if use_exact:
        p_value = stats.binomtest(b, b + c, 0.5).pvalue
        statistic = float(min(b, c))
    else:
        statistic = (abs(b - c) - 1) ** 2 / (b + c)
        p_value = stats.chi2.sf(statistic, 1)
    return {
        "method": "mcnemar-exact" if use_exact else "mcnemar-chi2",
        "a_only": b,
        "b_only": c,
        "statistic": float(statistic),
        "p_value": float(min(1.0, p_value)),
    }


def paired_permutation_test(
    scores_a: Sequence[float], scores_b: Sequence[float], n_resamples: int = 10000, seed: int = 0
) -> dict[str, Any]:
    """Two-sided paired permutation (sign-flip) test on per-example scores.

    ``d_i = a_i − b_i``; the statistic is ``|mean(d)|``; under H0 each ``d_i`` is equally likely
    to have either sign. ``p = (1 + #{|mean(s·d)| ≥ |mean(d)|}) / (1 + R)`` over ``R`` random sign
    vectors ``s`` (seeded).
    """
    _check_lengths(scores_a, scores_b)
    d = np.asarray(scores_a, dtype=float) - np.asarray(scores_b, dtype=float)
    if d.size == 0 or not np.any(d):
        return {"method": "paired-permutation", "difference": 0.0, "p_value": 1.0}
    observed = abs(d.mean())
    rng = np.random.default_rng(seed)
    signs = rng.choice((-1.0, 1.0), size=(n_resamples, d.size))
    permuted = np.abs((signs * d).mean(axis=1))
    p_value = (1 + int(np.sum(permuted >= observed - 1e-12))) / (1 + n_resamples)
    return {
        "method": "paired-permutation",
        "difference": float(d.mean()),
        "p_value": float(p_value),
    }


def paired_bootstrap_test(
    metric: Callable[[Sequence[Label], Sequence[Label]], float],
    predictions_a: Sequence[Label],
    predictions_b: Sequence[Label],
    references: Sequence[Label],
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Paired bootstrap test for a corpus-level metric (e.g. macro F1).

    ``δ = metric(A) − metric(B)``. Resample examples (the same indices for both systems);
    ``p`` = twice the share of resamples whose ``δ*`` falls on the other side of 0 than ``δ``
    (Koehn 2004 / Berg-Kirkpatrick et al. 2012 style), capped at 1.
    """
    n = _check_lengths(predictions_a, predictions_b, references)
    delta = metric(predictions_a, references) - metric(predictions_b, references) if n else 0.0
    if not n or delta == 0:
        return {"method": "paired-bootstrap", "difference": float(delta), "p_value": 1.0}
    rng = np.random.default_rng(seed)
    opposite = 0
    for idx in rng.integers(0, n, size=(n_resamples, n)):
        refs = [references[i] for i in idx]
        d = metric([predictions_a[i] for i in idx], refs) - metric(
            [predictions_b[i] for i in idx], refs
        )
        if (d <= 0 < delta) or (d >= 0 > delta):
            opposite += 1
    p_value = min(1.0, 2 * (opposite + 1) / (n_resamples + 1))
    return {"method": "paired-bootstrap", "difference": float(delta), "p_value": float(p_value)}


# --------------------------------------------------------------------------------------------
# Everything together
# --------------------------------------------------------------------------------------------


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
        "top_k": _str_keys(calculate_top_k_accuracy(cands, golds, ks)),
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
        for r in (_gold_rank(c, g, None, "order") for c, g in zip(ca, golds, strict=True))
    ]
    top3_b = [
        float(r is not None and r <= 3)
        for r in (_gold_rank(c, g, None, "order") for c, g in zip(cb, golds, strict=True))
    ]
    return {
        "exact_match": {
            "a": calculate_exact_match(pa, golds),
            "b": calculate_exact_match(pb, golds),
            **mcnemar_test(
                [p == g for p, g in zip(pa, golds, strict=True)],
                [p == g for p, g in zip(pb, golds, strict=True)],
            ),
        },
        "top_3": {
            "a": _mean(top3_a),
            "b": _mean(top3_b),
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


__all__ = [
    "DEFAULT_KS",
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
