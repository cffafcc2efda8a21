"""``thce generate``: synthetic training examples from the OpenAI or Anthropic API.

    thce generate --stage 1 --count 100 --model gpt-4o --output data/synthetic/stage_1_batch_1.jsonl
    thce generate --stage 3 --count 20 --model claude-sonnet-4-5 --output data/synthetic/s3.jsonl \\
        --dry-run --estimate-cost
    thce generate --config generate.yaml --count 50     # settings from a file, options win

The settings (one option each) are declared once, in :mod:`thce.generation.settings`.

Only typer/rich/stdlib are imported here; the generator (and the SDKs, inside it) load when the
command runs, so ``thce --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thce.generation.settings import CodePoolChoice, GenerateSettings, ProviderChoice
from thce.outputs import check_output_file
from thce.settings import settings_command

if TYPE_CHECKING:
    from thce.generation.generator import CostEstimate, GenerationConfig, GenerationSummary

console = Console()
err_console = Console(stderr=True)


def _usd(value: float | None, digits: int = 4) -> str:
    return (
        "unknown (no price: pass --price-input/--price-output)"
        if value is None
        else f"${value:,.{digits}f}"
    )


def config_table(config: GenerationConfig, provider: str, seed: int | None) -> Table:
    """The configuration block printed before a run and by ``--dry-run``."""
    from thce.generation.sampling import parse_code_types, parse_specialties

    weights = parse_code_types(config.code_types)
    specialties = parse_specialties(config.specialties)
    table = Table(title="Generation configuration", show_header=False, title_justify="left")
    table.add_column("setting", style="bold")
    table.add_column("value")
    rows = [
        ("stage", str(config.stage)),
        ("count", str(config.count)),
        ("model", config.model),
        ("provider", provider),
        ("base URL", config.base_url or "(provider default)"),
        ("output", str(config.output_path)),
        ("rejects", str(config.rejects_path)),
        (
            "resume",
            {None: "auto (when the output exists)", True: "yes", False: "no"}[config.resume],
        ),
        ("code types", ", ".join(f"{k} {v:.0%}" for k, v in weights.items())),
        ("code pool", config.code_pool),
        ("specialties", ", ".join(specialties) if specialties else "by code (default)"),
        ("seed", "random" if seed is None else str(seed)),
        ("concurrency", str(config.concurrency)),
        ("max tokens / request", str(config.max_tokens)),
        ("timeout / retries", f"{config.timeout:g} s / {config.max_retries}"),
        ("max cost", _usd(config.max_cost, 2) if config.max_cost is not None else "none"),
    ]
    for key, value in rows:
        table.add_row(key, escape(value))  # paths and names are the user's: no markup
    return table


def cost_table(estimate: CostEstimate, taken_on: str) -> Table:
    """The cost block of ``--estimate-cost``."""
    table = Table(title="Cost estimate (no API call made)", show_header=False, title_justify="left")
    table.add_column("item", style="bold")
    table.add_column("value")
    price = estimate.price
    table.add_row("requests to make", str(estimate.requests))
    table.add_row("prompt tokens / example", f"{estimate.prompt_tokens} ({estimate.token_method})")
    table.add_row(
        "output tokens / example",
        f"~{estimate.output_tokens} typical, {estimate.max_output_tokens} at most",
    )
    if price is not None:
        table.add_row(
            "price (USD / 1M tokens)",
            f"input {price.input_per_1m:g}, output {price.output_per_1m:g} — {price.source}",
        )
    else:
        table.add_row(
            "price (USD / 1M tokens)", f"unknown for this model (prices.json of {taken_on})"
        )
    table.add_row("cost / example", _usd(estimate.cost_per_example, 5))
    table.add_row("worst case / example", _usd(estimate.worst_case_per_example, 5))
    table.add_row("total", _usd(estimate.total, 2))
    table.caption = (
        "Rejected replies cost the same as accepted ones; budget for a few percent more."
    )
    return table


def summary_table(summary: GenerationSummary) -> Table:
    """The final summary: accepted, rejected by reason, tokens, cost."""
    table = Table(title="Generation summary", show_header=False, title_justify="left")
    table.add_column("item", style="bold")
    table.add_column("value")
    table.add_row(
        "output", escape(f"{summary.output} ({summary.total} of {summary.target} examples)")
    )
    table.add_row("accepted (this run)", str(summary.accepted))
    table.add_row("resumed from", str(summary.existing))
    table.add_row("rejected (this run)", escape(f"{summary.rejected_total} → {summary.rejects}"))
    for reason, count in summary.rejected.most_common():
        table.add_row(escape(f"  {reason}"), str(count))
    table.add_row("requests / retries", f"{summary.requests} / {summary.retries}")
    table.add_row("tokens in / out", f"{summary.input_tokens:,} / {summary.output_tokens:,}")
    cost = f"${summary.cost:,.4f}" if summary.cost_known else "unknown (no price for this model)"
    table.add_row("cost", cost)
    table.add_row("seed", str(summary.seed))
    table.add_row("stopped", summary.stopped)
    table.add_row("time", f"{summary.elapsed_s:.1f} s")
    return table


class _ProgressBar:
    """A rich progress bar showing accepted / rejected / cost, fed by the generator."""

    def __init__(self, summary_target: int, existing_hint: int, enabled: bool) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rejected {task.fields[rejected]}"),
            TextColumn("${task.fields[cost]:.4f}"),
            TimeElapsedColumn(),
            console=err_console,
            disable=not enabled,
        )
        self.task = self.progress.add_task(
            "generate", total=summary_target, completed=existing_hint, rejected=0, cost=0.0
        )

    def __call__(self, summary: GenerationSummary) -> None:
        self.progress.update(
            self.task, completed=summary.total, rejected=summary.rejected_total, cost=summary.cost
        )


@settings_command(GenerateSettings)
def generate_command(
    settings: GenerateSettings,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="YAML file of settings (keys as the options, e.g. max_cost: 5); options win.",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print the configuration (and a sample prompt); call nothing."
        ),
    ] = False,
    estimate_cost: Annotated[
        bool,
        typer.Option("--estimate-cost", help="Print tokens and cost per example and in total."),
    ] = False,
    json_summary: Annotated[
        bool,
        typer.Option("--json", help="Print the final summary (or the estimate) as JSON on stdout."),
    ] = False,
) -> None:
    """Generate synthetic training examples through the OpenAI or Anthropic API.

    THCE samples a target code, the model writes a narrative for it (plus reasoning for stage 2,
    plus a plausible wrong answer for stage 3), and THCE builds, checks and appends the example.
    Keys come from OPENAI_API_KEY / ANTHROPIC_API_KEY (environment or .env).

        thce generate --stage 1 --count 100 --model gpt-4o --output data/synthetic/stage_1_batch_1.jsonl
        thce generate --config generate.yaml --count 50

    Every option can also be set in a YAML file given with --config, under the option's name
    with underscores (max_cost: 5); an option typed on the command line wins over the file.
    """
    from thce.generation.generator import Generator, price_table_date
    from thce.generation.generator import estimate_cost as estimate
    from thce.generation.providers import infer_provider

    run_config = settings.to_generation_config()
    run_config.validate()
    check_output_file(run_config.output_path, option="--output")
    check_output_file(run_config.rejects_path, option="--rejects")
    provider_name = infer_provider(run_config.model, run_config.provider)
    out = console if not json_summary else err_console

    if dry_run or estimate_cost:
        out.print(config_table(run_config, provider_name, run_config.seed))
    if estimate_cost:
        est = estimate(run_config)
        out.print(cost_table(est, price_table_date()))
        if json_summary and dry_run:
            typer.echo(json.dumps(est.to_dict(), indent=2))
    if dry_run:
        from thce.generation.prompts import build_user_prompt
        from thce.generation.sampling import TargetSampler, parse_code_types, parse_specialties

        if not estimate_cost:
            sampler = TargetSampler(
                parse_code_types(run_config.code_types),
                seed=run_config.seed,
                specialties=parse_specialties(run_config.specialties),
                pool=run_config.code_pool,
            )
            out.print("[bold]Sample prompt[/bold] (one of the requests a run would send):")
            out.print(
                build_user_prompt(sampler.sample(), run_config.stage), markup=False, highlight=False
            )
        out.print("[yellow]Dry run: no request was sent.[/yellow]")
        return

    bar = _ProgressBar(run_config.count, 0, enabled=not json_summary)
    generator = Generator(run_config, progress=bar)
    try:
        with bar.progress:
            summary = generator.run()
    except KeyboardInterrupt:
        err_console.print(summary_table(generator.summary))
        err_console.print(
            f"[yellow]Interrupted. {generator.summary.total} examples are saved in "
            f"{escape(str(run_config.output))}; "
            "run the same command again to resume.[/yellow]"
        )
        raise typer.Exit(130) from None
    except Exception:
        if generator.summary.requests:
            err_console.print(summary_table(generator.summary))
        raise
    if json_summary:
        typer.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        console.print(summary_table(summary))
    if summary.stopped == "max_cost":
        err_console.print(
            f"[yellow]Stopped at the --max-cost ceiling (${run_config.max_cost:g}): {summary.total} of "
            f"{run_config.count} examples. Raise --max-cost and run again to continue.[/yellow]"
        )
    elif summary.stopped == "max_attempts":
        err_console.print(
            f"[red]Stopped after {summary.requests} requests: too many replies were rejected "
            f"(see {escape(summary.rejects)}).[/red]"
        )
        raise typer.Exit(1)
    sys.stdout.flush()


__all__ = ["CodePoolChoice", "ProviderChoice", "generate_command"]
