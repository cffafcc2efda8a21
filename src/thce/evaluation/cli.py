"""BOOTSTRAP: replaced by its owner (helper evaluation)."""
import typer


def eval_command() -> None:
    """Evaluate (bootstrap)."""
    raise typer.Exit(3)


def analyze_command() -> None:
    """Analyze (bootstrap)."""
    raise typer.Exit(3)
