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
(search) and the importers load inside their commands. ``validate`` lives in
:mod:`thce.codes.cli_validate` and the options and helpers every command shares in
:mod:`thce.codes.cli_common`; all are registered here, in the order ``--help`` lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from thce.codes.cli_common import (
    CodeType,
    JsonOption,
    TypeOption,
    console,
    print_json,
    result_line,
    type_value,
)
from thce.codes.cli_validate import (
    BillableOnlyOption,
    ColumnOption,
    FileOption,
    ResultsOption,
    TypeColumnOption,
    validate_command,
)
from thce.codes.database import CodeDatabase, database_path, get_database
from thce.codes.formats import CODE_TYPES, SYSTEM_NAMES
from thce.codes.validator import CodeValidator, ValidationResult
from thce.errors import CodeError
from thce.outputs import check_output_file

app = typer.Typer(
    no_args_is_help=True,
    help="Validate, look up and search ICD-10-CM, CPT and HCPCS codes.",
)
app.command("validate")(validate_command)


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
    result = validator.validate(code, type_value(code_type))
    if not result.is_valid:
        if as_json:
            print_json([result.to_dict()])
        else:
            console.print(result_line(result))
            if result.suggestions:
                console.print(f"suggestions: {', '.join(result.suggestions)}")
        raise typer.Exit(1)
    entries = [_lookup_details(validator.database(r.code_type), r) for r in result.flatten()]
    if as_json:
        print_json(entries)
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
    hits = get_retriever(config).retrieve(text, type_value(code_type), k=top_k)
    if as_json:
        print_json([hit.to_dict() for hit in hits])
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
        print_json(rows)
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
        print_json(report.to_dict())
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


__all__ = [
    "BillableOnlyOption",
    "CodeType",
    "ColumnOption",
    "FileArgument",
    "FileOption",
    "JsonOption",
    "OutputOption",
    "ResultsOption",
    "TypeColumnOption",
    "TypeOption",
    "app",
    "console",
    "import_cpt_command",
    "import_hcpcs_command",
    "lookup_command",
    "search_command",
    "stats_command",
    "validate_command",
]
