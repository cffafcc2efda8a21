"""Benchmark evaluation inference: batched vs one-at-a-time, and the cost of --constrained.

    MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736 \\
        python benchmarks/bench_eval.py --n 16 --threads 2

Runs the real SmolLM2-135M-Instruct (``thce:smollm2-135m-instruct``, CPU by default) on the
first ``--n`` examples of the shipped test set and prints examples/s for each setting:
greedy batch 1, greedy batch ``--batch-size``, the same with the code constraint, and with
top-k candidates (beam search over the code), unconstrained and constrained. Generated
answers are the same with and without batching (checked and printed). Numbers depend on the
machine; run by hand, nothing asserts on them.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    """Parse arguments, run every setting, print a table (and optionally JSON)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="thce:smollm2-135m-instruct")
    parser.add_argument(
        "--test-data", default=None, help="default: the shipped data/examples/test.jsonl"
    )
    parser.add_argument("--n", type=int, default=16, help="examples per setting")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--device", default=None, help="cpu (default) or cuda")
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args()

    import torch

    from thce.evaluation.constrained import code_indexes
    from thce.evaluation.inference import HFEngine
    from thce.evaluation.records import load_test_examples
    from thce.models import load_model_and_tokenizer
    from thce.resources import shipped_path

    if args.threads:
        torch.set_num_threads(args.threads)
    examples = load_test_examples(args.test_data or shipped_path("examples", "test.jsonl"), args.n)
    narratives = [e.narrative for e in examples]
    start = time.perf_counter()
    model, tokenizer = load_model_and_tokenizer(args.model, device=args.device)
    print(
        f"model {args.model} loaded in {time.perf_counter() - start:.1f}s; torch threads {torch.get_num_threads()}"
    )
    start = time.perf_counter()
    indexes = code_indexes()
    print(
        f"code indexes built in {time.perf_counter() - start:.2f}s ({sum(len(i) for i in indexes.values())} codes)"
    )

    settings = [
        ("greedy, batch 1", 1, 1, False),
        (f"greedy, batch {args.batch_size}", args.batch_size, 1, False),
        (f"greedy, batch {args.batch_size}, constrained", args.batch_size, 1, True),
        (f"top-{args.top_k} beams, batch {args.batch_size}", args.batch_size, args.top_k, False),
        (
            f"top-{args.top_k} beams, batch {args.batch_size}, constrained",
            args.batch_size,
            args.top_k,
            True,
        ),
    ]
    results = []
    texts: dict[str, list[str]] = {}
    for name, batch_size, top_k, constrained in settings:
        engine = HFEngine(
            model, tokenizer, 1, top_k, constrained, args.max_new_tokens, indexes=indexes
        )
        start = time.perf_counter()
        outputs = engine.generate(narratives, batch_size, show_progress=False)
        seconds = time.perf_counter() - start
        texts[name] = [o.text for o in outputs]
        results.append(
            {"setting": name, "seconds": seconds, "examples_per_second": len(narratives) / seconds}
        )
        print(
            f"{name:45s} {seconds:7.1f}s  {len(narratives) / seconds:6.2f} examples/s", flush=True
        )
    same = texts[settings[0][0]] == texts[settings[1][0]]
    print(f"batched greedy answers identical to one-at-a-time: {same}")
    base = results[1]["seconds"]
    for row in results[2:]:
        print(f"  {row['setting']}: {row['seconds'] / base:.2f}x the time of {settings[1][0]}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "n": len(narratives),
                    "model": args.model,
                    "results": results,
                    "batched_identical": same,
                },
                handle,
                indent=2,
            )


if __name__ == "__main__":
    main()
