"""Error analysis: one category per wrong prediction, the hardest examples, reasoning failures.

    thce analyze outputs/eval/predictions.jsonl --output outputs/eval/analysis

An example is an *error* when its code is not an exact match or, in stage 2+, when its
reasoning is missing. Each error gets the first category that applies, in this order:

1. ``invalid_format``: no parseable ``CODE_TYPE: CODE`` answer, or a code that does not exist
   in its system's database (``ICD10: I1O``, ``ICD10: E11.99``): a small model's main failure,
   so it is never hidden under ``wrong_code`` or ``wrong_specificity``;
2. ``missing_reasoning`` (stage 2+): no non-empty, well-formed ``<think>…</think>`` block;
3. ``wrong_code_type``: an answer in another code system (ICD10 for a CPT question);
4. ``wrong_specificity``: the right family at the wrong level — same category (``E11`` vs
   ``E11.9``, ``E11.9`` vs ``E11.65``) or the same parent in the code database;
5. ``incorrect_reasoning`` (stage 2+): wrong code and reasoning that cites no narrative evidence
   or names other codes than the answer (see :func:`thce.evaluation.metrics.reasoning_quality`);
6. ``wrong_code``: any other wrong code.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from thce.evaluation.metrics import is_valid_label, reasoning_quality, same_category, same_parent
from thce.evaluation.records import Prediction, load_predictions
from thce.io import write_json, write_jsonl

ERROR_CATEGORIES: tuple[str, ...] = (
    "wrong_code",
    "wrong_specificity",
    "wrong_code_type",
    "invalid_format",
    "missing_reasoning",
    "incorrect_reasoning",
)
N_HARDEST = 10
N_REASONING_EXAMPLES = 20
SNIPPET_CHARS = 200


def _has_reasoning(record: Prediction) -> bool:
    return bool(record.reasoning and record.reasoning.strip()) and record.reasoning_well_formed


def categorize(record: Prediction, stage: int | None = None) -> str | None:
    """The error category of one prediction (``None`` when it is not an error)."""
    stage = stage if stage is not None else record.stage
    if not record.well_formed or record.pred_label is None:
        return "invalid_format"
    # A code that is not in the database is no code at all (I1O, E11.99), whatever it looks
    # like. An exact match is never filed here, even when a user's gold code is unknown to us.
    if not record.correct and not is_valid_label(record.pred_label):
        return "invalid_format"
    if stage >= 2 and not _has_reasoning(record):
        return "missing_reasoning"
    if record.correct:
        return None
    if record.pred_type != record.gold_type:
        return "wrong_code_type"
    if same_category(record.pred_label, record.gold_label) or same_parent(
        record.pred_label, record.gold_label
    ):
        return "wrong_specificity"
    if stage >= 2:
        quality = reasoning_quality(
            record.reasoning, record.reasoning_well_formed, record.narrative, record.pred_code
        )
        if quality["consistent"] < 1.0 or quality["evidence"] == 0.0:
            return "incorrect_reasoning"
    return "wrong_code"


def gold_rank(record: Prediction) -> int | None:
    """1-based position of the gold label among the candidates (``None``: not among them)."""
    return (
        record.candidates.index(record.gold_label) + 1
        if record.gold_label in record.candidates
        else None
    )


def _snippet(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"


def analyze_predictions(
    records: Sequence[Prediction], stage: int | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Categorise every error; return ``(analysis, errors)``.

    ``analysis`` holds ``categories`` (a count for each of :data:`ERROR_CATEGORIES`, zeros
    included), per-code-type counts, the most frequent confusions, the hardest examples (gold
    code not among the candidates first, then the most confident) and the reasoning failures
    (stage 2+). ``errors`` is one dict per error: the prediction plus ``category``,
    ``invalid_code`` and ``gold_rank``.
    """
    stage = stage if stage is not None else max((r.stage for r in records), default=1)
    errors: list[dict[str, Any]] = []
    categories: Counter[str] = Counter()
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    confusions: Counter[tuple[str, str]] = Counter()
    reasoning_failures: list[dict[str, Any]] = []
    for record in records:
        category = categorize(record, stage)
        if stage >= 2:
            quality = reasoning_quality(
                record.reasoning, record.reasoning_well_formed, record.narrative, record.pred_code
            )
            if quality["score"] < 1.0:
                reasoning_failures.append(
                    {
                        "id": record.id,
                        "gold": record.gold_label,
                        "pred": record.pred_label,
                        "quality": quality,
                        "reasoning": _snippet(record.reasoning),
                    }
                )
        if category is None:
            continue
        categories[category] += 1
        by_type[record.gold_type][category] += 1
        pred_label = record.pred_label
        if pred_label is not None and pred_label != record.gold_label:
            confusions[(record.gold_label, pred_label)] += 1
        errors.append(
            {
                **record.to_dict(),
                "category": category,
                "invalid_code": pred_label is not None and not is_valid_label(pred_label),
                "gold_rank": gold_rank(record),
            }
        )
    hardest = sorted(
        errors,
        key=lambda e: (e["gold_rank"] is not None, -(e["confidence"] or 0.0), e["id"]),
    )[:N_HARDEST]
    n = len(records)
    analysis: dict[str, Any] = {
        "n": n,
        "stage": stage,
        "n_errors": len(errors),
        "error_rate": len(errors) / n if n else 0.0,
        "categories": {c: categories.get(c, 0) for c in ERROR_CATEGORIES},
        "category_rates": {c: (categories.get(c, 0) / n if n else 0.0) for c in ERROR_CATEGORIES},
        "by_code_type": {
            t: {c: counts.get(c, 0) for c in ERROR_CATEGORIES}
            for t, counts in sorted(by_type.items())
        },
        "invalid_codes": sum(1 for e in errors if e["invalid_code"]),
        "top_confusions": [
            {"gold": gold, "pred": pred, "count": count}
            for (gold, pred), count in confusions.most_common(10)
        ],
        "hardest_examples": [
            {
                "id": e["id"],
                "gold": f"{e['gold_type']}:{e['gold_code']}",
                "pred": f"{e['pred_type']}:{e['pred_code']}" if e["pred_code"] else None,
                "category": e["category"],
                "confidence": e["confidence"],
                "gold_rank": e["gold_rank"],
                "narrative": _snippet(e.get("narrative")),
                "raw_output": _snippet(e["raw_output"]),
            }
            for e in hardest
        ],
        "reasoning_failures": {
            "count": len(reasoning_failures),
            "examples": reasoning_failures[:N_REASONING_EXAMPLES],
        },
    }
    return analysis, errors


def write_analysis(
    records: Sequence[Prediction], output_dir: str | Path, stage: int | None = None
) -> dict[str, Any]:
    """Analyse ``records`` and write ``analysis.json`` and ``errors.jsonl`` to ``output_dir``."""
    output_dir = Path(output_dir)
    analysis, errors = analyze_predictions(records, stage)
    write_jsonl(output_dir / "errors.jsonl", errors)
    write_json(output_dir / "analysis.json", analysis)
    return analysis


def analyze_file(
    predictions_file: str | Path, output_dir: str | Path, stage: int | None = None
) -> dict[str, Any]:
    """``thce analyze``: read ``predictions.jsonl`` and write the analysis files."""
    return write_analysis(load_predictions(predictions_file), output_dir, stage)


__all__ = [
    "ERROR_CATEGORIES",
    "analyze_file",
    "analyze_predictions",
    "categorize",
    "gold_rank",
    "write_analysis",
]
