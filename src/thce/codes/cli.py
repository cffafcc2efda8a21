"""``thce codes``: validate, look up and search ICD-10-CM, CPT and HCPCS codes.

    thce codes validate E11.9 99213 J1100          # exit 0 when all are valid, 1 otherwise
    thce codes validate e119 I1O --json            # normalised codes, errors, suggestions
    thce codes validate --file claims.csv --column dx --output results.csv
    thce codes lookup E11
    thce codes search "type 2 diabetes without complications" --type ICD10 --top-k 5
    thce codes stats
    thce codes import-hcpcs HCPC2026_JAN_ANWEB.txt
    thce codes import-cpt my_licensed_cpt.csv

Only typer/rich and the stdlib-only parts of ``thce.codes`` load at import time; numpy
(search) and the importers load inside their commands.
"""

from __future__ import annotations

import contextlib
import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thce.codes.database import CodeDatabase, database_path, get_database
from thce.codes.formats import CODE_TYPES, SYSTEM_NAMES, shorten
from thce.codes.validator import CodeValidator, ValidationResult
from thce.errors import CodeError
from thce.outputs import check_output_file

if TYPE_CHECKING:  # imported inside the command: arguments-only runs stay lean
    from thce.codes.validate_file import FileSummary

app = typer.Typer(
    no_args_is_help=True,
    help="Validate, look up and search ICD-10-CM, CPT and HCPCS codes.",
)
console = Console(highlight=False)


class CodeType(StrEnum):
    """The three code systems (case-insensitive on the command line)."""

    ICD10 = "ICD10"
    CPT = "CPT"
    HCPCS = "HCPCS"


