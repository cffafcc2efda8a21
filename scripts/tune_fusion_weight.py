#!/usr/bin/env python3
"""Tune the weight of the retriever's rank in the candidate choice, on a development set.

    python scripts/tune_fusion_weight.py outputs/pipeline/stage_1 outputs/pipeline/stage_2 \
        outputs/pipeline/stage_3 --data data/examples/dev_hard.jsonl

For each model (a trained stage folder with ``retrieval:`` settings) the candidates of every
development narrative are scored once; the choice ``model score + w * log(1 / rank)`` is then
re-made for each weight ``w`` of the grid, offline. Prints, per weight, each model's exact
match and the retriever's own top-1 (the baseline), and the weight that maximises the worst
model's margin over the retriever: "never worse than retrieval alone" on the development
set. Put that value in ``retrieval.fusion_weight`` (configs/pipeline.yaml or the data config).

The development set must not be a test set: THCE ships ``data/examples/dev_hard.jsonl`` for
this, written by hand and never trained on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", type=Path, help="trained stage folders")
    parser.add_argument("--data", type=Path, required=True, help="development JSONL (stage 1)")
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args(argv)

    from thce.evaluation.choice import ChoiceEngine, inference_dtype, rank_prior
    from thce.evaluation.evaluate import (
        candidate_lists,
        retrieval_of_model,
        stage_from_model_dir,
    )
    from thce.evaluation.records import load_test_examples
    from thce.models import load_model_and_tokenizer

    examples = load_test_examples(args.data)
    scores: dict[str, list[list[float]]] = {}
    candidates = None
    for folder in args.models:
        retrieval = retrieval_of_model(folder)
        if retrieval is None:
            print(f"{folder}: trained without candidates; nothing to tune", file=sys.stderr)
            return 2
        candidates = candidate_lists(examples, retrieval)
        model, tokenizer = load_model_and_tokenizer(str(folder))
        engine = ChoiceEngine(inference_dtype(model), tokenizer, stage_from_model_dir(folder) or 1)
        found: list[list[float]] = []
        for start in range(0, len(examples), args.batch_size):
            batch = slice(start, start + args.batch_size)
            found += [
                s
                for _, s in engine.score_batch(
                    [e.narrative for e in examples[batch]], candidates[batch]
                )
            ]
        scores[str(folder)] = found
    assert candidates is not None
    gold = [
        next((i for i, c in enumerate(cands) if c.label == e.gold_label), None)
        for e, cands in zip(examples, candidates, strict=True)
    ]
    n = len(examples)
    retriever = sum(g == 0 for g in gold) / n
    recall = sum(g is not None for g in gold) / n

    def accuracy(model_scores: list[list[float]], weight: float) -> float:
        right = 0
        for s, g in zip(model_scores, gold, strict=True):
            if s and g is not None:
                fused = [x + weight * rank_prior(k + 1) for k, x in enumerate(s)]
                right += max(range(len(fused)), key=fused.__getitem__) == g
        return right / n

    print(f"{args.data}: {n} examples, recall@K {recall:.3f}, retriever top-1 {retriever:.3f}")
    print("weight  " + "  ".join(Path(m).name for m in scores))
    best, best_margin = GRID[0], -1.0
    for weight in GRID:
        accs = [accuracy(s, weight) for s in scores.values()]
        print(f"{weight:6.2f}  " + "  ".join(f"{a:7.3f}" for a in accs))
        margin = min(accs) - retriever
        if margin > best_margin + 1e-9:
            best, best_margin = weight, margin
    print(f"best weight {best} (worst model {best_margin * 100:+.1f} points over the retriever)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
