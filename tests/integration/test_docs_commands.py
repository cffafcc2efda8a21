"""Every `thce ...` command shown in the docs parses against the real CLI, so docs cannot drift.

Each command line found in a fenced code block of the README and docs is resolved to its
(sub)command and its options are parsed by click exactly as a shell call would. Only a
missing input file (an output of an earlier step, or the user's own file) is tolerated.
A handful of cheap documented commands are also run for real.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer
import typer._click.exceptions as click_exceptions  # typer vendors click
from typer.testing import CliRunner

from thce.cli import app
from thce.resources import REPO_ROOT

DOC_FILES = [
    REPO_ROOT / "README.md",
    REPO_ROOT / "CONTRIBUTING.md",
    REPO_ROOT / "data" / "examples" / "README.md",
    REPO_ROOT / "data" / "code_databases" / "README.md",
    *sorted((REPO_ROOT / "docs").glob("*.md")),
]
_FENCE = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL)


def documented_commands() -> list[tuple[str, str]]:
    """(file, command line) for every line starting with `thce ` in a fenced block."""
    found = []
    for path in DOC_FILES:
        if not path.exists():
            continue
        for block in _FENCE.findall(path.read_text(encoding="utf-8")):
            joined = re.sub(r"\\\n\s*", " ", block)
            for line in joined.splitlines():
                line = line.strip().removeprefix("$ ")
                if line.startswith("thce "):
                    found.append((path.relative_to(REPO_ROOT).as_posix(), line))
    return found


COMMANDS = documented_commands()


def test_docs_show_many_commands():
    assert len(COMMANDS) >= 25
    names = {shlex.split(line, comments=True)[1] for _, line in COMMANDS}
    assert {
        "codes",
        "data",
        "config",
        "train",
        "eval",
        "analyze",
        "generate",
        "pipeline",
        "doctor",
    } <= names


def _parse(args: list[str]) -> None:
    """Resolve sub-commands by name, then let the leaf command parse its options for real."""
    command = typer.main.get_command(app)
    parent = command.make_context("thce", [], resilient_parsing=True)
    while hasattr(command, "get_command") and args:
        while args and args[0].startswith("-"):  # global options such as -v
            args = args[1:]
        sub = command.get_command(parent, args[0])
        assert sub is not None, f"no such command: {args[0]}"
        command, args = sub, args[1:]
        if hasattr(command, "get_command"):
            parent = command.make_context(command.name, [], parent=parent, resilient_parsing=True)
    command.make_context(command.name, list(args), parent=parent)


@pytest.mark.parametrize(
    ("source", "line"), COMMANDS, ids=[f"{s}:{line[:60]}" for s, line in COMMANDS]
)
def test_documented_command_parses(source, line):
    # Synopsis lines mark optional parts as [--flag VALUE]: check the command without them.
    args = shlex.split(re.sub(r"\[[^\]]*\]", "", line), comments=True)[1:]
    try:
        _parse(args)
    except click_exceptions.BadParameter as exc:
        # Inputs that exist only after an earlier step (or are the user's own files) are fine.
        assert "does not exist" in str(exc), f"{source}: {line}: {exc}"
    except click_exceptions.UsageError as exc:
        pytest.fail(f"{source}: `{line}` does not parse: {exc}")


runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["codes", "validate", "E11.9", "99213", "J1100"],
        ["codes", "lookup", "E11"],
        [
            "codes",
            "search",
            "type 2 diabetes with kidney disease",
            "--type",
            "ICD10",
            "--top-k",
            "5",
        ],
        ["codes", "stats"],
        ["data", "check", "data/examples/sample_stage_2.jsonl", "--stage", "2"],
        ["config", "validate", "post_training/config/thce_stage_1.yaml"],
        [
            "generate",
            "--stage",
            "1",
            "--count",
            "100",
            "--model",
            "gpt-4o",
            "--output",
            "data/synthetic/stage_1_batch_1.jsonl",
            "--dry-run",
            "--estimate-cost",
        ],
        ["doctor", "--offline"],
    ],
)
def test_cheap_documented_commands_run(args, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not Path(REPO_ROOT / "data" / "synthetic" / "stage_1_batch_1.jsonl").exists()


# --------------------------------------------------------------------------- files the docs name
_OUTPUT_OPTIONS = {"--output", "-o", "--rejects", "--output-dir", "--log-file"}
_INPUT_SUFFIXES = {".jsonl", ".json", ".csv", ".tsv", ".txt", ".yaml", ".yml", ".gz"}
_VALUE_OPTIONS = {"--set", "-s", "--model", "-m", "--column", "-c", "--type-column", "--split"}


def documented_blocks() -> list[tuple[str, list[str]]]:
    """(file, lines) for every fenced block, continuation lines joined."""
    found = []
    for path in DOC_FILES:
        if path.exists():
            for block in _FENCE.findall(path.read_text(encoding="utf-8")):
                lines = re.sub(r"\\\n\s*", " ", block).splitlines()
                found.append((path.relative_to(REPO_ROOT).as_posix(), lines))
    return found


def _paths(tokens: list[str]) -> tuple[list[str], list[str]]:
    """(input paths, output paths) of one command's tokens."""
    inputs, outputs = [], []
    previous = ""
    for token in tokens:
        if previous in _OUTPUT_OPTIONS:
            outputs.append(token)
        elif token.startswith("-") or previous in _VALUE_OPTIONS:
            pass
        elif "/" in token or Path(token).suffix.lower() in _INPUT_SUFFIXES:
            inputs.append(token)
        previous = token
    return inputs, outputs


def _produced(path: str, outputs: list[str]) -> bool:
    return any(path == out or path.startswith(out.rstrip("/") + "/") for out in outputs)


def test_files_the_docs_name_exist_or_are_the_users_own():
    """An input a documented command reads exists in the repository, is written by an earlier
    documented command (or under outputs/, where runs write), or the line (or a comment above
    it in its block) says it is the user's own ("your ...")."""
    problems = []
    checked = 0
    produced_in: dict[str, list[str]] = {}  # outputs of earlier commands, per doc file
    for source, lines in documented_blocks():
        marked = False
        produced = produced_in.setdefault(source, [])
        for raw in lines:
            line = raw.strip().removeprefix("$ ")
            comment = line.split(" #", 1)[1] if " #" in line else ""
            if line.startswith("#"):
                marked = marked or "your" in line.lower()
                continue
            if not line.startswith("thce "):
                continue
            tokens = shlex.split(re.sub(r"\[[^\]]*\]", "", line), comments=True)
            inputs, outputs = _paths(tokens)
            for path in inputs:
                checked += 1
                ok = (
                    path.isupper()  # a placeholder such as CONFIG
                    or any(REPO_ROOT.glob(path))
                    or path.startswith("outputs/")
                    or _produced(path, produced)
                    or marked
                    or "your" in comment.lower()
                )
                if not ok:
                    problems.append(f"{source}: `{line}`: {path}")
            produced += outputs
    assert checked >= 40
    assert not problems, "files that neither exist nor are marked as the user's own:\n" + "\n".join(
        problems
    )
