"""Every ``thce`` command, given bad paths: each input and output path of every command is
replaced, one at a time, by a path that cannot work, and must be refused with one clear line
and exit 2, before any work, writing nothing.

Input paths: missing, under a file (the long profile adds a folder, an empty name, rich
markup, non-ASCII, ``/proc``). Output paths: of the wrong kind (a file where a folder goes,
or the reverse) and one of the command's own inputs (the long profile adds a path under a
file, one on a virtual file system, ``/proc``, and odd but legal names).
Commands without paths (``doctor``, ``codes stats``, ``codes search``) run once each.
"""

from __future__ import annotations

import json
from pathlib import Path

import fuzz_strategies as fs
import pytest
from fuzz_harness import PROFILE, Case, run_case
from typer.main import get_command

from thce.cli import app

LONG = PROFILE == "ci"
GOOD = (fs.STAGE_1_LINE + "\n").encode()
FILES: dict[str, bytes | None] = {
    "good.jsonl": GOOD,
    "preds.jsonl": (fs.PREDICTION_LINE + "\n").encode(),
    "phi.jsonl": (fs.PHI_LINE + "\n").encode(),
    "config.yaml": fs.DATA_CONFIG.replace("SOURCE", "good.jsonl").encode(),
    "train.yaml": fs.TRAIN_CONFIG.encode(),
    "p.yaml": fs.PIPELINE_CONFIG.encode(),
    "codes.csv": fs.CODES_CSV.encode(),
    "cpt.csv": fs.CPT_CSV.encode(),
    "anweb.txt": fs.HCPCS_TEXT,
    "afile": b"not a folder\n",
    "folder": None,
}
STOP = ["--set", "not_a_real_key=1"]  # train stops at its config whatever else is right
PIPE_STOP = ["--from-stage", "nowhere"]

# (command, args with {IN}: an input path under test, or default input)
INPUTS: list[tuple[str, list[str]]] = [
    ("data check", ["data", "check", "{IN}", "--stage", "1"]),
    ("data preprocess", ["data", "preprocess", "{IN}", "--output", "out/c.jsonl", "--no-phi"]),
    ("data build", ["data", "build", "{IN}", "--output", "out"]),
    ("data phi-eval", ["data", "phi-eval", "{IN}", "--rules-only"]),
    ("eval", ["eval", "--baseline", "keyword", "--test-data", "{IN}", "--output", "out"]),
    (
        "eval",
        ["eval", "--baseline", "keyword", "--test-data", "good.jsonl", "--train-data", "{IN}"],
    ),
    ("eval", ["eval", "--model-path", "{IN}", "--test-data", "good.jsonl", "--output", "out"]),
    ("analyze", ["analyze", "{IN}", "--output", "out"]),
    ("config validate", ["config", "validate", "{IN}", "--no-model-check"]),
    ("train", ["train", "{IN}", *STOP]),
    ("pipeline", ["pipeline", "--config", "{IN}", "--output-dir", "out", *PIPE_STOP]),
    ("codes validate", ["codes", "validate", "--file", "{IN}"]),
    ("codes import-cpt", ["codes", "import-cpt", "{IN}", "--output", "out/c.json.gz"]),
    ("codes import-hcpcs", ["codes", "import-hcpcs", "{IN}", "--output", "out/h.json.gz"]),
]
# (command, args with {OUT}, "file" or "dir", the input it must not overwrite)
OUTPUTS: list[tuple[str, list[str], str, str | None]] = [
    (
        "data check",
        ["data", "check", "good.jsonl", "--stage", "1", "--rejects", "{OUT}"],
        "file",
        "good.jsonl",
    ),
    (
        "data preprocess",
        ["data", "preprocess", "good.jsonl", "--output", "{OUT}", "--no-phi"],
        "file",
        "good.jsonl",
    ),
    (
        "data preprocess",
        [
            "data",
            "preprocess",
            "good.jsonl",
            "--output",
            "out/c.jsonl",
            "--rejects",
            "{OUT}",
            "--no-phi",
        ],
        "file",
        "good.jsonl",
    ),
    ("data build", ["data", "build", "config.yaml", "--output", "{OUT}"], "dir", "config.yaml"),
    (
        "eval",
        ["eval", "--baseline", "keyword", "--test-data", "good.jsonl", "--output", "{OUT}"],
        "dir",
        "good.jsonl",
    ),
    ("analyze", ["analyze", "preds.jsonl", "--output", "{OUT}"], "dir", "preds.jsonl"),
    ("train", ["train", "train.yaml", "--output-dir", "{OUT}", *STOP], "dir", "train.yaml"),
    (
        "pipeline",
        ["pipeline", "--config", "p.yaml", "--output-dir", "{OUT}", *PIPE_STOP],
        "dir",
        "p.yaml",
    ),
    (
        "codes validate",
        ["codes", "validate", "--file", "codes.csv", "--output", "{OUT}"],
        "file",
        "codes.csv",
    ),
    (
        "codes import-cpt",
        ["codes", "import-cpt", "cpt.csv", "--output", "{OUT}"],
        "file",
        "cpt.csv",
    ),
    (
        "codes import-hcpcs",
        ["codes", "import-hcpcs", "anweb.txt", "--output", "{OUT}"],
        "file",
        "anweb.txt",
    ),
    (
        "generate",
        ["generate", "--model", "gpt-4o", "--count", "2", "--output", "{OUT}", "--dry-run"],
        "file",
        None,  # the output is appended to: no input to protect
    ),
    (
        "generate",
        ["generate", "--model", "gpt-4o", "--output", "g.jsonl", "--rejects", "{OUT}", "--dry-run"],
        "file",
        "g.jsonl",  # the --output itself
    ),
]
BAD_INPUTS = ["missing.jsonl", "afile/x.jsonl"] + (
    ["folder", "", "[bold]x[/nope].jsonl", "données été.jsonl", "/proc/nope/x.jsonl"]
    if LONG
    else []
)
ODD_OUTPUT_NAMES = ["[red]out[/nope]", "sortie été"] if LONG else []


