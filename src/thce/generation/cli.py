"""BOOTSTRAP: replaced by its owner (helper generation)."""
import typer


def generate_command() -> None:
    """Generate (bootstrap)."""
    raise typer.Exit(3)
