"""`thce data check|preprocess|build` through the main CLI app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from thce.cli import app
from thce.data.formats import build_stage_1_example, build_stage_2_example
from thce.data.quality import CHECK_NAMES

runner = CliRunner()
NARRATIVE = "Adult patient seen in clinic with type 2 diabetes mellitus and no complications."
DESC = "Type 2 diabetes mellitus without complications"


def good(i: int = 0) -> dict:
    return build_stage_1_example(f"{NARRATIVE} Visit {i}.", "ICD10", "E11.9", DESC)


def write(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def invoke(*args: str):
    return runner.invoke(app, ["data", *args])


def test_help_lists_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for name in ("check", "preprocess", "build", "phi-eval"):
        assert name in result.output


def test_check_passing_file_table(tmp_path):
    path = write(tmp_path / "sample_stage_1.jsonl", [good(0), good(1)])
    result = invoke("check", str(path), "--skip", "phi")  # stage from the file name
    assert result.exit_code == 0, result.output
    assert "2 records, 2 passed, all passed" in result.output
    for name in CHECK_NAMES:
        assert name in result.output


def test_check_failing_file_json_and_rejects(tmp_path):
    path = write(
        tmp_path / "data.jsonl",
        [good(0), "{bad", good(0), build_stage_2_example(NARRATIVE, "r", "ICD10", "E11.9", DESC)],
    )
    rejects = tmp_path / "rejects.jsonl"
    result = invoke(
        "check", str(path), "--stage", "1", "--json", "--rejects", str(rejects), "--skip", "phi"
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"file", "stage", "total", "passed", "failed", "checks"}
    assert (data["stage"], data["total"], data["passed"], data["failed"]) == (1, 4, 1, 3)
    assert list(data["checks"]) == list(CHECK_NAMES)
    assert data["checks"]["schema"] == {"failed": 1, "lines": [2]}
    assert data["checks"]["duplicate"] == {"failed": 1, "lines": [3]}
    assert data["checks"]["reasoning_tags"]["lines"] == [4]
    assert [json.loads(x)["line"] for x in rejects.read_text().splitlines()] == [2, 3, 4]


def test_check_table_shows_offending_lines(tmp_path):
    path = write(tmp_path / "d.jsonl", [good(0), good(0)])
    result = invoke(
        "check", str(path), "-s", "1", "--skip", "phi", "--rejects", str(tmp_path / "r.jsonl")
    )
    assert result.exit_code == 1
    assert "1 failed" in result.output and "same narrative as line 1" in result.output
    assert "Rejects: 1 record(s)" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "missing.jsonl", "--stage", "1"], "data file missing.jsonl does not exist"),
        (["check", "data.jsonl", "--stage", "5"], "invalid --stage 5"),
        (["check", "data.jsonl"], "cannot tell the stage"),
        (["check", "sample_stage_1.jsonl", "--skip", "nope"], "unknown quality check(s): nope"),
    ],
)
def test_check_bad_input_exits_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "data.jsonl", [good()])
    write(tmp_path / "sample_stage_1.jsonl", [good()])
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_preprocess_json_summary(tmp_path):
    src = write(
        tmp_path / "raw.jsonl",
        [
            {"narrative": NARRATIVE, "code": "e119", "code_type": "icd10"},
            {"narrative": "short", "code": "E11.9"},
        ],
    )
    out = tmp_path / "clean.jsonl"
    result = invoke("preprocess", str(src), "--output", str(out), "--json", "--no-phi")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["total"], data["written"], data["rejected"]) == (2, 1, 1)
    assert data["steps"]["length"]["removed"] == 1
    assert data["rejects"] == str(tmp_path / "clean.rejects.jsonl")
    assert len(out.read_text().splitlines()) == 1


def test_preprocess_table_and_options(tmp_path):
    src = write(
        tmp_path / "raw.jsonl",
        [
            {
                "text": "Paciente de 58 años con diabetes tipo 2 sin complicaciones.",
                "code": "E11.9",
                "code_type": "ICD10",
            }
        ],
    )
    out = tmp_path / "clean.jsonl"
    result = invoke(
        "preprocess",
        str(src),
        "-o",
        str(out),
        "--no-phi",
        "--no-language-filter",
        "--lowercase",
        "--rejects",
        str(tmp_path / "r.jsonl"),
    )
    assert result.exit_code == 0, result.output
    assert "1 in, 1 written" in " ".join(result.output.split())
    assert json.loads(out.read_text())["messages"][1]["content"].startswith("paciente")
    missing = invoke("preprocess", str(tmp_path / "none.jsonl"), "-o", str(out))
    assert missing.exit_code == 2 and "does not exist" in missing.output


def _config(tmp_path: Path) -> Path:
    write(tmp_path / "d.jsonl", [good(i) for i in range(6)])
    path = tmp_path / "c.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "cli_build",
                "skip_checks": ["phi"],
                "datasets": [{"name": "d", "source_path": "d.jsonl"}],
            }
        )
    )
    return path


def test_build_command(tmp_path):
    config = _config(tmp_path)
    out = tmp_path / "out"
    result = invoke("build", str(config), "--output", str(out), "--test-size", "0.5", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "3 train, 3 test, 0 rejected" in " ".join(result.output.split())
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["seed"] == 3 and meta["test_size"] == 0.5
    as_json = invoke("build", str(config), "--output", str(out), "--json")
    assert json.loads(as_json.stdout)["counts"]["train"] == 5


def test_build_default_output_and_errors(tmp_path, monkeypatch):
    config = _config(tmp_path)
    monkeypatch.setenv("THCE_OUTPUT_DIR", str(tmp_path / "runs"))
    result = invoke("build", str(config))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "runs" / "data" / "cli_build" / "train.jsonl").is_file()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndatasets: [{name: s, source_pth: a}]\n")
    result = invoke("build", str(bad), "--output", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "did you mean 'source_path'?" in " ".join(result.output.split())


# --------------------------------------------------------------------------- phi-eval

PHI_NOTE = {
    "id": "n1",
    "text": "Pt: GARCIA, ELENA R  MRN: 4471023. Pump serial PX-4471-QZ. Parkinson disease.",
    "phi": [
        {"start": 4, "end": 19, "label": "NAME", "text": "GARCIA, ELENA R"},
        {"start": 26, "end": 33, "label": "MRN", "text": "4471023"},
        {"start": 47, "end": 57, "label": "DEVICE", "text": "PX-4471-QZ"},
    ],
    "traps": [{"start": 59, "end": 76, "kind": "eponym", "text": "Parkinson disease"}],
}


def test_phi_eval_prints_recall_and_precision_per_kind(tmp_path):
    path = write(tmp_path / "phi.jsonl", [PHI_NOTE])
    result = invoke("phi-eval", str(path), "--rules-only")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "token recall 1.0000 precision 1.0000 trap damage 0.00% (0/1)" in out
    for kind in ("NAME", "MRN", "DEVICE", "eponym"):
        assert kind in out
    data = json.loads(invoke("phi-eval", str(path), "--rules-only", "--json").stdout)
    assert data["token_recall"] == 1.0 and data["trap_damage"] == 0.0
    assert data["labels"]["DEVICE"] == {
        "spans": 1,
        "tokens": 3,
        "recall": 1.0,
        "removed_tokens": 3,
        "precision": 1.0,
    }
    assert data["trap_kinds"]["eponym"] == {"spans": 1, "damaged": 0, "damage": 0.0}
    assert "missed" not in data  # note text only with --show-errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json\n", "phi.jsonl:1: invalid JSON"),
        (
            json.dumps({"id": "x", "text": "ab", "phi": [{"start": 0, "end": 9, "label": "NAME"}]})
            + "\n",
            "phi.jsonl:1: phi[0]: offsets 0-9 are outside the text",
        ),
        (
            json.dumps(
                {"id": "x", "text": "ab", "phi": [{"start": "0", "end": 1, "label": "NAME"}]}
            )
            + "\n",
            "phi[0].start: must be an integer",
        ),
        (
            json.dumps({"id": "x", "text": "ab", "phi": [{"start": 0, "end": 1, "label": "NOPE"}]})
            + "\n",
            "unknown PHI label 'NOPE'",
        ),
        (json.dumps({"id": "x"}) + "\n", "missing field 'text'"),
    ],
)
def test_phi_eval_bad_input_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "phi.jsonl"
    path.write_text(content)
    result = invoke("phi-eval", str(path), "--rules-only")
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_phi_eval_missing_file(tmp_path):
    result = invoke("phi-eval", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "annotated PHI file" in result.output and "does not exist" in result.output
