"""The bad inputs of issue 16, each through the real CLI: one clear line and the right exit code.

Real-world files (Excel's Windows-1252, UTF-8 with a BOM), output paths of the wrong kind,
empty and fully rejected input, a missing model folder, the torch-free install, ``-v`` after
the subcommand, flag metavars and ``.env``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from thce.cli import app, hoist_global_flags
from thce.resources import REPO_ROOT

runner = CliRunner()
TEST_LINES = (REPO_ROOT / "data" / "examples" / "test.jsonl").read_text("utf-8").splitlines()[:6]
ODD = "Café – naïve "  # Windows-1252 has all three


def one_line(output: str) -> str:
    return " ".join(output.split())


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A working folder holding the same six test examples as UTF-8, UTF-8 with a BOM and
    Windows-1252, a CSV source, an empty file and a plain file."""
    monkeypatch.chdir(tmp_path)
    text = "\n".join(line.replace("yo ", f"yo {ODD}", 1) for line in TEST_LINES) + "\n"
    (tmp_path / "good.jsonl").write_text(text, encoding="utf-8")
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "latin1.jsonl").write_bytes(text.encode("cp1252"))
    csv = "note,icd\n" + "".join(
        f"{ODD}adult {i} with essential hypertension seen for a routine follow-up,I10\n"
        for i in range(3)
    )
    (tmp_path / "notes.csv").write_bytes(csv.encode("cp1252"))
    (tmp_path / "empty.jsonl").write_text("\n \n")
    (tmp_path / "existing_file").write_text("x\n")
    return tmp_path


def data_config(path: Path, source: str, **extra) -> Path:
    config = {
        "name": "t",
        "stage": 1,
        "test_size": 0.0,
        "skip_checks": ["phi"],
        "retrieval": None,
        "datasets": [{"name": "s", "source_path": source, "entries": "all", **extra}],
    }
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.mark.parametrize("name", ["bom.jsonl", "latin1.jsonl"])
def test_real_world_encodings_through_eval_analyze_and_check(work, name):
    result = runner.invoke(
        app, ["eval", "--baseline", "keyword", "--test-data", name, "--output", "e", "--no-plots"]
    )
    assert result.exit_code == 0, result.output
    assert ("is not UTF-8" in result.output) is (name == "latin1.jsonl")
    predictions = [json.loads(line) for line in (work / "e" / "predictions.jsonl").open()]
    assert len(predictions) == 6 and ODD in predictions[0]["narrative"]  # decoded, not mojibake
    assert runner.invoke(app, ["analyze", "e/predictions.jsonl", "-o", "a"]).exit_code == 0
    check = runner.invoke(app, ["data", "check", name, "--stage", "1", "--json", "--skip", "phi"])
    assert json.loads(check.stdout)["checks"]["schema"]["failed"] == 0  # line 1 is not flagged


def test_analyze_of_a_latin1_file_is_one_line_not_a_traceback(work):
    result = runner.invoke(app, ["analyze", "latin1.jsonl", "--output", "a"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "latin1.jsonl:1: missing field 'gold_type'" in one_line(result.output)


@pytest.mark.parametrize("source", ["latin1.jsonl", "notes.csv"])
def test_data_build_reads_latin1_jsonl_and_csv(work, source):
    extra = {"columns": {"note": "narrative", "icd": "code"}} if source.endswith("csv") else {}
    data_config(work / "c.yaml", source, **extra)
    result = runner.invoke(app, ["data", "build", "c.yaml", "--output", "out", "--json"])
    assert result.exit_code == 0, result.output
    expected = 3 if source.endswith("csv") else 6
    assert json.loads(result.stdout)["counts"]["train"] == expected
    first = json.loads((work / "out" / "train.jsonl").open().readline())
    assert ODD in first["messages"][1]["content"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["eval", "--baseline", "keyword", "--test-data", "good.jsonl", "-o", "existing_file"],
            "--output existing_file is a file, but this command writes a folder",
        ),
        (
            ["analyze", "good.jsonl", "--output", "existing_file"],
            "--output existing_file is a file",
        ),
        (
            ["data", "preprocess", "good.jsonl", "--output", "existing_file/clean.jsonl"],
            "existing_file is a file, not a folder",
        ),
        (
            ["data", "check", "good.jsonl", "--stage", "1", "--rejects", "/proc/nope/r.jsonl"],
            "--rejects /proc/nope/r.jsonl: cannot write in /proc",
        ),
        (["config", "validate", "/nonexistent.yaml"], "/nonexistent.yaml does not exist"),
        (["data", "check", "empty.jsonl", "--stage", "1"], "has no records"),
        (["data", "preprocess", "empty.jsonl", "-o", "c.jsonl"], "--allow-empty"),
        (
            ["data", "preprocess", "notes.csv", "-o", "c.jsonl"],
            "CSV files go through `thce data build`",
        ),
        (["codes", "validate", "--file", "empty.jsonl", "-o", "r.csv"], "holds no rows"),
    ],
)
def test_refused_before_any_work_exit_2(work, args, message):
    before = sorted(p.name for p in work.iterdir())
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in one_line(result.output) and "Traceback" not in result.output
    assert sorted(p.name for p in work.iterdir()) == before  # nothing written


