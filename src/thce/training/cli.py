"""``thce config validate`` and ``thce train``.

    thce config validate post_training/config/thce_stage_1.yaml
    thce train post_training/config/thce_stage_1.yaml --profile cpu
    thce train post_training/config/thce_stage_2.yaml --set model=outputs/stage_1 --no-resume

Only typer/rich/stdlib at module level: torch, transformers and TRL load inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thce.errors import ConfigError
from thce.extras import require_extra
from thce.inputs import check_input_file
from thce.outputs import check_output_dir

config_app = typer.Typer(no_args_is_help=True, help="Validate training configs.")
console = Console()
err_console = Console(stderr=True)

_LEVEL_STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="Override a config value: key.path=value (YAML-typed), e.g. trainer.max_steps=20. Repeatable.",
    ),
]


@config_app.command("validate")
def validate_command(
    configs: Annotated[list[Path], typer.Argument(help="Training config YAML file(s).")],
    set_: SetOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    no_model_check: Annotated[
        bool, typer.Option("--no-model-check", help="Skip model/tokenizer availability checks.")
    ] = False,
) -> None:
    """Check configs: YAML syntax, fields, types, ranges, TRL trainer keys, paths and models.

    Every problem is reported, not just the first. Exit code 0 when all configs are valid, 1
    otherwise. Notes (e.g. a previous stage's output that does not exist yet) do not fail.
    """
    require_extra("thce config validate")
    for path in configs:
        check_input_file(path, what="training config", error=ConfigError)
    from thce.training.validate import validate_config

    reports = [
        validate_config(path, set_ or [], check_model=not no_model_check) for path in configs
    ]
    if as_json:
        payload = [r.to_dict() for r in reports]
        typer.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2, default=str))
    else:
        for report in reports:
            status = "[green]valid[/green]" if report.valid else "[bold red]invalid[/bold red]"
            console.print(f"{escape(str(report.source))}: {status}", highlight=False)
            for problem in report.problems:
                style = _LEVEL_STYLE[problem.level]
                where = f"line {problem.line}: " if problem.line else ""
                console.print(
                    f"  [{style}]{problem.level}[/{style}] "
                    + escape(f"{where}{problem.field or '<config>'}: {problem.message}"),
                    highlight=False,
                    markup=True,
                    soft_wrap=True,
                )
    raise typer.Exit(0 if all(r.valid for r in reports) else 1)


def train_command(
    config: Annotated[
        Path, typer.Argument(help="Training config YAML (post_training/config/...).")
    ],
    set_: SetOption = None,
    output_dir: Annotated[
        Path | None,
        typer.Option("--output-dir", "-o", help="Where to save (overrides trainer.output_dir)."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume/--no-resume", help="Continue from the last checkpoint in the output dir."
        ),
    ] = True,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            help="Apply a profile (named set of overrides, post_training/config/profiles.yaml) "
            "first: cpu (minutes on a CPU), cpu-long, gpu or smoke; the same names as "
            "`thce pipeline --profile`.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Load model, tokenizer and data, build the trainer; do not train."
        ),
    ] = False,
) -> None:
    """Train one stage (SFT stages 1-2, DPO stage 3) from a config.

    Saves the model, its tokenizer (with the chat template), resolved_config.yaml and
    train_metrics.json in the output folder. Multi-GPU: accelerate launch --config_file
    configs/accelerate/multi_gpu.yaml -m thce train CONFIG.
    """
    require_extra("thce train")
    check_input_file(config, what="training config", error=ConfigError)
    if output_dir is not None:
        check_output_dir(output_dir, option="--output-dir", inputs=[config])
    from thce.training.run import train

    result = train(
        config,
        overrides=set_ or [],
        output_dir=output_dir,
        resume=resume,
        profile=profile,
        dry_run=dry_run,
    )
    metrics = result.metrics
    table = Table(
        title=f"Stage {metrics['stage']} ({metrics['stage_type'].upper()})", show_header=False
    )
    rows = [
        ("model", metrics["model"]),
        ("output", str(result.output_dir)),
        ("examples", str(metrics["train_examples"])),
    ]
    truncation = metrics["dataset"]["truncation"]
    rows.append(
        ("dropped / shortened", f"{truncation['dropped']} / {truncation['prompt_truncated']}")
    )
    if result.dry_run:
        rows.append(("dry run", "trainer built, no training"))
    else:
        rows += [
            ("steps", str(metrics["steps"])),
            (
                "final train loss",
                f"{metrics['final_train_loss']:.4f}"
                if metrics["final_train_loss"] is not None
                else "-",
            ),
            ("tokens/s", str(metrics["tokens_per_second"])),
            ("wall time", f"{metrics['wall_time_s']:.1f} s"),
        ]
        if result.resumed_from:
            rows.append(("resumed from", result.resumed_from))
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)


__all__ = ["config_app", "train_command", "validate_command"]
