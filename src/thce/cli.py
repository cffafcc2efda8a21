"""The `thce` command line.

    thce --help
    thce codes validate E11.9 99213 J1100

One typer app with a sub-app or command per area. Area modules (``thce.<area>.cli``) import
only typer/rich at module level; heavy libraries (torch, transformers, trl) are imported
inside the commands that need them, so ``thce --help`` and ``thce codes ...`` stay fast.

User mistakes raise :class:`thce.errors.THCEError`; :class:`THCEGroup` turns them into one
clear message on stderr and exit code 2 (``--verbose`` adds the traceback), and does the same
for a missing optional extra and for a file the system refuses to read or write. ``-v`` and
``-q`` work before or after the subcommand. :func:`main` first reads ``.env`` (see
:mod:`thce.env`).
"""

from __future__ import annotations

import traceback
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from thce import __version__
from thce._logging_hook import request_setup, resolve_level
from thce.codes.cli import app as codes_app
from thce.data.cli import app as data_app
from thce.doctor import doctor_command
from thce.errors import OutputError, THCEError
from thce.evaluation.cli import analyze_command, eval_command
from thce.extras import missing_module_message
from thce.generation.cli import generate_command
from thce.pipeline_cli import pipeline_command
from thce.training.cli import config_app, train_command

err_console = Console(stderr=True)
_state = {"verbose": False}


def _flag_type(self: typer.core.TyperOption, ctx: typer.Context) -> str | None:
    """Help shows no ``<bool>`` after on/off flags (typer >= 0.24 does): they take no value."""
    if self.is_flag and not self.count:
        return None
    return _display_type_rich(self, ctx)


_display_type_rich = typer.core.TyperOption.display_type_rich
typer.core.TyperOption.display_type_rich = _flag_type  # type: ignore[method-assign]


_GLOBAL_FLAGS = frozenset({"-v", "--verbose", "-q", "--quiet"})
_GLOBAL_WITH_VALUE = frozenset({"--log-file"})


def hoist_global_flags(args: list[str]) -> list[str]:
    """Move ``-v``/``-q`` given after the subcommand to the front, where the group parses them.

    >>> hoist_global_flags(["data", "check", "x.jsonl", "-v"])
    ['-v', 'data', 'check', 'x.jsonl']
    """
    index = 0
    while index < len(args) and args[index].startswith("-"):  # options before the command
        index += 2 if args[index] in _GLOBAL_WITH_VALUE else 1
    if index >= len(args):
        return list(args)
    head, tail = list(args[:index]), list(args[index:])
    end = tail.index("--") if "--" in tail else len(tail)
    moved = [arg for arg in tail[:end] if arg in _GLOBAL_FLAGS]
    kept = [arg for arg in tail[:end] if arg not in _GLOBAL_FLAGS]
    return moved + head + kept + tail[end:]


def _report(message: str, exit_code: int) -> typer.Exit:
    if _state["verbose"]:
        err_console.print(traceback.format_exc(), highlight=False, markup=False)
    # A Text, not markup: messages hold brackets such as "thce[train]".
    err_console.print(
        Text.assemble(("Error:", "bold red"), " ", message), highlight=False, soft_wrap=True
    )
    return typer.Exit(exit_code)


class THCEGroup(typer.core.TyperGroup):
    """Top-level group that reports user and environment errors in one line (exit code 2)."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_flags(args))

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except THCEError as exc:
            raise _report(str(exc), exc.exit_code) from None
        except ModuleNotFoundError as exc:
            message = missing_module_message(exc)
            if message is None:
                raise
            raise _report(message, 2) from None
        except OSError as exc:  # the system refused a file: say which, and why
            if exc.filename is None:
                raise
            where = f"{exc.filename}" + (f" -> {exc.filename2}" if exc.filename2 else "")
            raise _report(f"{where}: {exc.strerror or exc}", 2) from None


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
    try:
        request_setup(resolve_level(verbose=verbose, quiet=quiet), log_file=log_file)
    except OSError as exc:
        where = log_file or "THCE_LOG_FILE"
        raise OutputError(
            f"--log-file {where} cannot be written ({exc.strerror or exc}); choose a writable path"
        ) from None


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
    """Console-script entry point: read ``.env`` (variables already set win), then run."""
    from thce.env import load_env_file

    load_env_file()
    app()


if __name__ == "__main__":
    main()
