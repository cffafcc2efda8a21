"""BOOTSTRAP: replaced by the lead."""
import typer


def doctor_command() -> None:
    """Doctor (bootstrap)."""
    raise typer.Exit(3)
