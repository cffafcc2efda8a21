"""BOOTSTRAP: replaced by the lead."""
import typer


def pipeline_command() -> None:
    """Pipeline (bootstrap)."""
    raise typer.Exit(3)
