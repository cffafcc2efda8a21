"""Pipeline config loading, step bookkeeping and the quality gate (no training here)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from thce.cli import app
from thce.errors import PipelineError
from thce.pipeline import Pipeline, load_pipeline_config
from thce.pipeline_report import summary_rows, summary_table, write_comparison_report

runner = CliRunner()


def test_default_config_loads_with_cpu_and_gpu_profiles():
    config, base = load_pipeline_config()
    assert config.profile == "cpu"
    assert {"cpu", "gpu"} <= set(config.profiles)
    # One word, one set of names: the pipeline's cpu profile trains with the training profile cpu.
    assert Pipeline(config, base, "unused").training_profile == "cpu"
    assert (base / config.data.stage_1).exists()
    assert [p.name for p in Pipeline(config, base, "unused").test_sets().values()] == [
        "test.jsonl",
        "test_hard.jsonl",
    ]
    # One retrieval setting for the run; the CPU profile asks for 5 candidates.
    assert config.retrieval is not None and config.retrieval.k == 10
    assert Pipeline(config, base, "unused").retrieval.k == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\n  bad: [", "p.yaml: YAML syntax error at line 2, column 6"),
        ("name: x\ndata: {}\n", "line 2, data.stage_1: required key is missing"),
        (
            "data: {stage_1: a, stage_2: b, stage_3: c}\ntraining: {stage_1: a, stage_2: b, stage_3: c}\n"
            "evaluation: {test_data: t, train_data: t}\nunknown_key: 1\n",
            r"p.yaml: line 4, unknown_key: unknown key \(valid keys: name, output_dir",
        ),
        (
            "data: {stage_1: a, stage_2: b, stage_3: c}\ntraining: {stage_1: a, stage_2: b, stage_3: c}\n"
            "evaluation: {test_data: t, train_data: t, batch_sise: 4}\n",
            "line 3, evaluation.batch_sise: unknown key; did you mean 'batch_size'",
        ),
    ],
)
def test_bad_configs_name_the_problem(tmp_path, text, message):
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(PipelineError, match=message):
        load_pipeline_config(path)


def test_unknown_profile_and_step(tmp_path):
    config, base = load_pipeline_config()
    config.profile = "tpu"
    with pytest.raises(PipelineError, match="profile 'tpu' is not defined"):
        Pipeline(config, base, tmp_path)
    config.profile = "cpu"
    with pytest.raises(PipelineError, match="unknown step"):
        Pipeline(config, base, tmp_path, from_step="stage_9")


def test_cli_reports_missing_config_as_user_error(tmp_path):
    result = runner.invoke(app, ["pipeline", "--config", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert "--config" in result.output and "does not exist" in result.output


def test_overrides_chain_stage_models(tmp_path):
    config, base = load_pipeline_config()
    config.base_model = "thce:tiny"
    pipeline = Pipeline(config, base, tmp_path, extra_overrides=["model=ignored", "trainer.seed=3"])
    stage_1 = pipeline.training_overrides("stage_1")
    stage_2 = pipeline.training_overrides("stage_2")
    assert "model=thce:tiny" in stage_1 and "model=ignored" not in stage_1
    assert f"model={tmp_path / 'stage_1'}" in stage_2 and "trainer.seed=3" in stage_2
    assert stage_2[0] == f"dataset.path={tmp_path / 'data' / 'stage_2' / 'train.jsonl'}"


def test_step_is_skipped_when_inputs_match_and_redone_with_force(tmp_path):
    config, base = load_pipeline_config()
    calls = []
    out = tmp_path / "artifact.txt"

    def action():
        calls.append(1)
        out.write_text("x")
        return {"value": len(calls)}

    pipeline = Pipeline(config, base, tmp_path)
    assert pipeline._run_step("stage_1", {"a": 1}, [out], action) == {"value": 1}
    assert pipeline._run_step("stage_1", {"a": 1}, [out], action) == {"value": 1}
    assert len(calls) == 1
    pipeline._run_step("stage_1", {"a": 2}, [out], action)
    assert len(calls) == 2
    out.unlink()
    pipeline._run_step("stage_1", {"a": 2}, [out], action)
    assert len(calls) == 3
    Pipeline(config, base, tmp_path, force=True)._run_step("stage_1", {"a": 2}, [out], action)
    assert len(calls) == 4
    later = Pipeline(config, base, tmp_path, from_step="stage_1")
    later._run_step("data_stage_1", {"a": 2}, [out], action, "data")
    assert len(calls) == 5  # never recorded before
    later._run_step("data_stage_1", {"a": 2}, [out], action, "data")
    assert len(calls) == 5  # "data" comes before stage_1: kept
    timings = later.timings()
    assert set(timings) == {"stage_1", "data_stage_1"}


def test_quality_gate_stops_on_failing_data(tmp_path):
    config, base = load_pipeline_config()
    pipeline = Pipeline(config, base, tmp_path)
    good = {
        "messages": [
            {"role": "system", "content": "You are a medical coding assistant."},
            {
                "role": "user",
                "content": "58 yo with type 2 diabetes, no complications, diet controlled.",
            },
            {
                "role": "assistant",
                "content": "ICD10: E11.9 (Type 2 diabetes mellitus without complications)",
            },
        ]
    }
    bad = {"messages": [{"role": "user", "content": "x"}]}
    for stage in ("stage_1", "stage_2", "stage_3"):
        folder = tmp_path / "data" / stage
        folder.mkdir(parents=True)
        (folder / "train.jsonl").write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(PipelineError, match="quality gate"):
        pipeline.run_quality_gate()


def test_comparison_report_without_predictions(tmp_path):
    systems = {
        "stage_1": {
            "n": 10,
            "metrics": {
                "exact_match": 0.5,
                "top_k": {"3": 0.7},
                "category_match": 0.6,
                "invalid_code_rate": 0.1,
                "micro": {"f1": 0.5},
                "macro": {"f1": 0.4},
            },
            "confidence_intervals": {"exact_match": {"low": 0.2, "high": 0.8}},
            "retrieval": {"k": 5, "recall_at_k": 0.9},
        },
        "random": {"n": 10, "metrics": {"exact_match": 0.0}},
    }
    report = write_comparison_report({"test": systems}, tmp_path, predictions={})
    block = report["test_sets"]["test"]
    assert block["results"]["stage_1"]["top_3"] == 0.7
    assert block["results"]["stage_1"]["exact_match_ci"] == (0.2, 0.8)
    assert block["recall_at_k"] == 0.9
    assert block["final_vs_best_baseline"]["best_baseline"] == "random"
    assert block["final_vs_best_baseline"]["mcnemar"] is None  # no paired predictions
    rows = summary_rows(block["results"])
    assert rows[0][:3] == ("stage_1", "50.0%", "[20.0, 80.0]")
    assert rows[1][2] == "—"
    markdown = (tmp_path / "report.md").read_text()
    assert "## test (10 examples)" in markdown and "(ceiling): **90.0%**" in markdown


def test_mcnemar_columns_hold_the_counts(tmp_path):
    """The "only first / only second right" columns come from the paired predictions (a bug
    once left them empty by reading keys the test never returns)."""
    from thce.evaluation.records import Prediction

    def write(name, right):
        path = tmp_path / f"{name}.jsonl"
        rows = []
        for i, ok in enumerate(right):
            rows.append(
                Prediction(
                    f"x{i}",
                    "ICD10",
                    "E11.9",
                    "ICD10",
                    "E11.9" if ok else "I10",
                    [],
                    "",
                    None,
                    None,
                    True,
                ).to_dict()
            )
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return path

    systems = {
        "stage_3": {"n": 6, "metrics": {"exact_match": 4 / 6}},
        "rule_based": {"n": 6, "metrics": {"exact_match": 2 / 6}},
    }
    predictions = {
        "test": {
            "stage_3": write("s3", [True, True, True, True, False, False]),
            "rule_based": write("rb", [True, False, False, False, True, False]),
        }
    }
    report = write_comparison_report({"test": systems}, tmp_path, predictions=predictions)
    test = report["test_sets"]["test"]["significance"]["stage_3_vs_rule_based"]
    assert (test["a_only"], test["b_only"], test["n"]) == (3, 1, 6)
    headline = report["test_sets"]["test"]["final_vs_best_baseline"]
    assert headline["difference"] == pytest.approx(2 / 6)
    markdown = (tmp_path / "report.md").read_text()
    assert "| stage_3_vs_rule_based | 0.6250 | 3 | 1 |" in markdown
    assert "(only stage_3 right: 3, only rule_based right: 1)" in markdown


def test_summary_table_drops_top_3_only_when_no_system_ranked_candidates(tmp_path):
    """A run without ranked candidates has no top-3 numbers: the column goes, the rest stay."""
    greedy = {
        "stage_1": {"n": 4, "metrics": {"exact_match": 0.25, "invalid_code_rate": 0.5}},
        "rule_based": {"n": 4, "metrics": {"exact_match": 0.5, "category_match": 0.75}},
    }
    report = write_comparison_report({"t": greedy}, tmp_path / "greedy", predictions={})
    columns, rows = summary_table(report["test_sets"]["t"]["results"])
    assert "top-3" not in columns
    assert columns[:3] == ["system", "exact match", "95% CI"]
    assert rows[1][columns.index("category match")] == "75.0%"
    assert "top-3" not in (tmp_path / "greedy" / "report.md").read_text()

    greedy["rule_based"]["metrics"]["top_k"] = {"3": 1.0}
    report = write_comparison_report({"t": greedy}, tmp_path / "ranked", predictions={})
    columns, rows = summary_table(report["test_sets"]["t"]["results"])
    assert columns[3] == "top-3"
    assert [row[3] for row in rows] == ["—", "100.0%"]
    header = (tmp_path / "ranked" / "report.md").read_text().split("\n")
    assert any(line.startswith("| system | exact match | 95% CI | top-3 |") for line in header)


@pytest.mark.parametrize("profile", ["cpu", "cpu-long", "gpu"])
def test_shipped_profiles_give_valid_training_configs(profile):
    """Every stage's training config, with the profile's overrides, passes `thce config validate`
    and TRL builds its arguments from it. This machine has no GPU, so the GPU profile is checked
    with `use_cpu` added (transformers refuses bf16 without a GPU or use_cpu)."""
    from thce.training.profiles import profile_overrides
    from thce.training.validate import validate_config

    config, base = load_pipeline_config()
    config.profile = profile
    pipeline = Pipeline(config, base, "unused")
    for number, stage in enumerate(("stage_1", "stage_2", "stage_3"), start=1):
        assert pipeline.training_profile == profile
        overrides = profile_overrides(pipeline.training_profile, number) + [
            o for o in pipeline.training_overrides(stage) if not o.startswith(("dataset", "model"))
        ]
        if profile == "gpu":
            overrides.append("trainer.use_cpu=true")
        report = validate_config(
            base / getattr(config.training, stage), overrides, check_model=False, check_data=False
        )
        assert report.valid, (profile, stage, [(e.field, e.message) for e in report.errors])
        # bf16 everywhere: on CPU it is autocast (use_cpu), measured 2.5x faster matmuls here.
        assert report.facts["bf16"] is True
