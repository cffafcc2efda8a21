"""`thce data ...`: check, clean and build training datasets.

    thce data check data/examples/sample_stage_2.jsonl --stage 2
    thce data check data/examples/test.jsonl --stage 1 --against data/examples/sample_stage_1.jsonl
    thce data preprocess raw.jsonl --output clean.jsonl --rejects clean.rejects.jsonl
    thce data build data/config/thce_stage_1.yaml --output outputs/data/stage_1
    thce data phi-eval tests/fixtures/phi_heldout.jsonl

Only typer/rich and light THCE modules are imported here; the checker, preprocessor and
builder (and through them spaCy, lingua, datasets) load inside the commands.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thce.data.phi_eval_cli import phi_eval_command
from thce.errors import AllRejectedError, DataError
from thce.inputs import check_input_file, first_line
from thce.outputs import check_output_dir, check_output_file

app = typer.Typer(
    no_args_is_help=True,
    help="Check, clean and build training datasets.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console(highlight=False)

_STAGE_IN_NAME = re.compile(r"stage[_\-]?([123])(?!\d)", re.IGNORECASE)


def _resolve_stage(stage: int | None, file: Path) -> int:
    if stage is not None:
        if stage not in (1, 2, 3):
            raise DataError(f"invalid --stage {stage}; use 1, 2 or 3")
        return stage
    match = _STAGE_IN_NAME.search(file.name)
    if match:
        return int(match.group(1))
    raise DataError(f"cannot tell the stage of {file} from its name; pass --stage 1, 2 or 3")


def _print_json(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))


AllowEmptyOption = Annotated[
    bool,
    typer.Option(
        "--allow-empty", help="Accept a file with no records (default: an error, exit 2)."
    ),
]
_CSV_SUFFIXES = (".csv", ".tsv", ".tab")
_CSV_HINT = (
    "CSV files go through `thce data build`: a data config with `source_path: FILE.csv` and "
    "`columns:` mapping yours to narrative and code (docs/DATA_PREPARATION.md)"
)


def _check_data_file(file: Path, allow_empty: bool) -> None:
    """Refuse a missing JSONL file, or an empty one unless ``--allow-empty``."""
    check_input_file(file, what="data file", error=DataError)
    if not allow_empty and first_line(file, error=DataError) is None:
        raise DataError(
            f"{file} has no records (it is empty or holds only blank lines); give a JSONL file "
            "with one example per line, or pass --allow-empty"
        )


@app.command("check")
def check_command(
    file: Annotated[Path, typer.Argument(help="JSONL data file to check.")],
    stage: Annotated[
        int | None,
        typer.Option("--stage", "-s", help="Stage format 1, 2 or 3 (default: from the file name)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help="Write each failing record unchanged, with its reasons, to this JSONL.",
        ),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option("--skip", help="Disable a check by name (repeatable), e.g. --skip phi."),
    ] = None,
    show: Annotated[
        int, typer.Option("--show", help="Offending line numbers shown per check.")
    ] = 10,
    against: Annotated[
        list[Path] | None,
        typer.Option(
            "--against",
            help="Also report narratives of FILE that appear, exactly or nearly, in this "
            "JSONL (repeatable): test/train leakage.",
        ),
    ] = None,
    allow_empty: AllowEmptyOption = False,
) -> None:
    """Run every quality check on every record; exit 1 if any record fails.

    Checks: schema, message_structure, empty_content, code_format, unknown_code,
    reasoning_tags, narrative_length, phi, duplicate. `--json` prints
    {"file", "stage", "total", "passed", "failed", "checks": {NAME: {"failed", "lines"}}}
    (the first 1000 offending lines per check).

    With `--against OTHER.jsonl` (repeatable), narratives of FILE that repeat one of OTHER
    (identical, near-identical or sharing an 8-word run) are listed with both line numbers and
    also make the exit status 1; `--json` then adds "against" and
    "leaks": [{"line", "against", "against_line", "why"}].
    """
    from thce.data.overlap import find_leaks
    from thce.data.quality import DataQualityChecker

    stage_value = _resolve_stage(stage, file)
    _check_data_file(file, allow_empty)
    for other in against or []:
        check_input_file(other, what="--against file", error=DataError)
    if rejects is not None:
        check_output_file(rejects, option="--rejects", inputs=[file])
    checker = DataQualityChecker(skip=skip or None)
    report = checker.check_file(file, stage_value, rejects_path=rejects)
    leaks = find_leaks(file, against) if against else []
    if as_json:
        payload = report.to_dict()
        if against:
            payload["against"] = [str(other) for other in against]
            payload["leaks"] = [leak.to_dict() for leak in leaks]
        _print_json(payload)
    else:
        _print_check_table(report, show)
        if rejects is not None:
            console.print(f"Rejects: {report.failed} record(s) written to {escape(str(rejects))}")
        if against:
            _print_leaks(file, against, leaks, show)
    if not report.ok or leaks:
        raise typer.Exit(1)


def _print_leaks(file: Path, against: list[Path], leaks: list[Any], show: int) -> None:
    others = ", ".join(str(other) for other in against)
    if not leaks:
        console.print(f"Leakage: [green]none[/green] (no narrative of {file} appears in {others})")
        return
    lines = len({leak.line for leak in leaks})
    console.print(f"Leakage: [red]{lines} narrative(s) of {file} appear in {others}[/red]")
    # Plain `FILE:LINE ~ OTHER:LINE` lines (no table): editors and grep jump to them.
    for leak in leaks[:show]:
        typer.echo(f"  {leak.file}:{leak.line} ~ {leak.other}:{leak.other_line}  {leak.why}")
    if len(leaks) > show:
        typer.echo(f"  ... and {len(leaks) - show} more (--show N, or --json for all)")


def _print_check_table(report: Any, show: int) -> None:
    status = "[green]all passed[/green]" if report.ok else f"[red]{report.failed} failed[/red]"
    console.print(
        f"[bold]{escape(report.file)}[/bold] (stage {report.stage}): {report.total} records, "
        f"{report.passed} passed, {status}"
    )
    table = Table(show_header=True, header_style="bold")
    table.add_column("Check")
    table.add_column("Failed", justify="right")
    table.add_column("First lines")
    table.add_column("Example reason", overflow="fold")
    for name, summary in report.checks.items():
        lines = ", ".join(str(n) for n in summary.lines[:show])
        if summary.failed > show:
            lines += ", …"
        example = report.examples.get(name)
        reason = escape(f"line {example[0]}: {example[1]}") if example else ""
        style = "red" if summary.failed else "green"
        table.add_row(name, f"[{style}]{summary.failed}[/{style}]", lines, reason, style=None)
    console.print(table)


@app.command("preprocess")
def preprocess_command(
    input_file: Annotated[Path, typer.Argument(help="Raw or stage-format JSONL file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Clean JSONL to write.")],
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects", help="Removed records with step and reason (default: OUT.rejects.jsonl)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    lowercase: Annotated[
        bool, typer.Option("--lowercase", help="Lower-case text (off: it breaks abbreviations).")
    ] = False,
    no_phi: Annotated[bool, typer.Option("--no-phi", help="Skip PHI scrubbing.")] = False,
    no_language: Annotated[
        bool, typer.Option("--no-language-filter", help="Keep non-English narratives.")
    ] = False,
    min_length: Annotated[
        int, typer.Option("--min-length", help="Minimum narrative characters.")
    ] = 10,
    max_length: Annotated[
        int, typer.Option("--max-length", help="Maximum narrative characters.")
    ] = 2000,
    min_quality: Annotated[
        float, typer.Option("--min-quality", help="Remove records scoring below this (0-1).")
    ] = 0.0,
    allow_empty: AllowEmptyOption = False,
) -> None:
    """Clean records: PHI -> normalise -> standardise codes -> length -> language -> score.

    Input lines are stage 1/2/3 examples or raw records with narrative (or text), code and
    optionally code_type, description, reasoning, id, specialty. Every removed record goes
    to the rejects file with the step and reason; input = written + rejected. Exit 1 when
    every record was rejected.
    """
    from thce.data.preprocess import Preprocessor, default_rejects_path

    if input_file.name.lower().removesuffix(".gz").endswith(_CSV_SUFFIXES):
        raise DataError(f"{input_file}: `thce data preprocess` reads JSONL; {_CSV_HINT}")
    _check_data_file(input_file, allow_empty)
    check_output_file(output, option="--output", inputs=[input_file])
    rejects_path = rejects if rejects is not None else default_rejects_path(output)
    if rejects_path.absolute() == output.absolute():
        raise DataError(f"--rejects {rejects_path} is the --output file; choose another path")
    check_output_file(rejects_path, option="--rejects", inputs=[input_file])
    pre = Preprocessor(
        scrub_phi=not no_phi,
        lowercase=lowercase,
        english_only=not no_language,
        min_length=min_length,
        max_length=max_length,
        min_quality=min_quality,
    )
    summary = pre.process_file(input_file, output, rejects_path)
    if as_json:
        _print_json(summary.to_dict())
    else:
        _print_preprocess_summary(summary)
    if summary.total and not summary.written:
        line = first_line(input_file, error=DataError) or ""
        hint = f"; {_CSV_HINT}" if not line.lstrip().startswith(("{", "[")) else ""
        raise AllRejectedError(
            f"all {summary.total} record(s) of {input_file} were rejected (reasons in "
            f"{summary.rejects}){hint}"
        )


def _print_preprocess_summary(summary: Any) -> None:
    console.print(
        f"[bold]{escape(summary.input)}[/bold]: {summary.total} in, [green]{summary.written} written[/green] "
        f"to {escape(summary.output)}, {summary.rejected} rejected to {escape(summary.rejects)}; "
        f"mean quality {summary.mean_quality}"
    )
    table = Table(show_header=True, header_style="bold")
    table.add_column("Step")
    table.add_column("Changed", justify="right")
    table.add_column("Removed", justify="right")
    for step, counts in summary.steps.items():
        table.add_row(step, str(counts.changed), str(counts.removed))
    console.print(table)


@app.command("build")
def build_command(
    config: Annotated[
        Path, typer.Argument(help="Data config YAML (e.g. data/config/thce_stage_1.yaml).")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output folder (default: outputs/data/<config name>)."),
    ] = None,
    test_size: Annotated[
        float | None, typer.Option("--test-size", help="Test fraction in [0, 1); 0 = all train.")
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Split seed (overrides the config).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print metadata.json to stdout.")] = False,
) -> None:
    """Build train.jsonl, test.jsonl, rejects.jsonl and metadata.json from a data config.

    Exit 1 when every record was rejected (rejects.jsonl says why), 2 when there was none.
    """
    from thce.data.build import build_dataset
    from thce.data.config import load_data_config
    from thce.resources import output_dir

    check_input_file(config, what="data config", error=DataError)
    if output is None:
        output = output_dir() / "data" / load_data_config(config).name
    check_output_dir(output, option="--output")
    metadata = build_dataset(config, output, test_size=test_size, seed=seed)
    if as_json:
        _print_json(metadata)
        return
    counts = metadata["counts"]
    console.print(
        f"[bold]{escape(metadata['name'])}[/bold] -> {escape(str(output))}: {counts['train']} train, {counts['test']} test, "
        f"{counts['rejected']} rejected (stratified: {metadata['stratified']}, seed {metadata['seed']})"
    )
    table = Table(show_header=True, header_style="bold")
    for column in ("Source", "Read", "Kept", "Rejected", "Train", "Test"):
        table.add_column(column, justify="left" if column == "Source" else "right")
    for name, src in metadata["sources"].items():
        table.add_row(name, *(str(src[k]) for k in ("read", "kept", "rejected", "train", "test")))
    console.print(table)
    systems = Table(show_header=True, header_style="bold")
    systems.add_column("Split")
    names = sorted(set(metadata["code_types"]["train"]) | set(metadata["code_types"]["test"]))
    for system in names:
        systems.add_column(system, justify="right")
    for split in ("train", "test"):
        systems.add_row(split, *(str(metadata["code_types"][split].get(s, 0)) for s in names))
    console.print(systems)
    if metadata["rejected_by_check"]:
        reasons = ", ".join(f"{k}: {v}" for k, v in metadata["rejected_by_check"].items())
        console.print(f"Rejected by check: {reasons} (see {escape(str(output / 'rejects.jsonl'))})")


app.command("phi-eval")(phi_eval_command)

__all__ = ["app", "build_command", "check_command", "phi_eval_command", "preprocess_command"]
