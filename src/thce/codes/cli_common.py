"""What the ``thce codes`` commands share: the console, the ``--type``/``--json`` options and
the one-line view of a validation result.

Imports only typer, rich and the stdlib-only validator, like :mod:`thce.codes.cli`.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from thce.codes.formats import shorten
from thce.codes.validator import ValidationResult

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


def type_value(code_type: CodeType | None) -> str | None:
    return code_type.value if code_type is not None else None


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def result_line(result: ValidationResult, billable_only: bool = False) -> str:
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


__all__ = [
    "CodeType",
    "JsonOption",
    "TypeOption",
    "console",
    "print_json",
    "result_line",
    "type_value",
]