TypeOption = Annotated[
    CodeType | None,
    typer.Option(
        "--type",
        "-t",
        case_sensitive=False,
        help="Code system; detected from the code's format when left out.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _type_value(code_type: CodeType | None) -> str | None:
    return code_type.value if code_type is not None else None


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _result_line(result: ValidationResult, billable_only: bool = False) -> str:
    system = result.code_type or "?"
    code = escape(shorten(result.code) or repr(result.input))
    if not result.is_valid or (billable_only and result.billable is False):
        line = f"[red]✗[/red] {code}  {system:5}  "
        line += escape(result.error_message or "invalid")
        return line
    mark = "[green]✓[/green]" if result.billable else "[yellow]![/yellow]"
    line = f"{mark} {code}  {system:5}  {escape(result.description or '')}"
    if result.error_message:
        line += f"\n      [yellow]{escape(result.error_message)}[/yellow]"
    return line


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


@app.command("validate")
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
    results = validator.validate_batch(codes, _type_value(code_type))
    if as_json:
        _print_json([r.to_dict() for r in results])
    else:
        for result in results:
            for entry in result.flatten():
                console.print(_result_line(entry, billable_only))
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
            code_type=_type_value(code_type),
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


def _lookup_details(db: CodeDatabase, result: ValidationResult) -> dict:
    record = db.get(result.code) or {}
    details: dict = {**result.to_dict(), **{k: v for k, v in record.items() if k != "code"}}
    details.pop("alternatives", None)
    if db.code_type == "ICD10":
        parent = result.parent_code
        details["parent_description"] = db.description(parent) if parent else None
        chapter = db.chapter_of(result.code)
        block = db.block_of(result.code)
        details["chapter"] = {"number": chapter[0], "title": chapter[1]} if chapter else None
        details["block"] = {"range": block[0], "title": block[1]} if block else None
        details["children"] = db.children_of(result.code)
    details["database"] = {
        "version": db.metadata.get("version"),
        "complete": db.is_full,
        "official": db.is_official,
    }
    return details


@app.command("lookup")
def lookup_command(
    code: Annotated[str, typer.Argument(help="The code to describe, e.g. E11 or J1100.")],
    code_type: TypeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show everything THCE knows about a code: description, hierarchy, billability."""
    validator = CodeValidator()
    result = validator.validate(code, _type_value(code_type))
    if not result.is_valid:
        if as_json:
            _print_json([result.to_dict()])
        else:
            console.print(_result_line(result))
            if result.suggestions:
                console.print(f"suggestions: {', '.join(result.suggestions)}")
        raise typer.Exit(1)
    entries = [_lookup_details(validator.database(r.code_type), r) for r in result.flatten()]
    if as_json:
        _print_json(entries)
        return
    for details in entries:
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        system = details["code_type"]
        table.add_row("Code", f"{details['code']} ({SYSTEM_NAMES[system]})")
        table.add_row("Description", escape(details["description"] or ""))
        table.add_row("Billable", "yes" if details["billable"] else "no")
        table.add_row("Category", escape(str(details["category"])))
        if details.get("chapter"):
            chapter = details["chapter"]
            table.add_row("Chapter", escape(f"{chapter['number']}: {chapter['title']}"))
        if details.get("block"):
            table.add_row(
                "Block", escape(f"{details['block']['range']}: {details['block']['title']}")
            )
        if details.get("parent_code"):
            table.add_row(
                "Parent", escape(f"{details['parent_code']}: {details.get('parent_description')}")
            )
        children = details.get("children") or []
        if children:
            shown = ", ".join(children[:10]) + (
                f" ... ({len(children)} in all)" if len(children) > 10 else ""
            )
            table.add_row("Children", shown)
        table.add_row("Common", "yes" if details.get("common") else "no")
        if details.get("termination_date"):
            table.add_row("Terminated", str(details["termination_date"]))
        if not details["database"]["official"]:
            table.add_row("Note", "unofficial THCE description (CPT descriptors are AMA-licensed)")
        if details.get("error_message"):
            table.add_row("Note", f"[yellow]{escape(details['error_message'])}[/yellow]")
        console.print(table)
        console.print()


@app.command("search")
def search_command(
    text: Annotated[str, typer.Argument(help="Words or a whole clinical narrative.")],
    code_type: TypeOption = None,
    top_k: Annotated[
        int, typer.Option("--top-k", "-k", min=1, max=100, help="How many hits.")
    ] = 10,
    billable_only: Annotated[
        bool,
        typer.Option(
            "--billable-only/--all-codes",
            help="Only billable codes (the default); --all-codes also lists ICD-10-CM headers.",
        ),
    ] = True,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show which signals found each hit.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Find the codes a text or narrative is about (the hybrid retriever: BM25, abbreviations,
    inclusion terms, embeddings, hierarchy and specificity cues)."""
    if not text.strip():
        raise CodeError("Empty search query: give words or a narrative, e.g. 'type 2 diabetes'.")
    from thce.codes.retrieval import RetrievalConfig, get_retriever

    config = RetrievalConfig(billable_only=billable_only)
    hits = get_retriever(config).retrieve(text, _type_value(code_type), k=top_k)
    if as_json:
        _print_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        console.print("No matching codes.")
        raise typer.Exit(1)
    columns = ["#", "Code", "Type", "Score", "Description"] + (["Signals"] if explain else [])
    table = Table(*columns)
    for hit in hits:
        description = escape(hit.description) + ("" if hit.billable else " (header)")
        row = [str(hit.rank), hit.code, hit.code_type, f"{hit.score:.3f}", description]
        if explain:
            row.append(escape(_explain(hit.signals)))
        table.add_row(*row)
    console.print(table)


def _explain(signals: dict) -> str:
    """One line per hit: ranks per signal, matched words, specificity cues."""
    parts = [
        f"{name.removesuffix('_rank')} #{value}"
        for name, value in signals.items()
        if name.endswith("_rank")
    ]
    if signals.get("sibling_of"):
        parts.append(f"sibling of {signals['sibling_of']}")
    if signals.get("terms"):
        parts.append("words: " + " ".join(signals["terms"][:8]))
    if signals.get("cues"):
        parts.append("cues: " + " ".join(signals["cues"]))
    return "; ".join(parts) or "—"


def _stats_row(system: str) -> dict:
    db = get_database(system)
    seconds = db.load_seconds or 0.0
    billable = len(db.billable_codes())
    return {
        "code_type": system,
        "source": str(database_path(system)),
        "version": db.metadata.get("version"),
        "last_updated": db.metadata.get("last_updated"),
        "total_codes": len(db),
        "billable_codes": billable,
        "common_codes": len(db.common_codes()),
        "complete": db.is_full,
        "official": db.is_official,
        "load_seconds": round(seconds, 3),
    }


@app.command("stats")
def stats_command(as_json: JsonOption = False) -> None:
    """Show the databases in use: source, version, counts, full or partial."""
    rows = [_stats_row(system) for system in CODE_TYPES]
    if as_json:
        _print_json(rows)
        return
    table = Table("System", "Codes", "Billable", "Common", "Set", "Version", "Load (s)")
    for row in rows:
        kind = "full" if row["complete"] else "partial"
        if not row["official"]:
            kind += ", unofficial text"
        table.add_row(
            row["code_type"],
            str(row["total_codes"]),
            str(row["billable_codes"]),
            str(row["common_codes"]),
            kind,
            escape(str(row["version"])),
            f"{row['load_seconds']:.3f}",
        )
    console.print(table)
    for row in rows:
        console.print(f"{row['code_type']}: {escape(row['source'])}")


FileArgument = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, readable=True, help="The file to import."),
]
OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Where to write (default: $THCE_HOME/code_databases/)."),
]


def _report_import(report, as_json: bool) -> None:
    if as_json:
        _print_json(report.to_dict())
        return
    console.print(f"[green]✓[/green] {escape(report.summary())}")
    for reject in report.rejects[:5]:
        console.print(
            f"  line {reject['line']}: {escape(str(reject['value']))}: {reject['reason']}"
        )


@app.command("import-hcpcs")
def import_hcpcs_command(
    file: FileArgument, output: OutputOption = None, as_json: JsonOption = False
) -> None:
    """Import an official CMS HCPCS quarterly ANWEB file (e.g. HCPC2026_JAN_ANWEB.txt).

    Afterwards validation and search use the full HCPCS set; terminated codes are known but
    do not validate as current.
    """
    from thce.codes.importers import import_hcpcs_anweb

    if output is not None:
        check_output_file(output, option="--output", inputs=[file])
    _report_import(import_hcpcs_anweb(file, output), as_json)


@app.command("import-cpt")
def import_cpt_command(
    file: FileArgument, output: OutputOption = None, as_json: JsonOption = False
) -> None:
    """Import your licensed CPT file (CSV/TSV with code and description columns)."""
    from thce.codes.importers import import_cpt_csv

    if output is not None:
        check_output_file(output, option="--output", inputs=[file])
    _report_import(import_cpt_csv(file, output), as_json)
