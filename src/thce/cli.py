"""The `thce` command line.

    thce --help
    thce codes validate E11.9 99213 J1100

One typer app with a sub-app or command per area. Area modules (``thce.<area>.cli``) import
only typer/rich at module level; heavy libraries (torch, transformers, trl) are imported
inside the commands that need them, so ``thce --help`` and ``thce codes ...`` stay fast.

User mistakes raise :class:`thce.errors.THCEError`; :class:`THCEGroup` turns them into one
clear message on stderr and exit code 2 (``--verbose`` adds the traceback).
"""

from __future__ import annotations

import traceback
from typing import Annotated

import typer
from rich.console import Console

from thce import __version__
from thce._logging_hook import request_setup, resolve_level
from thce.codes.cli import app as codes_app
from thce.data.cli import app as data_app
from thce.doctor import doctor_command
from thce.errors import THCEError
from thce.evaluation.cli import analyze_command, eval_command
from thce.generation.cli import generate_command
from thce.pipeline_cli import pipeline_command
from thce.training.cli import config_app, train_command

err_console = Console(stderr=True)
_state = {"verbose": False}


class THCEGroup(typer.core.TyperGroup):
    """Top-level group that reports :class:`THCEError` as a one-line message, exit code 2."""

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except THCEError as exc:
            if _state["verbose"]:
                err_console.print(traceback.format_exc(), highlight=False, markup=False)
            err_console.print(f"[bold red]Error:[/bold red] {exc}", highlight=False)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    name="thce",
    cls=THCEGroup,
    help="THCE: build, train and evaluate small medical-coding language models "
    "(ICD-10-CM, CPT, HCPCS).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"thce {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logging and full tracebacks.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only warnings and errors.")] = False,
    log_file: Annotated[
        str | None,
        typer.Option("--log-file", help="Also log (DEBUG) to this file, rotated at 10 MB."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Global options; see each command's --help."""
    _state["verbose"] = verbose
    # Applied when loguru is first imported: commands that never log do not load it.
    request_setup(resolve_level(verbose=verbose, quiet=quiet), log_file=log_file)


app.add_typer(
    codes_app, name="codes", help="Validate, look up and search ICD-10-CM, CPT and HCPCS codes."
)
app.add_typer(data_app, name="data", help="Check, clean and build training datasets.")
app.add_typer(config_app, name="config", help="Validate training configs.")
app.command("train")(train_command)
app.command("eval")(eval_command)
app.command("analyze")(analyze_command)
app.command("generate")(generate_command)
app.command("pipeline")(pipeline_command)
app.command("doctor")(doctor_command)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
