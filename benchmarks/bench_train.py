"""SFT throughput and peak memory: `thce train` vs a plain TRL script with the same settings.

    python benchmarks/bench_train.py                      # real SmolLM2-135M on CPU, packing off and on
    python benchmarks/bench_train.py --model thce:tiny --steps 4    # quick smoke run

Each measurement runs in its own process (clean peak memory). Both sides use TRL's
SFTTrainer on the same model folder, data, chat template, pad/eos tokens, batch size, steps and
max_length, with assistant-only loss; tokens/s is TRL's non-padding token count divided by
the trainer's train_runtime. Both processes get the same malloc settings (DESIGN §4), so
THCE's own `tune_malloc` changes nothing between them. Setup = process wall time minus
train_runtime (imports, validation, data fitting, saving).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGE_1_CONFIG = REPO / "post_training" / "config" / "thce_stage_1.yaml"


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_thce(args: argparse.Namespace, out: Path) -> dict:
    from thce.training.run import train

    overrides = [
        f"model={args.model}",
        f"dataset.path={args.data}",
        f"trainer.max_steps={args.steps}",
        f"trainer.per_device_train_batch_size={args.batch}",
        "trainer.gradient_accumulation_steps=1",
        f"trainer.max_length={args.max_length}",
        f"trainer.packing={str(args.packing).lower()}",
        "trainer.learning_rate=5e-5",
        "trainer.lr_scheduler_type=cosine",
        "trainer.weight_decay=0.01",
        "trainer.max_grad_norm=1.0",
        "trainer.warmup_steps=0",
        "trainer.logging_steps=1",
        "trainer.save_strategy='no'",
        "trainer.activation_checkpointing=false",
        "trainer.seed=42",
    ]
    result = train(STAGE_1_CONFIG, overrides=overrides, output_dir=out)
    summary = result.metrics["trainer_summary"]
    return {
        "train_runtime_s": summary["train_runtime"],
        "tokens": result.metrics["train_tokens"],
        "final_loss": result.metrics["final_train_loss"],
    }


def run_plain(args: argparse.Namespace, out: Path) -> dict:
    from datasets import load_dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from thce.data.chat_templates import get_template
    from thce.models import resolve_model

    model_dir = resolve_model(args.model).path_or_id  # only to find the folder
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    tokenizer.chat_template = get_template("stage_1")
    tokenizer.eos_token = "<|im_end|>"
    tokenizer.pad_token = "<|endoftext|>"
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    dataset = load_dataset("json", data_files=str(args.data), split="train").select_columns(
        ["messages"]
    )
    config = SFTConfig(
        output_dir=str(out),
        max_steps=args.steps,
        per_device_train_batch_size=args.batch,
        gradient_accumulation_steps=1,
        max_length=args.max_length,
        packing=args.packing,
        assistant_only_loss=True,
        learning_rate=5e-5,
        lr_scheduler_type="cosine",
        weight_decay=0.01,
        max_grad_norm=1.0,
        warmup_steps=0,
        logging_steps=1,
        save_strategy="no",
        activation_checkpointing=False,
        bf16=False,
        report_to="none",
        dataloader_pin_memory=False,
        seed=42,
    )
    trainer = SFTTrainer(
        model=model, args=config, train_dataset=dataset, processing_class=tokenizer
    )
    output = trainer.train()
    tokens = [log["num_tokens"] for log in trainer.state.log_history if "num_tokens" in log]
    return {
        "train_runtime_s": output.metrics["train_runtime"],
        "tokens": int(tokens[-1]),
        "final_loss": output.metrics["train_loss"],
    }


def child(args: argparse.Namespace) -> None:
    """Run one measurement in this process and print one JSON line."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        runner = run_thce if args.child == "thce" else run_plain
        result = runner(args, Path(tmp) / "out")
    result["wall_s"] = time.perf_counter() - started
    result["tokens_per_s"] = result["tokens"] / result["train_runtime_s"]
    result["peak_rss_mb"] = _peak_rss_mb()
    print("RESULT " + json.dumps(result))


def measure(args: argparse.Namespace, which: str, packing: bool) -> dict:
    env = {
        **os.environ,
        "MALLOC_MMAP_MAX_": "0",
        "MALLOC_TRIM_THRESHOLD_": "68719476736",
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "THCE_LOG_LEVEL": "WARNING",
        "TQDM_DISABLE": "1",
    }
    command = [
        sys.executable,
        __file__,
        "--child",
        which,
        "--model",
        args.model,
        "--data",
        str(args.data),
        "--steps",
        str(args.steps),
        "--batch",
        str(args.batch),
        "--max-length",
        str(args.max_length),
    ] + (["--packing"] if packing else [])
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"{which} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="thce:smollm2-135m-instruct")
    parser.add_argument(
        "--data", type=Path, default=REPO / "data" / "examples" / "sample_stage_1.jsonl"
    )
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--packing", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["thce", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["nopack", "pack"], help="Run one packing mode only.")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    modes = [("nopack", False), ("pack", True)]
    if args.only:
        modes = [m for m in modes if m[0] == args.only]
    print(
        f"model={args.model} steps={args.steps} batch={args.batch} max_length={args.max_length} "
        f"threads={os.cpu_count()} load={os.getloadavg()[0]:.1f}"
    )
    header = (
        f"{'run':<16}{'tokens/s':>10}{'train s':>10}{'setup s':>10}{'peak RSS MB':>13}{'loss':>8}"
    )
    print(header)
    results = {}
    for label, packing in modes:
        for which in ("plain", "thce"):
            r = measure(args, which, packing)
            results[f"{which}-{label}"] = r
            print(
                f"{which + '-' + label:<16}{r['tokens_per_s']:>10.1f}{r['train_runtime_s']:>10.1f}"
                f"{r['wall_s'] - r['train_runtime_s']:>10.1f}{r['peak_rss_mb']:>13.0f}{r['final_loss']:>8.3f}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
