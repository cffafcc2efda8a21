"""`thce pipeline`: the whole path on the shipped defaults, or on a pipeline config.

thce pipeline
thce pipeline --config configs/pipeline.yaml --output-dir outputs/run1 --from-stage stage_2
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thce.errors import PipelineError
from thce.extras import require_extra
from thce.inputs import check_input_file
from thce.outputs import check_output_dir

console = Console()


def pipeline_command(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="Pipeline YAML (default: the shipped configs/pipeline.yaml)."
        ),
    ] = None,
    output_dir: Annotated[
        Path | None, typer.Option("--output-dir", "-o", help="Where every step writes.")
    ] = None,
    from_stage: Annotated[
        str | None,
        typer.Option(
            "--from-stage",
            help="Redo this step and every later one: data, quality_gate, stage_1, stage_2, "
            "stage_3, evaluation, report.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Redo every step, even finished ones.")
    ] = False,
    profile: Annotated[
        str | None,
        typer.Option("--profile", help="Profile from the config: cpu (default), cpu-long or gpu."),
    ] = None,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Extra training override key.path=value for every stage."),
    ] = None,
) -> None:
    """Build data, gate its quality, train stages 1-3, evaluate against baselines, write a report."""
    require_extra("thce pipeline")
    if config is not None:
        check_input_file(config, what="--config", error=PipelineError)
    if output_dir is not None:
        check_output_dir(output_dir, option="--output-dir", inputs=[config])
    # Fewer page faults and steadier steps for torch on CPU (docs/TRAINING.md, "Slow CPU steps"), for every step of
    # this process: mallopt now (environment variables set here would be read too late).
    from thce._malloc import tune_malloc

    tune_malloc()
    from thce.pipeline import Pipeline, load_pipeline_config
    from thce.pipeline_report import summary_table

    cfg, base = load_pipeline_config(config)
    if profile:
        cfg.profile = profile
    pipeline = Pipeline(
        cfg, base, output_dir, force=force, from_step=from_stage, extra_overrides=overrides
    )
    check_output_dir(pipeline.out, option="--output-dir")  # the config's, when not given
    report = pipeline.run()

    for name, block in report.test_sets.items():
        recall = block.recall_at_k
        ceiling = "" if recall is None else f", retrieval recall@K {100 * recall:.1f}%"
        table = Table(title=escape(f"{name}: exact match on {block.n} examples{ceiling}"))
        columns, rows = summary_table(block.results)
        for column in columns:
            if column == "system":
                # Registry names (most_frequent, rule_based) must stay whole on a narrow terminal.
                table.add_column(column, justify="left", no_wrap=True, min_width=13)
            else:
                table.add_column(column, justify="right", no_wrap=column == "95% CI")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        headline = block.final_vs_best_baseline
        if headline is not None and headline.mcnemar is not None:
            console.print(
                f"{headline.final} vs {headline.best_baseline}: "
                f"{100 * headline.difference:+.1f} points, "
                f"McNemar p = {headline.mcnemar.p_value:.4f}"
            )
    console.print(
        f"Report: {escape(str(pipeline.out / 'report.md'))}  "
        f"(JSON: {escape(str(pipeline.out / 'report.json'))})"
    )
