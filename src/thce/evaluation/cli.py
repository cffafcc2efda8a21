"""``thce eval`` and ``thce analyze``.

    thce eval --model-path outputs/stage_3 --test-data data/examples/test.jsonl \\
        --output outputs/eval --compare-baseline
    thce eval --baseline rule_based --test-data data/examples/test.jsonl --output outputs/rules
    thce analyze outputs/eval/predictions.jsonl --output outputs/eval/analysis

Only typer/rich/stdlib at import time: models, torch and the metrics load inside the commands.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thce.errors import EvaluationError
from thce.extras import MODEL_MODULES, require_extra
from thce.inputs import check_input_file
from thce.outputs import check_output_dir
from thce.resources import output_dir

console = Console()


class Engine(StrEnum):
    """Inference engine."""

    hf = "hf"
    vllm = "vllm"


def _print_summary(report: dict[str, Any], output: Path) -> None:
    from thce.evaluation.report import as_report

    typed = as_report(report)
    metrics = typed.metrics
    cis = typed.confidence_intervals
    table = Table(title=escape(f"{typed.system} on {typed.n} examples"), title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("95% CI", justify="right")

    def ci(interval: Any) -> str:
        return f"{interval.low:.3f}–{interval.high:.3f}" if interval is not None else ""

    if typed.retrieval is not None:
        table.add_row(
            f"recall@{typed.retrieval.k} (candidates' ceiling)",
            f"{typed.retrieval.recall_at_k:.3f}",
            "",
        )
        if typed.retrieval.choice_accuracy is not None:
            table.add_row(
                f"chosen right when the gold is a candidate ({typed.retrieval.answerable})",
                f"{typed.retrieval.choice_accuracy:.3f}",
                "",
            )
    table.add_row("exact match", f"{metrics.exact_match:.3f}", ci(cis.exact_match))
    for k, value in metrics.top_k.items():
        table.add_row(f"top-{k}", f"{value:.3f}", ci(cis.top(k)))
    table.add_row("micro F1", f"{metrics.micro.f1:.3f}", ci(cis.micro_f1))
    table.add_row("macro F1", f"{metrics.macro.f1:.3f}", ci(cis.macro_f1))
    table.add_row("category match", f"{metrics.category_match:.3f}", ci(cis.category_match))
    table.add_row("invalid-code rate", f"{metrics.invalid_code_rate:.3f}", "")
    table.add_row("format-failure rate", f"{metrics.format_failure_rate:.3f}", "")
    if typed.metrics_unconstrained is not None:
        table.add_row(
            "exact match (unconstrained)", f"{typed.metrics_unconstrained.exact_match:.3f}", ""
        )
    significance = typed.significance or {}
    for name, result in (typed.baselines or {}).items():
        sig = significance.get(name)
        table.add_row(
            f"baseline {name}: exact match",
            f"{result.metrics.exact_match:.3f}",
            f"p={sig.exact_match.p_value:.3g}" if sig else "",
        )
    console.print(table)
    console.print(
        f"Report: {escape(str(output / 'report.md'))}  "
        "(predictions.jsonl, report.json, plots, analysis.json)"
    )


def eval_command(
    test_data: Annotated[
        Path,
        typer.Option(
            "--test-data",
            help="Test examples (JSONL, stage 1/2 'messages' or stage 3 'prompt'/'chosen').",
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output folder for predictions, report and plots "
            "(default: $THCE_OUTPUT_DIR/eval/<model folder or baseline name>; "
            "THCE_OUTPUT_DIR defaults to outputs).",
        ),
    ] = None,
    model_path: Annotated[
        str | None,
        typer.Option(
            "--model-path",
            help="Model to evaluate: a saved stage folder, a hub id, or thce:tiny / thce:smollm2-135m-instruct.",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="Evaluate this baseline instead of a model: most_frequent, random, keyword, "
            "rule_based, bm25, retrieval.",
        ),
    ] = None,
    compare_baseline: Annotated[
        bool,
        typer.Option(
            "--compare-baseline",
            help="Also run every baseline and test the differences for significance.",
        ),
    ] = False,
    max_samples: Annotated[
        int | None, typer.Option("--max-samples", help="Use only the first N test examples.", min=1)
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Prompts per generation batch.", min=1)
    ] = 8,
    top_k: Annotated[
        int,
        typer.Option(
            "--top-k", help="Candidates per example (beam search); 1 = greedy only.", min=1
        ),
    ] = 5,
    constrained: Annotated[
        bool,
        typer.Option(
            "--constrained/--no-constrained",
            help="Only allow real codes after 'CODE_TYPE: ' (also runs unconstrained for comparison).",
        ),
    ] = False,
    train_data: Annotated[
        Path | None,
        typer.Option(
            "--train-data",
            help="Examples that fit the baselines (default: shipped sample_stage_1.jsonl).",
        ),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option("--engine", help="hf (transformers, CPU/GPU) or vllm (GPU, optional extra)."),
    ] = Engine.hf,
    stage: Annotated[
        int | None,
        typer.Option(
            "--stage",
            help="Prompt/answer format 1, 2 or 3 (default: from the model folder's resolved_config.yaml).",
            min=1,
            max=3,
        ),
    ] = None,
    max_new_tokens: Annotated[
        int | None,
        typer.Option(
            "--max-new-tokens",
            help="Answer length limit (default 48 stage 1, 192 stage 2+).",
            min=1,
        ),
    ] = None,
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Skip the PNG plots.")] = False,
    fusion_weight: Annotated[
        float | None,
        typer.Option(
            "--fusion-weight",
            help="Weight of the retriever's rank in the choice among candidates (default: the "
            "one saved with the model; 0 = the model alone).",
            min=0.0,
        ),
    ] = None,
    narrative_weight: Annotated[
        float | None,
        typer.Option(
            "--narrative-weight",
            help="Weight of the note's likelihood after each candidate's description (default: "
            "the one saved with the model; 0 = not scored).",
            min=0.0,
        ),
    ] = None,
    answer_weight: Annotated[
        float | None,
        typer.Option(
            "--answer-weight",
            help="Weight of each candidate answer's likelihood after the prompt (default: the "
            "one saved with the model; 0 = not scored).",
            min=0.0,
        ),
    ] = None,
    no_retrieval: Annotated[
        bool,
        typer.Option(
            "--no-retrieval",
            help="Evaluate a model trained with candidates by free generation instead.",
        ),
    ] = False,
) -> None:
    """Evaluate a model (or a baseline) on a test set: metrics with 95% CIs, report, plots."""
    if baseline is None and model_path is None:
        raise EvaluationError("give --model-path PATH (a model to evaluate) or --baseline NAME")
    if baseline is not None and model_path is not None:
        raise EvaluationError("give either --model-path or --baseline, not both")
    if model_path is not None:
        require_extra("thce eval --model-path", MODEL_MODULES)
    check_input_file(test_data, what="--test-data", error=EvaluationError)
    if train_data is not None:
        check_input_file(train_data, what="--train-data", error=EvaluationError)
    if output is None:
        name = baseline or Path(str(model_path)).name.replace(":", "_")
        output = output_dir() / "eval" / name
    check_output_dir(output, option="--output", inputs=[model_path])
    if model_path is not None:
        from thce.models import resolve_model

        resolve_model(model_path, materialize=False, option="--model-path")

    from thce.evaluation.evaluate import evaluate_baseline, evaluate_model

    if baseline is not None:
        if compare_baseline:
            raise EvaluationError(
                "--compare-baseline compares a model with the baselines; drop it when using --baseline"
            )
        report = evaluate_baseline(
            baseline,
            test_data,
            output,
            train_data=train_data,
            max_samples=max_samples,
            top_k=top_k,
            plots=not no_plots,
        )
    else:
        assert model_path is not None
        report = evaluate_model(
            model_path,
            test_data,
            output,
            batch_size=batch_size,
            top_k=top_k,
            constrained=constrained,
            max_samples=max_samples,
            compare_baseline=compare_baseline,
            train_data=train_data,
            stage=stage,
            engine=engine.value,
            max_new_tokens=max_new_tokens,
            plots=not no_plots,
            use_retrieval=not no_retrieval,
            fusion_weight=fusion_weight,
            narrative_weight=narrative_weight,
            answer_weight=answer_weight,
        )
    _print_summary(report, output)


def analyze_command(
    predictions: Annotated[Path, typer.Argument(help="predictions.jsonl written by `thce eval`.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for analysis.json and errors.jsonl.")
    ],
    stage: Annotated[
        int | None,
        typer.Option(
            "--stage",
            help="Stage of the predictions (default: recorded in the file).",
            min=1,
            max=3,
        ),
    ] = None,
) -> None:
    """Categorise every error of an evaluation run (analysis.json, errors.jsonl)."""
    from thce.evaluation.analysis import analyze_file

    check_input_file(predictions, what="predictions file", error=EvaluationError)
    check_output_dir(output, option="--output")

    analysis = analyze_file(predictions, output, stage)
    table = Table(
        title=f"{analysis['n_errors']} errors in {analysis['n']} predictions", title_justify="left"
    )
    table.add_column("category")
    table.add_column("count", justify="right")
    for category, count in analysis["categories"].items():
        table.add_row(category, str(count))
    console.print(table)
    console.print(
        f"Written: {escape(str(output / 'analysis.json'))}, {escape(str(output / 'errors.jsonl'))}"
    )


__all__ = ["analyze_command", "eval_command"]
