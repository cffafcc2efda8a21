"""`thce data phi-eval FILE`: score the PHI scrubber on an annotated set.

    thce data phi-eval tests/fixtures/phi_heldout.jsonl
    thce data phi-eval tests/fixtures/phi_annotated.jsonl --split blind --json
    thce data phi-eval notes.jsonl --rules-only --show-errors   # synthetic notes only

The file is JSONL, one note per line: ``{"id", "text", "split"?, "phi": [{"start", "end",
"label", "text"?}], "traps": [{"start", "end", "kind", "text"?}]}`` (see
``thce.data.phi.evaluation``). spaCy and the scrubber load inside the command.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from thce.errors import DataError
from thce.inputs import check_input_file

if TYPE_CHECKING:
    from thce.data.phi.evaluation import PHIEvaluation

console = Console(highlight=False)


def phi_eval_command(
    file: Annotated[Path, typer.Argument(help="Annotated PHI set (JSONL: text, phi, traps).")],
    split: Annotated[
        str | None, typer.Option("--split", help="Only the notes whose 'split' is this.")
    ] = None,
    rules_only: Annotated[
        bool, typer.Option("--rules-only", help="Rule-based recognizers only (no spaCy NER).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    show_errors: Annotated[
        bool,
        typer.Option(
            "--show-errors",
            help="Also print missed PHI, damaged traps and false removals (prints note text: "
            "synthetic sets only).",
        ),
    ] = False,
) -> None:
    """Token recall and precision per identifier kind, and damage per medical-trap kind.

    Recall counts a PHI token (a run of letters/digits) as found only when it is removed
    entirely; precision per kind is the share of tokens removed under that tag that are
    annotated PHI of any kind; a trap is damaged when it loses even one character.
    `--json` prints {"file", "notes", "token_recall", "token_precision", "trap_damage",
    "labels": {LABEL: {"spans", "tokens", "recall", "removed_tokens", "precision"}},
    "trap_kinds": {KIND: {"spans", "damaged", "damage"}}, ...}.
    """
    from thce.data.phi import PHIScrubber, evaluate, load_annotated

    check_input_file(file, what="annotated PHI file", error=DataError)
    notes = load_annotated(file, split=split)
    if not notes:
        raise DataError(f"{file}: no notes" + (f" with split {split!r}" if split else ""))
    result = evaluate(PHIScrubber(use_ner=not rules_only), notes)
    if as_json:
        payload = {"file": str(file), "split": split, **result.to_dict()}
        if show_errors:
            payload["missed"] = result.missed
            payload["damaged"] = result.damaged
            payload["false_removals"] = result.false_removals
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    _print_tables(file, result)
    if show_errors:
        for title, rows in (
            ("missed", result.missed),
            ("damaged", result.damaged),
            ("false removal", result.false_removals),
        ):
            for note_id, label, text in rows:
                console.print(f"  {title:<13} {note_id:<14} {label:<12} {text!r}", markup=False)


def _print_tables(file: Path, result: PHIEvaluation) -> None:
    console.print(
        f"[bold]{escape(str(file))}[/bold]: {result.notes} notes, {result.phi_tokens} PHI tokens, "
        f"{result.traps} traps\n"
        f"token recall [bold]{result.token_recall:.4f}[/bold]  "
        f"precision [bold]{result.token_precision:.4f}[/bold]  "
        f"trap damage [bold]{result.trap_damage:.2%}[/bold] "
        f"({result.traps_damaged}/{result.traps})"
    )
    table = Table(show_header=True, header_style="bold", title="PHI by kind")
    for column in ("Kind", "Spans", "Tokens", "Recall", "Removed", "Precision"):
        table.add_column(column, justify="left" if column == "Kind" else "right")
    for label, score in result.by_label.items():
        table.add_row(
            label,
            str(score.spans),
            str(score.tokens),
            f"{score.recall:.3f}" if score.tokens else "-",
            str(score.removed),
            f"{score.precision:.3f}" if score.removed else "-",
        )
    console.print(table)
    traps = Table(show_header=True, header_style="bold", title="Medical traps")
    for column in ("Kind", "Spans", "Damaged", "Damage"):
        traps.add_column(column, justify="left" if column == "Kind" else "right")
    for kind, score in result.by_trap_kind.items():
        style = "red" if score.damaged else "green"
        traps.add_row(
            kind, str(score.spans), f"[{style}]{score.damaged}[/{style}]", f"{score.damage:.1%}"
        )
    console.print(traps)
