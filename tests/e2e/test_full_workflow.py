"""The whole retrieval-augmented pipeline on thce:tiny with small data, checked on content."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thce.cli import app
from thce.codes.retrieval import RetrievalConfig
from thce.data.formats import get_candidates, get_gold, parse_answer
from thce.evaluation.records import Prediction
from thce.resources import REPO_ROOT

# One worker runs this module: its module fixture (a trained chain) is built once.
pytestmark = pytest.mark.xdist_group("e2e_pipeline")

CONFIG = REPO_ROOT / "tests" / "fixtures" / "pipeline_tiny.yaml"
STAGES = ("stage_1", "stage_2", "stage_3")
BASELINES = ("most_frequent", "random", "keyword", "rule_based", "bm25", "retrieval")
TEST_SETS = ("test", "test_hard")
K = 4  # retrieval: {k: 4} in the fixture config
runner = CliRunner()


@pytest.fixture(scope="module")
def pipeline_run(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("pipeline")
    result = runner.invoke(app, ["pipeline", "--config", str(CONFIG), "--output-dir", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def predictions(path: Path) -> list[Prediction]:
    return [Prediction.from_dict(json.loads(line)) for line in path.open()]


def test_training_data_has_candidates_with_the_gold_among_them(pipeline_run):
    out, _ = pipeline_run
    for number, stage in enumerate(STAGES, start=1):
        built = out / "data" / stage
        records = [json.loads(line) for line in (built / "train.jsonl").open()]
        assert len(records) == 8
        meta = json.loads((built / "metadata.json").read_text())
        assert meta["retrieval"]["k"] == K
        for record in records:
            labels = [c.label for c in get_candidates(record)]
            gold = get_gold(record)
            assert len(labels) == K and f"{gold.code_type}:{gold.code}" in labels  # inserted
            if number >= 2:
                assert gold.reasoning_well_formed
            if number == 3:
                rejected = parse_answer(record["rejected"][0]["content"])
                assert rejected.well_formed and rejected.code != gold.code
        # every stage saved the retrieval settings it was trained with, and ran tuned
        metrics = json.loads((out / stage / "train_metrics.json").read_text())
        assert metrics["retrieval"]["k"] == K and metrics["malloc_tuned"] is True
        assert "retrieval:" in (out / stage / "resolved_config.yaml").read_text()


def test_answers_come_from_the_candidates_and_never_an_invalid_code(pipeline_run):
    out, _ = pipeline_run
    split_checked = 0
    for test_set in TEST_SETS:
        for stage in STAGES:
            report = json.loads((out / "eval" / test_set / stage / "report.json").read_text())
            assert report["n"] == 4 and report["retrieval"]["k"] == K
            assert report["metrics"]["invalid_code_rate"] == 0.0
            rows = predictions(out / "eval" / test_set / stage / "predictions.jsonl")
            for row in rows:
                assert row.pred_label in row.retrieved and len(row.retrieved) <= K
            ceiling = sum(r.gold_label in r.retrieved for r in rows) / len(rows)
            assert report["retrieval"]["recall_at_k"] == pytest.approx(ceiling)
            # exact match = recall@K x the choice's accuracy on the answerable examples
            answerable = [r for r in rows if r.gold_label in r.retrieved]
            assert report["retrieval"]["answerable"] == len(answerable)
            if answerable:
                right = sum(r.correct for r in answerable)
                assert report["retrieval"]["choice_accuracy"] == pytest.approx(
                    right / len(answerable), abs=1e-4
                )
                markdown = (out / "eval" / test_set / stage / "report.md").read_text()
                assert f"chosen right when the gold was a candidate: {right} of " in markdown
                split_checked += 1
            assert report["metrics"]["exact_match"] <= ceiling + 1e-9
            # the choice's weights are the ones saved with the model (the shipped defaults)
            shipped = RetrievalConfig()
            for key in ("fusion_weight", "narrative_weight", "answer_weight"):
                assert report["retrieval"][key] == getattr(shipped, key)
    assert split_checked > 0  # the tiny run's candidates hold some golds


def test_eval_overrides_the_saved_choice_weights(pipeline_run, tmp_path):
    out, _ = pipeline_run
    data = REPO_ROOT / "data" / "examples" / "test.jsonl"
    args = ["eval", "--model-path", str(out / "stage_1"), "--test-data", str(data)]
    args += ["--max-samples", "3", "--no-plots", "--output", str(tmp_path / "ev")]
    args += ["--narrative-weight", "0", "--answer-weight", "1", "--fusion-weight", "0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "ev" / "report.json").read_text())
    assert report["retrieval"]["narrative_weight"] == 0.0
    assert report["retrieval"]["answer_weight"] == 1.0
    assert report["retrieval"]["fusion_weight"] == 0.0
    # the summary table splits exact match into the ceiling and the choice
    assert "(candidates' ceiling)" in result.output
    assert report["retrieval"]["answerable"] > 0  # the first 3 notes: some gold retrieved
    accuracy = report["retrieval"]["choice_accuracy"]
    assert "chosen right when the gold" in result.output and f"{accuracy:.3f}" in result.output
    rows = predictions(tmp_path / "ev" / "predictions.jsonl")
    assert len(rows) == 3 and all(r.pred_label in r.retrieved for r in rows)


def test_report_tables_per_test_set(pipeline_run):
    out, output = pipeline_run
    report = json.loads((out / "report.json").read_text())
    assert set(report["test_sets"]) == set(TEST_SETS)
    markdown = (out / "report.md").read_text()
    for name in TEST_SETS:
        block = report["test_sets"][name]
        assert set(block["results"]) == set(STAGES) | set(BASELINES)
        assert block["n"] == 4 and 0.0 <= block["recall_at_k"] <= 1.0
        for system in (*STAGES, *BASELINES):
            row = block["results"][system]
            low, high = row["exact_match_ci"]
            assert low <= row["exact_match"] <= high
            # the markdown table holds the same number in the system's row
            assert f"| {system} | {100 * row['exact_match']:.1f}% |" in markdown
        if block["recall_at_k"] > 0:
            # every stage's choice accuracy, and the retriever's (its top-1 over the ceiling)
            shares = [
                f"{stage} {100 * block['results'][stage]['choice_accuracy']:.1f}%"
                for stage in STAGES
            ]
            retriever = block["results"]["retrieval"]["exact_match"] / block["recall_at_k"]
            shares.append(f"retrieval {100 * retriever:.1f}%")
            line = "Chosen right when the gold was among the candidates: " + ", ".join(shares)
            assert line + "." in markdown
        headline = block["final_vs_best_baseline"]
        assert headline["final"] == "stage_3" and headline["best_baseline"] in BASELINES
        best = max(block["results"][b]["exact_match"] for b in BASELINES)
        assert headline["baseline_exact_match"] == best
        test = headline["mcnemar"]
        # the "only one right" counts are real numbers, equal to the predictions' disagreement
        final = {
            r.id: r.correct
            for r in predictions(out / "eval" / name / "stage_3" / "predictions.jsonl")
        }
        base = {
            r.id: r.correct
            for r in predictions(
                out / "eval" / name / headline["best_baseline"] / "predictions.jsonl"
            )
        }
        assert test["a_only"] == sum(final[i] and not base[i] for i in final)
        assert test["b_only"] == sum(base[i] and not final[i] for i in final)
        assert f"## {name} (4 examples)" in markdown
        assert f"{name}: exact match on 4 examples" in output
    assert (out / "exact_match.png").stat().st_size > 1000


def test_rerun_skips_finished_steps(pipeline_run):
    out, _ = pipeline_run
    weights = sorted((out / "stage_1").glob("*.safetensors"))[0]
    before = weights.stat().st_mtime_ns
    (out / "report.md").unlink()
    result = runner.invoke(
        app,
        ["pipeline", "--config", str(CONFIG), "--output-dir", str(out), "--from-stage", "report"],
    )
    assert result.exit_code == 0, result.output
    assert weights.stat().st_mtime_ns == before  # no stage was trained again
    assert (out / "report.md").is_file()  # the report step ran again
    records = {p.stem for p in (out / ".pipeline").glob("*.json")}
    assert {"stage_1", "stage_2", "stage_3", "quality_gate", "eval_test_hard_stage_3"} <= records


def test_tune_choice_weights_script_on_the_trained_stages(pipeline_run, tmp_path, capsys):
    """scripts/tune_choice_weights.py scores the stages once and grid-searches the weights;
    the retriever's top-1 it prints is the `retrieval` ranking the stages were given."""
    import importlib.util

    out, _ = pipeline_run
    data = tmp_path / "dev.jsonl"
    lines = (REPO_ROOT / "data" / "examples" / "dev_hard.jsonl").read_text().splitlines()[:6]
    data.write_text("\n".join(lines) + "\n")
    script = REPO_ROOT / "scripts" / "tune_choice_weights.py"
    spec = importlib.util.spec_from_file_location("tune_choice_weights", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stages = [str(out / s) for s in STAGES]
    assert module.main([*stages, "--data", str(data), "--show", "3"]) == 0
    printed = capsys.readouterr().out
    assert f"{data}: 6 examples" in printed
    assert "narrative answer fusion  stage_1  stage_2  stage_3" in printed
    rows = [line for line in printed.splitlines() if line[:9].strip().replace(".", "").isdigit()]
    assert len(rows) == 3 and all(len(line.split()) == 6 for line in rows)
    assert "best: narrative_weight" in printed
    # A folder trained without candidates has nothing to tune: exit 2, said on stderr.
    assert module.main([str(tmp_path), "--data", str(data)]) == 2
