"""``thce codes validate``: check codes given as arguments, or every row of a file.

    thce codes validate E11.9 99213 J1100          # exit 0 when all are valid, 1 otherwise
    thce codes validate --file claims.csv --column dx --output results.csv

The command is registered on the ``thce codes`` app in :mod:`thce.codes.cli`; the file
validation itself (:mod:`thce.codes.validate_file`) loads inside the command.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from thce.codes.cli_common import (
    CodeType,
    JsonOption,
    TypeOption,
    console,
    print_json,
    result_line,
    type_value,
)
from thce.codes.validator import CodeValidator
from thce.errors import CodeError
from thce.outputs import check_output_file

if TYPE_CHECKING:  # imported inside the command: arguments-only runs stay lean
    from thce.codes.validate_file import FileSummary

FileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        "-f",
        help="Validate every row of a CSV, JSONL or text file (one code per line), streamed.",
    ),
]
ColumnOption = Annotated[
    str | None,
    typer.Option(
        "--column",
        "-c",
        help="With --file: the CSV column or JSON field holding the codes (default: the only "
        "column, or one named code/dx/cpt/...; JSONL: code).",
    ),
]
TypeColumnOption = Annotated[
    str | None,
    typer.Option(
        "--type-column",
        help="With --file: the column or field holding each row's code system "
        "(ICD10/CPT/HCPCS; empty cells are detected).",
    ),
]
BillableOnlyOption = Annotated[
    bool,
    typer.Option(
        "--billable-only",
        help="Count ICD-10-CM headers (E11) as invalid: only billable codes pass.",
    ),
]
ResultsOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="With --file: write one result row per input row (.csv, .tsv or .jsonl; - for "
        "stdout), atomically.",
    ),
]


def validate_command(
    codes: Annotated[
        list[str] | None,
        typer.Argument(help="One or more codes, e.g. E11.9 99213 J1100 (or use --file)."),
    ] = None,
    code_type: TypeOption = None,
    file: FileOption = None,
    column: ColumnOption = None,
    type_column: TypeColumnOption = None,
    billable_only: BillableOnlyOption = False,
    output: ResultsOption = None,
    as_json: JsonOption = False,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty", help="With --file: accept a file without rows (else exit 2)."
        ),
    ] = False,
) -> None:
    """Check codes, or every row of a file; exit 0 when all are valid, 1 when any is not.

    A string that is valid in two systems (J1100: ICD-10-CM J11.00 and HCPCS J1100) is
    reported in both. ICD-10-CM headers (E11) are valid but not billable and are flagged
    (invalid with --billable-only).
    """
    if file is not None:
        if codes:
            raise CodeError("Give codes as arguments or --file PATH, not both.")
        _validate_file(
            file, column, type_column, code_type, billable_only, output, as_json, allow_empty
        )
        return
    if not codes:
        raise CodeError("Give one or more codes (e.g. thce codes validate E11.9) or --file PATH.")
    for option, value in (
        ("--column", column),
        ("--type-column", type_column),
        ("--output", output),
    ):
        if value is not None:
            raise CodeError(f"{option} works with --file only; add --file PATH or leave it out.")
    validator = CodeValidator()
    results = validator.validate_batch(codes, type_value(code_type))
    if as_json:
        print_json([r.to_dict() for r in results])
    else:
        for result in results:
            for entry in result.flatten():
                console.print(result_line(entry, billable_only))
            if not result.is_valid and result.suggestions:
                console.print(f"      suggestions: {', '.join(result.suggestions)}")
    if not all(r.is_valid and not (billable_only and r.billable is False) for r in results):
        raise typer.Exit(1)


def _validate_file(
    file: Path,
    column: str | None,
    type_column: str | None,
    code_type: CodeType | None,
    billable_only: bool,
    output: Path | None,
    as_json: bool,
    allow_empty: bool = False,
) -> None:
    from thce.codes.validate_file import validate_file

    if output is not None and str(output) != "-":
        check_output_file(output, option="--output", inputs=[file])
    # Results on stdout (--output -): keep the summary off it.
    out = Console(stderr=True, highlight=False) if str(output) == "-" else console
    with _progress(file, out) as progress:
        summary = validate_file(
            file,
            column=column,
            type_column=type_column,
            code_type=type_value(code_type),
            billable_only=billable_only,
            output=output,
            progress=progress,
            allow_empty=allow_empty,
        )
    if as_json:
        text = json.dumps(summary.to_dict(), indent=2, ensure_ascii=False)
        out.print(text, markup=False, soft_wrap=True)
    else:
        _print_summary(summary, out)
    if summary.invalid:
        raise typer.Exit(1)


@contextlib.contextmanager
def _progress(file: Path, out: Console):
    """A progress callback with a bar on stderr for large files on a terminal, else None."""
    err = Console(stderr=True)
    try:
        size = file.stat().st_size
    except OSError:
        size = 0
    if size < 20_000_000 or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(f"validating {file.name}", total=size)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _say(out: Console, text: str) -> None:
    # soft_wrap: a long line stays one line when piped (grep-able), wraps on a terminal.
    out.print(text, soft_wrap=True)


def _print_summary(summary: FileSummary, out: Console) -> None:
    how = summary.format.upper() if summary.format != "text" else "text, one code per line"
    if summary.column:
        how += f", column {summary.column!r}"
    if summary.delimiter and summary.delimiter != ",":
        how += f", delimiter {summary.delimiter!r}"
    how += f", {summary.encoding}"
    _say(
        out,
        f"{escape(summary.path)}: {summary.rows:,} rows ({escape(how)}) in {summary.seconds:.1f} s",
    )
    colour = "red" if summary.invalid else "green"
    parts = [f"valid {summary.valid:,}", f"[{colour}]invalid {summary.invalid:,}[/{colour}]"]
    parts.append(f"non-billable {summary.non_billable:,}")
    if summary.ambiguous:
        parts.append(f"valid in two systems {summary.ambiguous:,}")
    _say(out, "  " + " · ".join(parts))
    for system, counts in summary.by_system.items():
        _say(
            out,
            f"  {system:<7} {counts['rows']:>12,} rows  "
            f"({counts['valid']:,} valid, {counts['invalid']:,} invalid)",
        )
    if summary.fallback_lines:
        _say(
            out,
            f"  {summary.fallback_lines:,} line(s) were not UTF-8 and were read as Windows-1252 "
            f"(first: line {summary.first_fallback_line})",
        )
    if summary.output and summary.output != "-":
        _say(out, f"Results: {escape(summary.output)} (one row per input row)")
    if summary.examples:
        _say(
            out,
            "First invalid rows:" if summary.invalid > len(summary.examples) else "Invalid rows:",
        )
        for example in summary.examples:
            _say(
                out,  # the error already names the first suggestion
                f"  row {example['row']} (line {example['line']})  "
                f"{escape(example['input'] or repr(''))}  {escape(example['error'])}",
            )
        if not summary.output:
            _say(out, "Write every row with --output results.csv.")


__all__ = [
    "BillableOnlyOption",
    "ColumnOption",
    "FileOption",
    "ResultsOption",
    "TypeColumnOption",
    "validate_command",
]
