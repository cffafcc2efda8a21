"""BOOTSTRAP: replaced by its owner (helper training)."""
import typer

config_app = typer.Typer(no_args_is_help=True)


def train_command() -> None:
    """Train a stage (bootstrap)."""
    raise typer.Exit(3)