def test_empty_input_allowed_by_flag(work):
    result = runner.invoke(app, ["data", "check", "empty.jsonl", "--stage", "1", "--allow-empty"])
    assert result.exit_code == 0 and "0 records" in result.output


def test_all_rejected_input_exits_1(work):
    (work / "csv_named.jsonl").write_text((work / "notes.csv").read_bytes().decode("cp1252"))
    result = runner.invoke(
        app, ["data", "preprocess", "csv_named.jsonl", "-o", "c.jsonl", "--no-phi"]
    )
    assert result.exit_code == 1, result.output
    text = one_line(result.output)
    assert "all 4 record(s) of csv_named.jsonl were rejected" in text
    assert "CSV files go through `thce data build`" in text
    data_config(work / "c.yaml", "csv_named.jsonl")
    built = runner.invoke(app, ["data", "build", "c.yaml", "--output", "out"])
    assert built.exit_code == 1 and "passed the quality checks" in one_line(built.output)
    assert (work / "out" / "rejects.jsonl").is_file()


def test_data_build_of_empty_sources_exits_2_and_writes_nothing(work):
    data_config(work / "c.yaml", "empty.jsonl")
    result = runner.invoke(app, ["data", "build", "c.yaml", "--output", "out"])
    assert result.exit_code == 2 and "hold no records" in one_line(result.output)
    assert not any((work / "out").iterdir())


def test_readme_eval_of_a_missing_stage_folder(work, monkeypatch):
    (work / "outputs").mkdir()
    monkeypatch.setattr("thce.models.hf_cache_snapshot", lambda repo_id: None)
    args = ["eval", "--model-path", "outputs/stage_3", "--test-data", "good.jsonl"]
    result = runner.invoke(app, args)
    text = one_line(result.output)
    assert result.exit_code == 2
    assert "--model-path outputs/stage_3: no such model folder" in text and "thce train" in text
    assert "model:" not in text and "hf download" not in text


def test_verbose_works_after_the_subcommand(work):
    result = runner.invoke(app, ["data", "check", "missing.jsonl", "--stage", "1", "-v"])
    assert result.exit_code == 2 and "Traceback" in result.output
    assert hoist_global_flags(["--log-file", "x", "train", "c", "-q", "--", "-v"]) == [
        "-q", "--log-file", "x", "train", "c", "--", "-v",
    ]  # fmt: skip


def test_flags_show_no_bool_metavar():
    for args in (["--help"], ["data", "check", "--help"], ["train", "--help"]):
        result = runner.invoke(app, args, env={"COLUMNS": "200"})
        assert result.exit_code == 0 and "<bool>" not in result.output


def run_python(code: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {}), "PYTHONPATH": str(REPO_ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=full_env, capture_output=True, text=True
    )


def test_torch_free_install_names_the_extra(work):
    # `pip install -e .` without extras, simulated: the training packages cannot be imported.
    code = textwrap.dedent(
        """
        import json, sys
        for name in ("torch", "transformers", "trl", "peft", "accelerate", "datasets"):
            sys.modules[name] = None
        from typer.testing import CliRunner
        from thce.cli import app
        runs = [
            ["train", "post_training/config/thce_stage_1.yaml"],
            ["config", "validate", "c.yaml"],
            ["pipeline"],
            ["eval", "--model-path", "thce:tiny", "--test-data", "good.jsonl"],
        ]
        out = {" ".join(a[:2]): CliRunner().invoke(app, a) for a in runs}
        print(json.dumps({k: [r.exit_code, r.output, repr(r.exception)] for k, r in out.items()}))
        """
    )
    (work / "c.yaml").write_text("a: 1\n")
    done = run_python(code, work)
    assert done.returncode == 0, done.stderr
    for command, (code_, output, _) in json.loads(done.stdout).items():
        assert code_ == 2, (command, output)
        assert 'pip install "thce[train]"' in one_line(output), (command, output)
        assert "Traceback" not in output and "ModuleNotFoundError" not in output


def test_dotenv_is_read_by_the_thce_command(work):
    (work / "c.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "envrun",
                "stage": 1,
                "test_size": 0.0,
                "skip_checks": ["phi"],
                "retrieval": None,
                "datasets": [{"name": "s", "source_path": "good.jsonl", "entries": "all"}],
            }
        )
    )
    (work / ".env").write_text("THCE_OUTPUT_DIR=from_dotenv\nHF_TOKEN=\n")
    code = "import sys; sys.argv = ['thce', 'data', 'build', 'c.yaml']; from thce.cli import main; main()"
    env = {k: v for k, v in os.environ.items() if k != "THCE_OUTPUT_DIR"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=work,
        env={**env, "PYTHONPATH": str(REPO_ROOT / "src")},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (work / "from_dotenv" / "data" / "envrun" / "train.jsonl").is_file()
