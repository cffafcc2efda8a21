"""Speed of the candidate design on this machine: training s/step and evaluation examples/s.

    python benchmarks/bench_choice.py                  # K = 5 and 10, the real SmolLM2-135M
    python benchmarks/bench_choice.py --ks 5 --steps 4 --examples 32

For each K it builds candidate prompts from the shipped stage-1 examples (retrieval as in the
pipeline), then:

- trains a few steps of stage-1 SFT through ``thce train`` settings (batch 4, bf16 autocast on
  CPU, top 6 layers) and reports the mean seconds per step after the first;
- scores the candidates of held-out narratives with ``ChoiceEngine`` and reports examples per
  second, batch 16, for each of the model's two scores, side by side: the answer likelihood
  (stage 1's ``CODE_TYPE: CODE``; stage 2's reasoned answers) and the narrative likelihood
  (the note after each candidate's description: the shipped default, the same cost at every
  stage).

Run it on a quiet machine: two heavy jobs on 2 cores double both numbers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def build_data(k: int, out: Path) -> Path:
    from thce.codes.retrieval import RetrievalConfig
    from thce.data.candidates import with_candidates
    from thce.io import iter_jsonl, write_jsonl

    records = [r for _, r, _, _ in iter_jsonl(REPO / "data/examples/sample_stage_1.jsonl")]
    examples = with_candidates(records, RetrievalConfig(k=k), 1, training=True)
    path = out / f"train_k{k}.jsonl"
    write_jsonl(path, examples)
    (out / "metadata.json").write_text(json.dumps({"retrieval": RetrievalConfig(k=k).model_dump()}))
    return path


def train_seconds_per_step(data: Path, steps: int, out: Path) -> float:
    command = [
        sys.executable,
        "-m",
        "thce",
        "train",
        str(REPO / "post_training/config/thce_stage_1.yaml"),
        "--profile",
        "cpu",
        "--set",
        f"dataset.path={data}",
        "--set",
        f"trainer.output_dir={out}",
        "--set",
        f"trainer.max_steps={steps}",
        "--set",
        "trainer.logging_steps=1",
    ]
    subprocess.run(command, check=True, capture_output=True)
    metrics = json.loads((out / "train_metrics.json").read_text())
    curve = metrics["loss_curve"]
    return metrics["seconds_per_step"] if len(curve) < 2 else metrics["train_runtime_s"] / steps


def eval_examples_per_second(k: int, n: int, stage: int, scoring: str) -> float:
    from thce.codes.retrieval import RetrievalConfig, get_retriever
    from thce.data.candidates import candidate_lines
    from thce.evaluation.choice import ChoiceEngine, inference_dtype
    from thce.evaluation.records import load_test_examples
    from thce.models import load_model_and_tokenizer

    examples = load_test_examples(REPO / "data/examples/test.jsonl", n)
    retriever = get_retriever(RetrievalConfig(k=k))
    candidates = [candidate_lines(retriever.retrieve(e.narrative, k=k)) for e in examples]
    model, tokenizer = load_model_and_tokenizer("thce:smollm2-135m-instruct")
    weights = {"answer_weight": 1.0, "narrative_weight": 0.0}
    if scoring == "narrative":
        weights = {"answer_weight": 0.0, "narrative_weight": 1.0}
    engine = ChoiceEngine(inference_dtype(model), tokenizer, stage=stage, **weights)
    engine.choose([e.narrative for e in examples[:4]], candidates[:4], batch_size=4)  # warm up
    started = time.perf_counter()
    engine.choose([e.narrative for e in examples], candidates, batch_size=16)
    return len(examples) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", type=int, nargs="+", default=[5, 10])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--examples", type=int, default=48)
    args = parser.parse_args()
    heads = ("answer, stage 1", "answer, stage 2", "narrative")
    print(f"{'K':>3} {'train s/step':>13} " + " ".join(f"{h + ' ex/s':>20}" for h in heads))
    with tempfile.TemporaryDirectory() as tmp:
        for k in args.ks:
            folder = Path(tmp) / f"k{k}"
            folder.mkdir()
            data = build_data(k, folder)
            step = train_seconds_per_step(data, args.steps, folder / "model")
            speeds = [
                eval_examples_per_second(k, args.examples, 1, "answer"),
                eval_examples_per_second(k, args.examples, 2, "answer"),
                eval_examples_per_second(k, args.examples, 2, "narrative"),
            ]
            print(f"{k:>3} {step:>13.2f} " + " ".join(f"{v:>20.2f}" for v in speeds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
