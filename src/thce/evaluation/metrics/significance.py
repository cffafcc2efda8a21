"""Uncertainty and significance: bootstrap confidence intervals and paired tests.

Every resampling is seeded, so the same inputs give the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from thce.evaluation.metrics.common import Label, check_lengths


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

    >>> from thce.evaluation.metrics.accuracy import calculate_exact_match
    >>> ci = bootstrap_ci(calculate_exact_match, ["A:1"] * 8 + [None] * 2, ["A:1"] * 10)
    >>> ci["low"] <= 0.8 <= ci["high"]
    True
    """
    n = check_lengths(*columns)
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

    check_lengths(correct_a, correct_b)
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
    check_lengths(scores_a, scores_b)
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
    n = check_lengths(predictions_a, predictions_b, references)
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
