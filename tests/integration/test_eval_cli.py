"""`thce eval` and `thce analyze` end to end through the CLI (tiny model and baselines)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from thce.cli import app
from thce.data.formats import build_stage_1_example
from thce.resources import shipped_path

# One worker runs this module: its module fixture (a trained chain) is built once.
pytestmark = pytest.mark.xdist_group("eval_cli")

runner = CliRunner()

FIXTURE_EXAMPLES = [
    build_stage_1_example(
        "58 yo with type 2 diabetes, no complications.", "ICD10", "E11.9", id="f1"
    ),
    build_stage_1_example(
        "Established patient office visit, low complexity decision making.", "CPT", "99213", id="f2"
    ),
    build_stage_1_example(
        "Dexamethasone sodium phosphate 10 mg given intramuscularly.", "HCPCS", "J1100", id="f3"
    ),
    build_stage_1_example("Essential hypertension, stable on lisinopril.", "ICD10", "I10", id="f4"),
    build_stage_1_example("Asthma with acute exacerbation, wheezing.", "ICD10", "J45.901", id="f5"),
    build_stage_1_example(
        "Standard manual wheelchair supplied for home use.", "HCPCS", "K0001", id="f6"
    ),
]


@pytest.fixture(scope="module")
def test_file(tmp_path_factory):
    """The shipped held-out test set, or a small fixture where it is missing."""
    shipped = shipped_path("examples", "test.jsonl")
    if shipped.is_file():
        return shipped
    path = tmp_path_factory.mktemp("data") / "test.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in FIXTURE_EXAMPLES), "utf-8")
    return path


@pytest.fixture(scope="module")
def one_thread():
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small full-vocabulary ops are ~100x slower with 2 busy threads
    yield
    torch.set_num_threads(threads)


def _invoke(*args: str):
    return runner.invoke(app, ["-q", *args])


def _text(result) -> str:
    """CLI output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_eval_tiny_model_constrained_with_baselines(tmp_path, test_file, one_thread):
    out = tmp_path / "eval"
    result = _invoke(
        "eval",
        "--model-path",
        "thce:tiny",
        "--test-data",
        str(test_file),
        "--output",
        str(out),
        "--max-samples",
        "4",
        "--top-k",
        "2",
        "--constrained",
        "--compare-baseline",
        "--max-new-tokens",
        "16",
    )
    assert result.exit_code == 0, result.output
    predictions = [
        json.loads(line) for line in (out / "predictions.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(predictions) == 4
    for row in predictions:
        assert {
            "id",
            "gold_type",
            "gold_code",
            "pred_type",
            "pred_code",
            "candidates",
            "raw_output",
            "reasoning",
            "confidence",
        } <= set(row)
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert report["n"] == 4 and report["constrained"] is True and report["stage"] == 1
    metrics = report["metrics"]
    for key in (
        "exact_match",
        "top_k",
        "micro",
        "macro",
        "by_code_type",
        "category_match",
        "invalid_code_rate",
        "format_failure_rate",
        "calibration",
    ):
        assert key in metrics
    assert metrics["invalid_code_rate"] == 0.0  # the constraint at work, even for a random model
    assert set(metrics["micro"]) == {"precision", "recall", "f1"}
    assert "exact_match" in report["confidence_intervals"]
    assert "metrics_unconstrained" in report and "constrained_vs_unconstrained" in report
    assert set(report["baselines"]) == {
        "most_frequent",
        "random",
        "keyword",
        "rule_based",
        "bm25",
        "retrieval",
    }
    assert report["significance"]["keyword"]["exact_match"]["method"].startswith("mcnemar")
    for name in (
        "report.md",
        "predictions_unconstrained.jsonl",
        "analysis.json",
        "errors.jsonl",
        "accuracy_by_code_type.png",
        "comparison.png",
    ):
        assert (out / name).is_file(), name
    assert "baseline keyword" in result.output

    analyzed = _invoke(
        "analyze", str(out / "predictions.jsonl"), "--output", str(tmp_path / "analysis")
    )
    assert analyzed.exit_code == 0, analyzed.output
    analysis = json.loads((tmp_path / "analysis" / "analysis.json").read_text("utf-8"))
    assert sum(analysis["categories"].values()) == analysis["n_errors"]
    assert "wrong_code" in analyzed.output


def test_eval_baseline_on_the_test_set(tmp_path, test_file):
    out = tmp_path / "rules"
    result = _invoke(
        "eval", "--baseline", "rule_based", "--test-data", str(test_file), "--output", str(out)
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text("utf-8"))
    n_examples = sum(1 for line in test_file.read_text("utf-8").splitlines() if line.strip())
    assert report["n"] == n_examples and report["system"] == "baseline:rule_based"
    assert report["metrics"]["format_failure_rate"] == 0.0
    assert report["metrics"]["exact_match"] > 0.1  # far above chance on real narratives
    assert "## By code type" in (out / "report.md").read_text("utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "o"], "--model-path"),
        (["--baseline", "keywrd", "--output", "o"], "valid baselines"),
        (["--baseline", "keyword", "--model-path", "thce:tiny", "--output", "o"], "not both"),
        (["--baseline", "keyword", "--compare-baseline", "--output", "o"], "drop it"),
        (["--model-path", "thce:tiny", "--engine", "vllm", "--output", "o"], "vllm"),
        (
            ["--baseline", "keyword", "--train-data", "missing.jsonl", "--output", "o"],
            "does not exist",
        ),
    ],
)
def test_eval_user_mistakes_exit_2(tmp_path, test_file, args, message):
    if "--engine" in args:
        import importlib.util

        torch = pytest.importorskip("torch")
        if importlib.util.find_spec("vllm") is not None and torch.cuda.is_available():
            pytest.skip("vLLM and a GPU are present")
    args = [str(tmp_path / a) if a in ("o", "missing.jsonl") else a for a in args]
    result = _invoke("eval", "--test-data", str(test_file), *args)
    assert result.exit_code == 2, result.output
    assert message in _text(result)
    assert "Traceback" not in result.output


def test_bad_test_file_reports_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(FIXTURE_EXAMPLES[0]) + "\n{broken\n", "utf-8")
    result = _invoke(
        "eval", "--baseline", "keyword", "--test-data", str(bad), "--output", str(tmp_path / "o")
    )
    assert result.exit_code == 2
    assert "bad.jsonl:2:" in _text(result) and "invalid JSON" in _text(result)


def test_analyze_missing_file_exits_2(tmp_path):
    result = _invoke("analyze", str(tmp_path / "none.jsonl"), "--output", str(tmp_path / "a"))
    assert result.exit_code == 2 and "does not exist" in _text(result)


def test_cli_module_imports_no_heavy_libraries():
    code = "import sys, thce.evaluation.cli; print(sorted(m for m in ('torch', 'transformers', 'numpy', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_eval_output_defaults_to_outputs_eval_name(tmp_path, test_file, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["eval", "--baseline", "keyword", "--test-data", str(test_file), "--max-samples", "5"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "outputs" / "eval" / "keyword" / "report.json").read_text())
    assert report["n"] == 5
