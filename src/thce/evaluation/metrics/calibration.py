"""Confidence calibration: accuracy by confidence bucket, ECE, MCE and the Brier score."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from thce.evaluation.metrics.common import check_lengths, mean


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
    check_lengths(confidences, correct)
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
            acc = mean([float(ok) for _, ok in members])
            conf = mean([c for c, _ in members])
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
        "mean_confidence": mean([c for c, _ in pairs]) if n else None,
        "brier": mean([(c - float(ok)) ** 2 for c, ok in pairs]) if n else None,
        "bins": bins,
    }
