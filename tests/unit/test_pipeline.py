"""Pipeline config loading, step bookkeeping and the quality gate (no training here)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from thce.cli import app
from thce.errors import PipelineError
from thce.evaluation.schema import load_pipeline_report
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
        (
            "data: {stage_1: a, stage_2: b, stage_3: c}\ntraining: {stage_1: a, stage_2: b, stage_3: c}\n"
            "evaluation: {test_data: t, train_data: t}\nprofiles:\n  cpu: {training_profile: cpu-demo}\n",
            "line 5, profiles.cpu: training_profile is no longer needed",
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


GOLDS = ["ICD10:E11.9", "ICD10:I10", "CPT:99213", "CPT:99214", "HCPCS:J1100", "ICD10:J45.901"]
WRONG = "ICD10:E78.5"  # a real code, in no gold's category
RETRIEVAL = {"k": 5, "signals": ["bm25"], "fusion_weight": 1.5, "recall_at_k": 5 / 6}
# stage_3's own split: 4 right of the 5 whose gold was retrieved (stage_1 keeps an old report's
# block without it).
STAGE_3_RETRIEVAL = {**RETRIEVAL, "answerable": 5, "choice_accuracy": 0.8}


def _answers(right):
    return [(gold, gold if ok else WRONG) for gold, ok in zip(GOLDS, right, strict=True)]


def _systems(make_eval_report, folder="eval"):
    """stage_1, stage_3, rule_based and random on the six GOLDS; returns reports, predictions."""
    rights = {
        "stage_1": [True, False, False, False, False, False],
        "stage_3": [True, True, True, True, False, False],
        "rule_based": [True, False, False, False, True, False],
        "random": [False] * 6,
    }
    reports, predictions = {}, {}
    for name, right in rights.items():
        block = STAGE_3_RETRIEVAL if name == "stage_3" else RETRIEVAL
        extra = {"retrieval": block} if name.startswith("stage") else None
        reports[name], predictions[name] = make_eval_report(
            name, _answers(right), folder=folder, extra=extra
        )
    return reports, predictions


def _ci_cell(report):
    interval = report.confidence_intervals.exact_match
    return f"[{100 * interval.low:.1f}, {100 * interval.high:.1f}]"


def test_comparison_report_without_predictions(tmp_path, make_eval_report):
    systems, _ = _systems(make_eval_report)
    report = write_comparison_report({"test": systems}, tmp_path, predictions={})
    block = report.test_sets["test"]
    assert block.n == 6 and block.recall_at_k == pytest.approx(5 / 6)
    assert block.results["stage_3"].exact_match == pytest.approx(4 / 6)
    assert block.results["stage_3"].top_3 is None  # one candidate: no top-3 to report
    ci = systems["stage_3"].confidence_intervals.exact_match
    assert block.results["stage_3"].exact_match_ci == (ci.low, ci.high)
    assert block.final_vs_best_baseline.best_baseline == "rule_based"
    assert block.final_vs_best_baseline.mcnemar is None  # no paired predictions
    assert block.significance == {}
    rows = summary_rows(block.results)
    assert rows[1] == ("stage_3", "66.7%", _ci_cell(systems["stage_3"]), "—", "66.7%", "0.0%")
    assert rows[3] == ("random", "0.0%", "[0.0, 0.0]", "—", "0.0%", "0.0%")
    assert block.results["stage_3"].choice_accuracy == pytest.approx(0.8)
    assert block.results["stage_1"].choice_accuracy is None
    markdown = (tmp_path / "report.md").read_text()
    assert "## test (6 examples)" in markdown and "(ceiling): **83.3%**" in markdown
    # rule_based is the best baseline; the retrieval baseline is absent, so only stage_3
    assert "among the candidates: stage_3 80.0%." in markdown
    assert "McNemar p =" not in markdown and "only first right" not in markdown


def test_pipeline_report_tables_hold_the_numbers(tmp_path, make_eval_report):
    """Every cell of the summary table and the McNemar "only first / only second right"
    columns, from real reports and predictions (a bug once left the columns empty by reading
    keys the test never returns)."""
    systems, predictions = _systems(make_eval_report)
    report = write_comparison_report(
        {"test": systems},
        tmp_path,
        predictions={"test": predictions},
        extra={"pipeline": "demo", "profile": "cpu", "retrieval": None, "steps": {"data": 1.5}},
    )
    test = report.test_sets["test"].significance["stage_3_vs_rule_based"]
    assert (test.a_only, test.b_only, test.n) == (3, 1, 6)
    headline = report.test_sets["test"].final_vs_best_baseline
    assert headline.difference == pytest.approx(2 / 6)
    lines = (tmp_path / "report.md").read_text().splitlines()
    assert lines[0] == "# THCE pipeline report: demo"
    # Summary: exact match, CI, category match, invalid codes, micro F1, macro F1 (no top-3:
    # nothing ranked). Macro F1 averages over 7 classes (6 golds + the wrong answer).
    header = (
        "| system | exact match | 95% CI | category match | invalid codes | micro F1 | macro F1 |"
    )
    start = lines.index(header)
    assert lines[start + 2 : start + 6] == [
        f"| stage_1 | 16.7% | {_ci_cell(systems['stage_1'])} | 16.7% | 0.0% | 0.167 | 0.143 |",
        f"| stage_3 | 66.7% | {_ci_cell(systems['stage_3'])} | 66.7% | 0.0% | 0.667 | 0.571 |",
        f"| rule_based | 33.3% | {_ci_cell(systems['rule_based'])} | 33.3% | 0.0% | 0.333 | 0.286 |",
        "| random | 0.0% | [0.0, 0.0] | 0.0% | 0.0% | 0.000 | 0.000 |",
    ]
    # McNemar's exact test: 3 vs 1 discordant pairs gives p = 2 * 5/16 = 0.625.
    assert (
        "**stage_3 vs the best baseline (rule_based)**: +33.3 points, McNemar p = 0.6250 "
        "(only stage_3 right: 3, only rule_based right: 1)."
    ) in lines
    header = "| comparison | p-value | only first right | only second right |"
    start = lines.index(header)
    assert lines[start + 2 : start + 7] == [
        "| stage_1_vs_rule_based | 1.0000 | 0 | 1 |",
        "| stage_1_vs_random | 1.0000 | 1 | 0 |",
        "| stage_1_vs_stage_3 | 0.2500 | 0 | 3 |",
        "| stage_3_vs_rule_based | 0.6250 | 3 | 1 |",
        "| stage_3_vs_random | 0.1250 | 4 | 0 |",
    ]
    assert "| data | 1.5 |" in lines
    # report.json holds the same model: the loader gives it back unchanged.
    assert load_pipeline_report(tmp_path / "report.json") == report


def test_summary_table_drops_top_3_only_when_no_system_ranked_candidates(
    tmp_path, make_eval_report
):
    """A run without ranked candidates has no top-3 numbers: the column goes, the rest stay."""
    answers = _answers([True, False, False, False, True, False])
    greedy = {
        "stage_1": make_eval_report("stage_1", answers, folder="greedy")[0],
        "rule_based": make_eval_report("rule_based", answers, folder="greedy")[0],
    }
    report = write_comparison_report({"t": greedy}, tmp_path / "greedy", predictions={})
    columns, rows = summary_table(report.test_sets["t"].results)
    assert "top-3" not in columns
    assert columns[:3] == ["system", "exact match", "95% CI"]
    assert rows[1][columns.index("category match")] == "33.3%"
    assert "top-3" not in (tmp_path / "greedy" / "report.md").read_text()

    # rule_based now ranks three candidates with the gold among them every time
    ranked = [[WRONG, gold, "CPT:99215"] for gold in GOLDS]
    greedy["rule_based"] = make_eval_report(
        "rule_based", answers, folder="ranked", candidates=ranked, top_k=3
    )[0]
    report = write_comparison_report({"t": greedy}, tmp_path / "ranked", predictions={})
    columns, rows = summary_table(report.test_sets["t"].results)
    assert columns[3] == "top-3"
    assert [row[3] for row in rows] == ["—", "100.0%"]
    header = (tmp_path / "ranked" / "report.md").read_text().split("\n")
    assert any(line.startswith("| system | exact match | 95% CI | top-3 |") for line in header)


def test_pipeline_report_reads_each_system_through_the_schema(tmp_path, make_eval_report):
    """run_report reads eval/<set>/<system>/report.json with the typed loader: a malformed
    file stops it with an error naming the file and the field, not a KeyError."""
    from thce.errors import EvaluationError

    config, base = load_pipeline_config()
    pipeline = Pipeline(config, base, tmp_path)
    make_eval_report("stage_3", _answers([True] * 6), folder="eval/test")
    make_eval_report("random", _answers([False] * 6), folder="eval/test")
    report = pipeline.run_report({"test": {"stage_3": {}, "random": {}}})
    assert report.test_sets["test"].final_vs_best_baseline.mcnemar.a_only == 6
    assert load_pipeline_report(tmp_path / "report.json").pipeline == config.name

    broken = pipeline.eval_dir("test", "random") / "report.json"
    data = json.loads(broken.read_text())
    data["metrics"]["exact_match"] = "high"
    broken.write_text(json.dumps(data))
    with pytest.raises(EvaluationError) as caught:
        pipeline.run_report({"test": {"stage_3": {}, "random": {}}})
    assert str(broken) in str(caught.value) and "metrics.exact_match" in str(caught.value)


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
