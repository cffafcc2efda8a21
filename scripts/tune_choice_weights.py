#!/usr/bin/env python3
"""Tune the weights of the candidate choice on a development set.

    python scripts/tune_choice_weights.py outputs/pipeline/stage_1 outputs/pipeline/stage_2 \
        outputs/pipeline/stage_3 --data data/examples/dev_hard.jsonl

For each model (a trained stage folder with ``retrieval:`` settings) the candidates of every
development narrative are scored once with both of the model's scores (the narrative's
likelihood after each candidate, the answer's likelihood after the prompt:
:mod:`thce.evaluation.choice`); the choice

    narrative_weight * narrative + answer_weight * answer + fusion_weight * log(1 / rank)

is then re-made offline for every combination of the grids. Prints each combination's exact
match per model and the retriever's own top-1 (the baseline), and the combination that
maximises the worst model's margin over the retriever (ties: the better mean, then the
smaller weights): "never worse than retrieval alone" on the development set. Put the values
in the ``retrieval:`` block (configs/pipeline.yaml, the data config, or the defaults of
``thce.codes.retrieval.RetrievalConfig``).

The development set must not be a test set: THCE ships ``data/examples/dev_hard.jsonl`` for
this, written by hand and never trained on.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

NARRATIVE_GRID = (0.0, 5.0, 10.0, 15.0, 20.0, 30.0)
ANSWER_GRID = (0.0, 0.5, 1.0)
FUSION_GRID = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", type=Path, help="trained stage folders")
    parser.add_argument("--data", type=Path, required=True, help="development JSONL (stage 1)")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--show", type=int, default=15, help="print the N best combinations")
    args = parser.parse_args(argv)

    from thce.evaluation.choice import ChoiceEngine, fuse_scores, inference_dtype
    from thce.evaluation.evaluate import (
        candidate_lists,
        retrieval_of_model,
        stage_from_model_dir,
    )
    from thce.evaluation.records import load_test_examples
    from thce.models import load_model_and_tokenizer

    examples = load_test_examples(args.data)
    scores: dict[str, tuple[list[list[float]], list[list[float]]]] = {}
    candidates = None
    for folder in args.models:
        retrieval = retrieval_of_model(folder)
        if retrieval is None:
            print(f"{folder}: trained without candidates; nothing to tune", file=sys.stderr)
            return 2
        candidates = candidate_lists(examples, retrieval)
        model, tokenizer = load_model_and_tokenizer(str(folder))
        engine = ChoiceEngine(inference_dtype(model), tokenizer, stage_from_model_dir(folder) or 1)
        answers: list[list[float]] = []
        notes: list[list[float]] = []
        for start in range(0, len(examples), args.batch_size):
            narratives = [e.narrative for e in examples[start : start + args.batch_size]]
            cands = candidates[start : start + args.batch_size]
            answers += [s for _, s in engine.score_batch(narratives, cands)]
            notes += engine.narrative_scores(narratives, cands)
        scores[folder.name] = (answers, notes)
    assert candidates is not None
    gold = [
        next((i for i, c in enumerate(cands) if c.label == e.gold_label), None)
        for e, cands in zip(examples, candidates, strict=True)
    ]
    n = len(examples)
    retriever = sum(g == 0 for g in gold) / n
    recall = sum(g is not None for g in gold) / n

    def accuracy(answers: list[list[float]], notes: list[list[float]], w: tuple) -> float:
        narrative_w, answer_w, fusion_w = w
        right = 0
        for a, t, g in zip(answers, notes, gold, strict=True):
            if a and g is not None:
                fused = fuse_scores(a, t, answer_w, narrative_w, fusion_w)
                right += max(range(len(fused)), key=fused.__getitem__) == g
        return right / n

    rows = []
    for w in itertools.product(NARRATIVE_GRID, ANSWER_GRID, FUSION_GRID):
        accs = [accuracy(a, t, w) for a, t in scores.values()]
        rows.append((min(accs) - retriever, sum(accs) / len(accs), [-x for x in w], w, accs))
    rows.sort(reverse=True)
    print(f"{args.data}: {n} examples, recall@K {recall:.3f}, retriever top-1 {retriever:.3f}")
    print("narrative answer fusion  " + "  ".join(scores))
    for _, _, _, w, accs in rows[: args.show]:
        print(f"{w[0]:9.1f} {w[1]:6.1f} {w[2]:6.1f}  " + "  ".join(f"{a:7.3f}" for a in accs))
    margin, _, _, w, _ = rows[0]
    print(
        f"best: narrative_weight {w[0]}, answer_weight {w[1]}, fusion_weight {w[2]} "
        f"(worst model {margin * 100:+.1f} points over the retriever)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
