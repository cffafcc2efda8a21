"""The whole pipeline on thce:tiny with small data: every output exists, parses and is complete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thce.cli import app
from thce.resources import REPO_ROOT

CONFIG = REPO_ROOT / "tests" / "fixtures" / "pipeline_tiny.yaml"
STAGES = ("stage_1", "stage_2", "stage_3")
BASELINES = ("most_frequent", "random", "keyword", "rule_based", "retrieval")
runner = CliRunner()


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("pipeline")
    result = runner.invoke(app, ["pipeline", "--config", str(CONFIG), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_report_holds_every_stage_and_baseline(pipeline_run):
    out, output = pipeline_run
    report = json.loads((out / "report.json").read_text())
    assert set(report["results"]) == set(STAGES) | set(BASELINES)
    assert report["n"] == 4
    for name, summary in report["results"].items():
        assert 0.0 <= summary["exact_match"] <= 1.0, name
        low, high = summary["exact_match_ci"]
        assert low <= summary["exact_match"] <= high
    assert "stage_3_vs_retrieval" in report["significance"]
    assert 0.0 <= report["significance"]["stage_3_vs_retrieval"]["p_value"] <= 1.0
    markdown = (out / "report.md").read_text()
    for name in (*STAGES, *BASELINES):
        assert f"| {name} |" in markdown
    assert (out / "exact_match.png").stat().st_size > 1000
    # the terminal summary table names every system
    for name in ("stage_1", "stage_3", "rule_based"):
        assert name in output


def test_every_step_output_exists_and_parses(pipeline_run):
    out, _ = pipeline_run
    for stage in STAGES:
        built = out / "data" / stage
        assert sum(1 for _ in (built / "train.jsonl").open()) == 8
        json.loads((built / "metadata.json").read_text())
        model_dir = out / stage
        assert (model_dir / "config.json").exists()
        assert (model_dir / "tokenizer_config.json").exists()
        metrics = json.loads((model_dir / "train_metrics.json").read_text())
        assert metrics
        evaluation = out / "eval" / stage
        report = json.loads((evaluation / "report.json").read_text())
        assert report["n"] == 4 and "exact_match" in report["metrics"]
        rows = [json.loads(line) for line in (evaluation / "predictions.jsonl").open()]
        assert len(rows) == 4 and {"id", "gold_code", "pred_code", "raw_output"} <= set(rows[0])
    for name in BASELINES:
        json.loads((out / "eval" / "baselines" / name / "report.json").read_text())
    # stage 2 starts from stage 1's output, stage 3 from stage 2's
    for stage, previous in (("stage_2", "stage_1"), ("stage_3", "stage_2")):
        resolved = (out / stage / "resolved_config.yaml").read_text()
        assert str(out / previous) in resolved


def test_rerun_skips_finished_steps(pipeline_run):
    out, _ = pipeline_run
    stage_1_weights = sorted((out / "stage_1").glob("*.safetensors"))[0].stat().st_mtime_ns
    result = runner.invoke(
        app,
        ["pipeline", "--config", str(CONFIG), "--output-dir", str(out), "--from-stage", "report"],
    )
    assert result.exit_code == 0, result.output
    assert sorted((out / "stage_1").glob("*.safetensors"))[0].stat().st_mtime_ns == stage_1_weights
    records = {p.stem for p in (out / ".pipeline").glob("*.json")}
    assert {"stage_1", "stage_2", "stage_3", "quality_gate", "eval_stage_3"} <= records
