"""`thce data ...`: check, preprocess and build training datasets (full version in progress)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="Check, clean and build training datasets.")


@app.command("check")
def check_command(file: str) -> None:
    """Check a data file (being written)."""
    raise typer.Exit(2)