def _bad_outputs(kind: str, own_input: str | None) -> list[str]:
    wrong_kind = "afile" if kind == "dir" else "folder"
    more = ["afile/out", "/proc/nope/out"] if LONG else []
    return [wrong_kind, *more] + ([own_input] if own_input else [])


def _cases():
    for command, template in INPUTS:
        for bad in BAD_INPUTS:
            args = [bad if a == "{IN}" else a for a in template]
            yield pytest.param(
                Case(command, args, FILES, ["out"]), True, id=f"{command} in={bad!r}"
            )
    for command, template, kind, own in OUTPUTS:
        for bad in _bad_outputs(kind, own):
            args = [bad if a == "{OUT}" else a for a in template]
            yield pytest.param(
                Case(command, args, FILES, ["out"]), True, id=f"{command} out={bad!r}"
            )
        for odd in ODD_OUTPUT_NAMES:  # legal names: may succeed, but only there
            args = [odd if a == "{OUT}" else a for a in template]
            outputs = ["out", odd, f"{odd}.rejects.jsonl", "g.jsonl", "g.rejects.jsonl"]
            yield pytest.param(
                Case(command, args, FILES, outputs), False, id=f"{command} out={odd!r}"
            )


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(("case", "must_refuse"), list(_cases()))
def test_bad_path_is_refused_before_work(case, must_refuse):
    outcome = run_case(case)
    if must_refuse:
        assert outcome.exit_code == 2, outcome.output
        assert "Error" in outcome.output or "Invalid value" in outcome.output, outcome.output


@pytest.mark.parametrize(
    "args",
    [
        ["doctor", "--offline", "--json"],
        ["codes", "stats", "--json"],
        ["codes", "search", "   "],
        *([["codes", "search", "[/bold] \x00 é"]] if LONG else []),
    ],
)
def test_commands_without_files(args):
    outcome = run_case(Case(" ".join(args[:2]) if args[0] == "codes" else args[0], args))
    if args[0] == "doctor":
        json.loads(outcome.output)


def _leaf_commands(command=None, prefix=()):
    command = command or get_command(app)
    for name, sub in getattr(command, "commands", {}).items():
        if hasattr(sub, "commands"):
            yield from _leaf_commands(sub, (*prefix, name))
        else:
            yield " ".join((*prefix, name))


def test_every_command_is_fuzzed():
    """A new command must get fuzz cases here (or in test_fuzz_files.py)."""
    import test_fuzz_files

    covered = {command for command, _ in INPUTS} | {command for command, *_ in OUTPUTS}
    covered |= {"doctor", "codes stats", "codes search", "codes lookup"}
    source = Path(test_fuzz_files.__file__).read_text("utf-8")
    missing = [c for c in _leaf_commands() if c not in covered and f'"{c}"' not in source]
    assert not missing, f"commands without fuzz cases: {missing}"
